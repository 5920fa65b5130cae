package krmfn

import (
	"fmt"
	"strconv"
)

// Severity of a result.
type Severity string

// The severities; any error result makes the function exit with code 1.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// ResourceRef names the resource a result is about.
type ResourceRef struct {
	APIVersion, Kind, Name, Namespace string
}

// File names the file (and document index in it) a result is about.
type File struct {
	Path  string
	Index int
}

// Result is one entry of the ResourceList's results (kpt's format).
type Result struct {
	Message     string
	Severity    Severity
	ResourceRef *ResourceRef
	Field       string // the field path, e.g. "spec.replicas"
	File        *File
	Tags        map[string]string
}

// For points the result at obj: its resourceRef, and its file when the object carries the
// internal.config.kubernetes.io/path (and index) annotations.
func (r *Result) For(obj *KubeObject) *Result {
	if obj == nil {
		return r
	}
	r.ResourceRef = obj.Ref()
	path, ok := obj.Annotation("internal.config.kubernetes.io/path")
	if !ok {
		path, ok = obj.Annotation("config.kubernetes.io/path")
	}
	if ok && path != "" {
		index, _ := obj.Annotation("internal.config.kubernetes.io/index")
		i, _ := strconv.Atoi(index)
		r.File = &File{Path: path, Index: i}
	}
	return r
}

// AtField sets the field path the result is about.
func (r *Result) AtField(path string) *Result {
	r.Field = path
	return r
}

// WithTag adds a tag.
func (r *Result) WithTag(key, value string) *Result {
	if r.Tags == nil {
		r.Tags = map[string]string{}
	}
	r.Tags[key] = value
	return r
}

// Results collects a function's findings. Add to it and keep going, so that one run reports
// every problem:
//
//	rl.Results.Errorf("replicas must be positive").For(obj).AtField("spec.replicas")
type Results []*Result

func (rs *Results) add(sev Severity, format string, args []any) *Result {
	r := &Result{Message: fmt.Sprintf(format, args...), Severity: sev}
	*rs = append(*rs, r)
	return r
}

// Errorf adds an error result.
func (rs *Results) Errorf(format string, args ...any) *Result {
	return rs.add(SeverityError, format, args)
}

// Warningf adds a warning result.
func (rs *Results) Warningf(format string, args ...any) *Result {
	return rs.add(SeverityWarning, format, args)
}

// Infof adds an info result.
func (rs *Results) Infof(format string, args ...any) *Result {
	return rs.add(SeverityInfo, format, args)
}

// HasErrors reports whether any result has severity error.
func (rs Results) HasErrors() bool {
	for _, r := range rs {
		if r.Severity == SeverityError {
			return true
		}
	}
	return false
}

// toValue renders a result as a mapping in kpt's field order, leaving out empty fields.
func (r *Result) toValue() *Map {
	m := NewMap("message", r.Message, "severity", string(r.Severity))
	if ref := r.ResourceRef; ref != nil {
		rm := &Map{}
		for _, kv := range [][2]string{
			{"apiVersion", ref.APIVersion}, {"kind", ref.Kind}, {"name", ref.Name}, {"namespace", ref.Namespace},
		} {
			if kv[1] != "" {
				rm.Set(kv[0], kv[1])
			}
		}
		m.Set("resourceRef", rm)
	}
	if r.Field != "" {
		m.Set("field", NewMap("path", r.Field))
	}
	if r.File != nil {
		m.Set("file", NewMap("path", r.File.Path, "index", r.File.Index))
	}
	if len(r.Tags) > 0 {
		tags := &Map{}
		for _, k := range sortedKeys(r.Tags) {
			tags.Set(k, r.Tags[k])
		}
		m.Set("tags", tags)
	}
	return m
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ { // insertion sort: tags are few
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
