// Command set-namespace sets metadata.namespace on every resource to the value of
// functionConfig.data.namespace (a ConfigMap). Written on kpt's Go SDK, as a kpt function is.
package main

import (
	"os"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

func main() {
	if err := fn.AsMain(fn.ResourceListProcessorFunc(setNamespace)); err != nil {
		os.Exit(1)
	}
}

func setNamespace(rl *fn.ResourceList) (bool, error) {
	cfg := rl.FunctionConfig
	if cfg == nil || cfg.IsEmpty() {
		rl.Results.Errorf("functionConfig is missing: set-namespace needs a ConfigMap with data.namespace")
		return false, nil
	}
	ns, found, err := cfg.NestedString("data", "namespace")
	if err != nil || !found || ns == "" {
		rl.Results = append(rl.Results, errorAt(cfg, "data.namespace",
			"functionConfig "+cfg.GetKind()+"/"+cfg.GetName()+" has no string field data.namespace"))
		return false, nil
	}
	ok := true
	for _, obj := range rl.Items {
		if err := obj.SetNamespace(ns); err != nil {
			rl.Results = append(rl.Results, errorAt(obj, "metadata.namespace",
				"cannot set the namespace of "+obj.ShortString()+": "+err.Error()))
			ok = false
		}
	}
	return ok, nil
}

// errorAt is an error result about obj's field path (the SDK's ConfigObjectResult also names a
// file, which a functionConfig has none of).
func errorAt(obj *fn.KubeObject, path, message string) *fn.Result {
	return &fn.Result{
		Message:  message,
		Severity: fn.Error,
		ResourceRef: &fn.ResourceRef{
			APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind(),
			Name: obj.GetName(), Namespace: obj.GetNamespace(),
		},
		Field: &fn.Field{Path: path},
	}
}
