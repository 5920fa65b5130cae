// Package krm is the thin layer every function of functions-go runs on, on top of kpt's Go SDK
// (github.com/kptdev/krm-functions-sdk/go/fn), so that Go keeps the one SDK contract of
// docs/sdk.md ("One contract in Go, Rust and Python") that the Rust and Python SDKs keep.
//
// A function is still written with the SDK's API (a fn.ResourceListProcessor); krm.Main takes
// the place of fn.AsMain and differs from it only where the contract decides:
//   - input that fn.ParseResourceList rejects is reported in the contract's words (Check);
//   - a returned error or a panic gives the input's items and functionConfig unchanged, the
//     results added so far, then the failure as an error result (fn.Run writes the
//     half-modified items and no result, and does not recover a panic);
//   - the exit code is 1 iff the function reports failure or a result has severity error.
package krm

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Main runs p on the ResourceList on stdin, writes the output to stdout and exits with the
// exit code; input that is not a ResourceList is written to stderr, with no output.
func Main(p fn.ResourceListProcessor) {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "reading stdin: %v\n", err)
		os.Exit(1)
	}
	out, code, err := Run(p, in)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, err := os.Stdout.Write(out); err != nil {
		os.Exit(1)
	}
	os.Exit(code)
}

// Run is Main's core: the output ResourceList and exit code, or the input error (no output).
func Run(p fn.ResourceListProcessor, in []byte) ([]byte, int, error) {
	rl, err := fn.ParseResourceList(in)
	if err != nil {
		// The SDK rejects the same shapes, in its own words; the second parse is paid only here.
		if checked := Check(in); checked != nil {
			return nil, 1, checked
		}
		return nil, 1, err
	}
	success, failure := process(p, rl)
	if failure != nil {
		// The input's items and functionConfig unchanged, the results so far, then the failure.
		results := append(rl.Results, failure)
		if rl, err = fn.ParseResourceList(in); err != nil {
			return nil, 1, err
		}
		rl.Results = results
	}
	out, err := rl.ToYAML()
	if err != nil {
		return nil, 1, err
	}
	code := 0
	if !success || failure != nil || hasError(rl.Results) {
		code = 1
	}
	return out, code, nil
}

// process calls p, turning a returned error or a panic into an error result.
func process(p fn.ResourceListProcessor, rl *fn.ResourceList) (success bool, failure *fn.Result) {
	defer func() {
		if value := recover(); value != nil {
			failure = &fn.Result{
				Message:  fmt.Sprintf("function panicked%s: %v", panicSite(), value),
				Severity: fn.Error,
			}
		}
	}()
	success, err := p.Process(rl)
	if err == nil {
		return success, nil
	}
	var result *fn.Result
	if errors.As(err, &result) { // a *fn.Result keeps its resourceRef and field
		failed := *result
		failed.Severity = fn.Error
		return false, &failed
	}
	return false, &fn.Result{Message: err.Error(), Severity: fn.Error}
}

// panicSite is " at file:line" of the code that panicked (called from the deferred recover).
func panicSite() string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		frame, more := frames.Next()
		if !strings.HasPrefix(frame.Function, "runtime.") && frame.File != "" {
			return fmt.Sprintf(" at %s:%d", filepath.Base(frame.File), frame.Line)
		}
		if !more {
			return ""
		}
	}
}

func hasError(results fn.Results) bool {
	for _, r := range results {
		if r != nil && r.Severity == fn.Error {
			return true
		}
	}
	return false
}

// Check reports, in the contract's words, why in is not a ResourceList (nil when it is one).
func Check(in []byte) error {
	node, err := yaml.Parse(string(in))
	if err != nil {
		return fmt.Errorf("input is not YAML: %v", err)
	}
	top := node.YNode()
	if top.Kind != yaml.MappingNode {
		return fmt.Errorf("input is a %s, want a ResourceList mapping", typeName(top))
	}
	kind := field(top, "kind")
	switch {
	case kind == nil || kind.Kind != yaml.ScalarNode || typeName(kind) != "string":
		return errors.New("input has no kind, want kind: ResourceList")
	case kind.Value != "ResourceList":
		return fmt.Errorf("input has kind %s, want ResourceList", kind.Value)
	}
	if items := field(top, "items"); items != nil && typeName(items) != "null" {
		if items.Kind != yaml.SequenceNode {
			return fmt.Errorf("input field items is a %s, want a sequence", typeName(items))
		}
		for i, item := range items.Content {
			if item.Kind != yaml.MappingNode {
				return fmt.Errorf("input items[%d] is a %s, want a mapping (a Kubernetes object)", i, typeName(item))
			}
		}
	}
	if cfg := field(top, "functionConfig"); cfg != nil && typeName(cfg) != "null" && cfg.Kind != yaml.MappingNode {
		return fmt.Errorf("input field functionConfig is a %s, want a mapping", typeName(cfg))
	}
	if results := field(top, "results"); results != nil && typeName(results) != "null" && results.Kind != yaml.SequenceNode {
		return fmt.Errorf("input field results is a %s, want a sequence", typeName(results))
	}
	return nil
}

func field(mapping *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(mapping.Content); i += 2 {
		if mapping.Content[i].Value == key {
			return mapping.Content[i+1]
		}
	}
	return nil
}

// typeName is the contract's name of a node's YAML type.
func typeName(node *yaml.Node) string {
	switch node.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.AliasNode:
		return typeName(node.Alias)
	}
	switch node.ShortTag() {
	case yaml.NodeTagNull:
		return "null"
	case yaml.NodeTagBool:
		return "bool"
	case yaml.NodeTagInt, yaml.NodeTagFloat:
		return "number"
	case yaml.NodeTagString:
		return "string"
	}
	return "tagged value"
}

// NestedString is the string at path in obj, telling a missing field (found false; null counts
// as missing) from one of another type (an error: "field data.value is a sequence, want a
// string"). fn.SubObject.NestedString reports both alike.
func NestedString(obj *fn.SubObject, path ...string) (value string, found bool, err error) {
	value, found, err = obj.NestedString(path...)
	if err == nil {
		return value, found, nil
	}
	node, parseErr := yaml.Parse(obj.String())
	if parseErr != nil {
		return "", false, parseErr
	}
	at, lookupErr := node.Pipe(yaml.Lookup(path...))
	if lookupErr != nil || at == nil || typeName(at.YNode()) == "null" {
		return "", false, nil
	}
	return "", true, fmt.Errorf("field %s is a %s, want a string", strings.Join(path, "."), typeName(at.YNode()))
}

// ConfigString is the string at path in the functionConfig cfg. A missing field or one of
// another type is an error in the contract's words, a *fn.Result naming cfg and the field, for
// the function to return (krm.Main writes it as an error result):
// "functionConfig ConfigMap/my-config: missing field data.value".
func ConfigString(cfg *fn.KubeObject, path ...string) (string, error) {
	value, found, err := NestedString(&cfg.SubObject, path...)
	label := "functionConfig " + cfg.GetKind() + "/" + cfg.GetName()
	field := strings.Join(path, ".")
	switch {
	case err != nil:
		return "", configError(cfg, field, label+": "+err.Error())
	case !found:
		return "", configError(cfg, field, label+": missing field "+field)
	}
	return value, nil
}

func configError(cfg *fn.KubeObject, field, message string) *fn.Result {
	return ResultAt(cfg, fn.Error, field, message)
}

// ResultAt is a result about obj (its resourceRef) and, when path is not empty, its field.
func ResultAt(obj *fn.KubeObject, severity fn.Severity, path, message string) *fn.Result {
	result := &fn.Result{
		Message:  message,
		Severity: severity,
		ResourceRef: &fn.ResourceRef{
			APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind(),
			Name: obj.GetName(), Namespace: obj.GetNamespace(),
		},
	}
	if path != "" {
		result.Field = &fn.Field{Path: path}
	}
	return result
}
