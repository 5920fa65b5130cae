// Command set-namespace replaces the namespace of a package's resources, with the semantics of
// kpt's catalog function gcr.io/kpt-fn/set-namespace:v0.4.1 (its transformer/namespace.go),
// written on kpt's Go SDK. tests/conformance runs it against kpt's own build.
//
// What it changes, each counted when the value differs from the new namespace:
//   - metadata.namespace of namespace-scoped resources: built-in kinds by kpt's table
//     (fn.KubeObject.IsNamespaceScoped), other kinds when they have metadata.namespace;
//   - metadata.name of every v1 Namespace;
//   - the service namespace of an apiextensions.k8s.io/v1 CRD's conversion webhook and of an
//     apiregistration.k8s.io/v1 APIService (set even when absent, as kpt v0.4.1 does);
//   - the namespace of RoleBinding/ClusterRoleBinding subjects that have one;
//   - config.kubernetes.io/depends-on annotations naming a changed resource in an old namespace.
//
// Local-config resources are left alone. The functionConfig is a ConfigMap (data.namespace;
// the package context kptfile.kpt.dev gives data.name) or a fn.kpt.dev/v1alpha1 SetNamespace.
package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"krm-wasm.dev/functions-go/internal/krm"
)

const dependsOn = "config.kubernetes.io/depends-on"

// <group>/namespaces/<namespace>/<kind>/<name>: a single namespaced dependency.
var namespacedDependency = regexp.MustCompile(`\A([-.\w]*)/namespaces/([-.\w]*)/([-.\w]*)/([-.\w]*)\z`)

func main() {
	krm.Main(fn.ResourceListProcessorFunc(setNamespace))
}

func setNamespace(rl *fn.ResourceList) (bool, error) {
	namespace, field, err := configNamespace(rl.FunctionConfig)
	if err != nil {
		result := fn.ErrorResult(err)
		if field != "" { // the SDK's ConfigObjectResult would also name a file, which a config has none of
			cfg := rl.FunctionConfig
			result.ResourceRef = &fn.ResourceRef{APIVersion: cfg.GetAPIVersion(), Kind: cfg.GetKind(), Name: cfg.GetName()}
			result.Field = &fn.Field{Path: field}
		}
		rl.Results = append(rl.Results, result)
		return false, nil
	}
	old := map[string]bool{}
	count := 0
	var failed error
	visit(rl.Items, func(_ *fn.KubeObject, value string) string {
		if value != namespace {
			old[value] = true
			count++
		}
		return namespace
	}, &failed)
	if failed == nil {
		updateDependsOn(rl.Items, namespace, old, &failed)
	}
	switch {
	case failed != nil:
		rl.Results = append(rl.Results, fn.ErrorResult(failed))
	case fn.CheckResourceDuplication(rl) != nil:
		rl.Results = append(rl.Results, fn.ErrorResult(fn.CheckResourceDuplication(rl)))
	case count == 0:
		rl.Results = append(rl.Results, fn.GeneralResult(
			fmt.Sprintf("all namespaces are already %q. no value changed", namespace), fn.Info))
	default:
		names := make([]string, 0, len(old))
		for ns := range old {
			names = append(names, fmt.Sprintf("%q", ns))
		}
		sort.Strings(names)
		rl.Results = append(rl.Results, fn.GeneralResult(fmt.Sprintf(
			"namespace %s updated to %q, %d value(s) changed", strings.Join(names, ","), namespace, count), fn.Info))
	}
	return true, nil
}

// configNamespace is the new namespace the functionConfig asks for; on error, also the config's
// field at fault ("" when there is no config).
func configNamespace(cfg *fn.KubeObject) (string, string, error) {
	if cfg == nil || cfg.IsEmpty() {
		return "", "", fmt.Errorf("functionConfig is missing: want a ConfigMap with data.namespace, or a SetNamespace")
	}
	name := cfg.GetKind() + "/" + cfg.GetName()
	read := func(path ...string) (string, string, error) {
		field := strings.Join(path, ".")
		value, _, err := cfg.NestedString(path...)
		if err != nil {
			return "", field, fmt.Errorf("functionConfig %s: field %s is not a string", name, field)
		}
		if value == "" {
			return "", field, fmt.Errorf("functionConfig %s: field %s is missing or empty", name, field)
		}
		return value, "", nil
	}
	apiVersion, kind := cfg.GetAPIVersion(), cfg.GetKind()
	switch {
	case apiVersion == "v1" && kind == "ConfigMap":
		if ns, _, _ := cfg.NestedString("data", "namespace"); ns != "" || cfg.GetName() != "kptfile.kpt.dev" {
			return read("data", "namespace")
		}
		return read("data", "name") // the package context (kpt pkg get --for-deployment)
	case apiVersion == "fn.kpt.dev/v1alpha1" && kind == "SetNamespace":
		return read("namespace")
	}
	return "", "kind", fmt.Errorf("functionConfig %s %s is not supported: want a v1 ConfigMap or a fn.kpt.dev/v1alpha1 SetNamespace", apiVersion, name)
}

// visit calls change on every namespace field kpt's set-namespace handles and stores what it
// returns, in kpt's order. The first field that cannot be read or set goes to *failed.
func visit(items []*fn.KubeObject, change func(obj *fn.KubeObject, value string) string, failed *error) {
	set := func(obj *fn.SubObject, owner *fn.KubeObject, path ...string) {
		value, _, err := obj.NestedString(path...)
		if err == nil {
			err = obj.SetNestedString(change(owner, value), path...)
		}
		if err != nil && *failed == nil {
			*failed = fmt.Errorf("%s: field %s: %v", owner.ShortString(), strings.Join(path, "."), err)
		}
	}
	for _, obj := range items {
		if obj.IsLocalConfig() {
			continue // what `kpt live apply` skips
		}
		apiVersion, kind := obj.GetAPIVersion(), obj.GetKind()
		switch {
		case apiVersion == "v1" && kind == "Namespace":
			set(&obj.SubObject, obj, "metadata", "name")
		case apiVersion == "apiextensions.k8s.io/v1" && kind == "CustomResourceDefinition":
			set(&obj.SubObject, obj, "spec", "conversion", "webhook", "clientConfig", "service", "namespace")
		case apiVersion == "apiregistration.k8s.io/v1" && kind == "APIService":
			set(&obj.SubObject, obj, "spec", "service", "namespace")
		case kind == "ClusterRoleBinding" || kind == "RoleBinding":
			subjects := obj.GetSlice("subjects")
			for _, subject := range subjects {
				if _, found, _ := subject.NestedString("namespace"); found {
					set(subject, obj, "namespace")
				}
			}
			// kpt writes the list back, so a binding without subjects gets `subjects: []`.
			if err := obj.SetSlice(subjects, "subjects"); err != nil && *failed == nil {
				*failed = fmt.Errorf("%s: field subjects: %v", obj.ShortString(), err)
			}
		}
		if obj.IsNamespaceScoped() {
			set(&obj.SubObject, obj, "metadata", "namespace")
		}
	}
}

// updateDependsOn rewrites depends-on annotations that name, in one of the old namespaces, a
// resource whose namespace field was visited. As in kpt, the resource is keyed by
// "<apiVersion up to the first '/'>/<kind>/<name>", so a core-group reference ("/namespaces/..")
// never matches (its key starts with "v1/").
func updateDependsOn(items []*fn.KubeObject, namespace string, old map[string]bool, failed *error) {
	visited := map[string]bool{}
	key := func(obj *fn.KubeObject) string {
		group, _, _ := strings.Cut(obj.GetAPIVersion(), "/")
		return group + "/" + obj.GetKind() + "/" + obj.GetName()
	}
	visit(items, func(obj *fn.KubeObject, value string) string {
		visited[key(obj)] = true
		return value
	}, failed)
	visit(items, func(obj *fn.KubeObject, value string) string {
		annotation := obj.GetAnnotations()[dependsOn]
		segments := strings.Split(annotation, "/")
		if !namespacedDependency.MatchString(annotation) || !old[segments[2]] ||
			!visited[segments[0]+"/"+segments[3]+"/"+segments[4]] {
			return value
		}
		segments[2] = namespace
		if err := obj.SetAnnotation(dependsOn, strings.Join(segments, "/")); err != nil && *failed == nil {
			*failed = err
		}
		return value
	}, failed)
}
