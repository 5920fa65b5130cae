// Command set-namespace sets metadata.namespace on every resource to the value of
// functionConfig.data.namespace (a ConfigMap).
package main

import "krm-wasm.dev/functions-go/krmfn"

func main() { krmfn.AsMain(setNamespace) }

func setNamespace(rl *krmfn.ResourceList) error {
	cfg := rl.FunctionConfig
	if cfg == nil {
		rl.Results.Errorf("functionConfig is missing: set-namespace needs a ConfigMap with data.namespace")
		return nil
	}
	ns, ok := cfg.GetString("data", "namespace")
	if !ok || ns == "" {
		rl.Results.Errorf("functionConfig %s has no string field data.namespace", cfg).
			For(cfg).AtField("data.namespace")
		return nil
	}
	for _, obj := range rl.Items {
		if err := obj.SetNamespace(ns); err != nil {
			rl.Results.Errorf("cannot set the namespace of %s: %v", obj, err).
				For(obj).AtField("metadata.namespace")
		}
	}
	return nil
}
