// Command contract-probe is the Go side of the SDK contract suite (tests/contract/).
//
// It reads the string data.value of its functionConfig and writes it to every item's
// contract-probe/value annotation; then data.mode says how to end: "error" (a warning, then a
// returned error), "panic", "results" (an error, a warning and an info result per item), or
// normally. The Rust and Python probes do the same with their SDKs.
//
// krmfn has no config_str helper yet, so the contract's words for a missing functionConfig or
// field are spelled here (tests/contract/README.md lists where Go still differs).
package main

import (
	"errors"

	"krm-wasm.dev/functions-go/krmfn"
)

func main() { krmfn.AsMain(probe) }

func probe(rl *krmfn.ResourceList) error {
	cfg := rl.FunctionConfig
	if cfg == nil {
		rl.Results.Errorf("functionConfig is missing; want an object with a string field data.value, such as a ConfigMap").
			AtField("functionConfig")
		return nil
	}
	value, ok := cfg.GetString("data", "value")
	if !ok {
		rl.Results.Errorf("functionConfig %s: missing field data.value", cfg).For(cfg).AtField("data.value")
		return nil
	}
	mode, _ := cfg.GetString("data", "mode")
	for _, obj := range rl.Items {
		if err := obj.SetAnnotation("contract-probe/value", value); err != nil {
			return err
		}
	}
	switch mode {
	case "error":
		rl.Results.Warningf("probe: warning before failing")
		return errors.New("probe: failed")
	case "panic":
		panic("probe: panicked")
	case "results":
		for _, obj := range rl.Items {
			rl.Results.Errorf("probe: error finding").For(obj).AtField("metadata.name")
			rl.Results.Warningf("probe: warning finding").For(obj)
			rl.Results.Infof("probe: info finding").For(obj)
		}
	}
	return nil
}
