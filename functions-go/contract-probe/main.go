// Command contract-probe is the Go side of the SDK contract suite (tests/contract/).
//
// It reads the string data.value of its functionConfig and writes it to every item's
// contract-probe/value annotation; then data.mode says how to end: "error" (a warning, then a
// returned error), "panic", "results" (an error, a warning and an info result per item), or
// normally. The Kptfile and config.kubernetes.io/local-config: "true" items are left alone, as
// kpt's catalog functions leave them. The Rust and Python probes do the same with their SDKs.
//
// Written on kpt's Go SDK and run by internal/krm, which keeps the contract where the SDK does not
// decide it (input checks, failure, panic); krm.ConfigString gives the contract's words for a
// missing field or one of another type.
package main

import (
	"errors"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"krm-wasm.dev/functions-go/internal/krm"
)

func main() {
	krm.Main(fn.ResourceListProcessorFunc(probe))
}

func probe(rl *fn.ResourceList) (bool, error) {
	cfg := rl.FunctionConfig
	if cfg == nil || cfg.IsEmpty() {
		rl.Results = append(rl.Results, &fn.Result{
			Message:  "functionConfig is missing; want an object with a string field data.value, such as a ConfigMap",
			Severity: fn.Error,
			Field:    &fn.Field{Path: "functionConfig"},
		})
		return false, nil
	}
	value, err := krm.ConfigString(cfg, "data", "value")
	if err != nil {
		return false, err
	}
	mode, _, _ := krm.NestedString(&cfg.SubObject, "data", "mode")
	for _, obj := range rl.Items {
		if isMeta(obj) {
			continue
		}
		if err := obj.SetAnnotation("contract-probe/value", value); err != nil {
			return false, err
		}
	}
	switch mode {
	case "error":
		rl.Results = append(rl.Results, &fn.Result{Message: "probe: warning before failing", Severity: fn.Warning})
		return false, errors.New("probe: failed")
	case "panic":
		panic("probe: panicked")
	case "results":
		for _, obj := range rl.Items {
			if isMeta(obj) {
				continue
			}
			rl.Results = append(rl.Results,
				krm.ResultAt(obj, fn.Error, "metadata.name", "probe: error finding"),
				krm.ResultAt(obj, fn.Warning, "", "probe: warning finding"),
				krm.ResultAt(obj, fn.Info, "", "probe: info finding"))
		}
		return false, nil // an error result fails the function: kpt's SDK exits 1 only when told
	}
	return true, nil
}

// isMeta: the Kptfile or a local-config resource (package metadata, not for the cluster).
func isMeta(obj *fn.KubeObject) bool {
	return obj.IsLocalConfig() || (obj.GetKind() == "Kptfile" && strings.HasPrefix(obj.GetAPIVersion(), "kpt.dev/"))
}
