package krmfn

import (
	"fmt"
	"strings"
)

// KubeObject is one Kubernetes resource (or the functionConfig): a view over its ordered
// mapping. Field paths are given as separate keys: obj.GetString("metadata", "name").
type KubeObject struct {
	m *Map
}

// NewKubeObject wraps a mapping (a nil m gives an empty object).
func NewKubeObject(m *Map) *KubeObject {
	if m == nil {
		m = &Map{}
	}
	return &KubeObject{m: m}
}

// Map is the object's underlying ordered mapping.
func (o *KubeObject) Map() *Map { return o.m }

// Get returns the value at the path of keys and whether it exists.
func (o *KubeObject) Get(fields ...string) (any, bool) {
	var cur any = o.m
	for _, f := range fields {
		m, ok := cur.(*Map)
		if !ok {
			return nil, false
		}
		if cur, ok = m.Get(f); !ok {
			return nil, false
		}
	}
	return cur, true
}

// GetString returns the string at the path; ok is false when it is absent or not a string.
func (o *KubeObject) GetString(fields ...string) (string, bool) {
	v, _ := o.Get(fields...)
	s, ok := v.(string)
	return s, ok
}

// GetMap returns the mapping at the path; ok is false when it is absent or not a mapping.
func (o *KubeObject) GetMap(fields ...string) (*Map, bool) {
	v, _ := o.Get(fields...)
	m, ok := v.(*Map)
	return m, ok
}

// Set sets the value at the path, creating missing (or null) intermediate mappings. It fails
// when an intermediate value exists and is not a mapping; the error names the field.
func (o *KubeObject) Set(value any, fields ...string) error {
	if len(fields) == 0 {
		return fmt.Errorf("Set needs a field path")
	}
	if obj, ok := value.(*KubeObject); ok {
		value = obj.m
	}
	cur := o.m
	for i, f := range fields[:len(fields)-1] {
		next, ok := cur.Get(f)
		if !ok || next == nil {
			created := &Map{}
			cur.Set(f, created)
			cur = created
			continue
		}
		m, isMap := next.(*Map)
		if !isMap {
			return fmt.Errorf("field %s is a %s, not a mapping", strings.Join(fields[:i+1], "."), typeName(next))
		}
		cur = m
	}
	cur.Set(fields[len(fields)-1], value)
	return nil
}

// SetString is Set for a string value.
func (o *KubeObject) SetString(value string, fields ...string) error { return o.Set(value, fields...) }

// Remove deletes the field at the path and reports whether it was there.
func (o *KubeObject) Remove(fields ...string) bool {
	if len(fields) == 0 {
		return false
	}
	parent, ok := o.GetMap(fields[:len(fields)-1]...)
	if len(fields) == 1 {
		parent, ok = o.m, true
	}
	return ok && parent.Delete(fields[len(fields)-1])
}

// APIVersion is the object's apiVersion ("" when absent).
func (o *KubeObject) APIVersion() string { s, _ := o.GetString("apiVersion"); return s }

// Kind is the object's kind ("" when absent).
func (o *KubeObject) Kind() string { s, _ := o.GetString("kind"); return s }

// Name is metadata.name ("" when absent).
func (o *KubeObject) Name() string { s, _ := o.GetString("metadata", "name"); return s }

// Namespace is metadata.namespace ("" when absent).
func (o *KubeObject) Namespace() string { s, _ := o.GetString("metadata", "namespace"); return s }

// SetName sets metadata.name.
func (o *KubeObject) SetName(name string) error { return o.Set(name, "metadata", "name") }

// SetNamespace sets metadata.namespace.
func (o *KubeObject) SetNamespace(ns string) error { return o.Set(ns, "metadata", "namespace") }

// IsGVK reports whether the object has this apiVersion (any when "") and kind.
func (o *KubeObject) IsGVK(apiVersion, kind string) bool {
	return (apiVersion == "" || o.APIVersion() == apiVersion) && o.Kind() == kind
}

func (o *KubeObject) stringMap(fields ...string) map[string]string {
	out := map[string]string{}
	if m, ok := o.GetMap(fields...); ok {
		for _, e := range m.entries {
			if s, ok := ScalarText(e.Value); ok {
				out[e.Key] = s
			}
		}
	}
	return out
}

// Labels returns a copy of metadata.labels.
func (o *KubeObject) Labels() map[string]string { return o.stringMap("metadata", "labels") }

// Annotations returns a copy of metadata.annotations.
func (o *KubeObject) Annotations() map[string]string { return o.stringMap("metadata", "annotations") }

// Label returns one label.
func (o *KubeObject) Label(key string) (string, bool) {
	return o.GetString("metadata", "labels", key)
}

// Annotation returns one annotation.
func (o *KubeObject) Annotation(key string) (string, bool) {
	return o.GetString("metadata", "annotations", key)
}

// SetLabel sets one label, keeping the others and their order.
func (o *KubeObject) SetLabel(key, value string) error {
	return o.Set(value, "metadata", "labels", key)
}

// SetAnnotation sets one annotation, keeping the others and their order.
func (o *KubeObject) SetAnnotation(key, value string) error {
	return o.Set(value, "metadata", "annotations", key)
}

// Ref identifies the object in results.
func (o *KubeObject) Ref() *ResourceRef {
	return &ResourceRef{APIVersion: o.APIVersion(), Kind: o.Kind(), Name: o.Name(), Namespace: o.Namespace()}
}

// String names the object for messages: Kind/namespace/name.
func (o *KubeObject) String() string {
	if ns := o.Namespace(); ns != "" {
		return fmt.Sprintf("%s/%s/%s", o.Kind(), ns, o.Name())
	}
	return fmt.Sprintf("%s/%s", o.Kind(), o.Name())
}
