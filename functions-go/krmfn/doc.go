// Package krmfn is a small KRM function SDK for Go functions compiled to WASI (standard
// library only), modelled on kpt's Go SDK (the fn package).
//
// A function is one Processor and a main:
//
//	func main() { krmfn.AsMain(setNamespace) }
//
//	func setNamespace(rl *krmfn.ResourceList) error {
//		ns, ok := rl.FunctionConfig.GetString("data", "namespace") // (check FunctionConfig != nil first)
//		...
//		for _, obj := range rl.Items {
//			obj.SetNamespace(ns)
//		}
//		return nil
//	}
//
// Run(processor, input) is the pure bytes-to-bytes core (AsMain only adds stdin, stdout and
// the exit code), so tests call Run directly. Input is a ResourceList in JSON or YAML; the
// output is written in the same format, with field order kept (Map is an ordered map).
// Findings go into rl.Results (Errorf / Warningf / Infof, then .For(obj).AtField(path));
// any error result gives exit code 1. A processor that returns an error or panics produces
// an error result, and the ResourceList is still written.
//
// The YAML reader (ParseYAML) covers what Kubernetes manifests use; see yamlparse.go for the
// exact subset. Comments are not kept in the object model; ParseYAMLScalars gives the source
// positions and line comments of scalars for functions that edit the text instead.
package krmfn
