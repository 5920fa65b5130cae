package krm

import (
	"errors"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

const head = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"

func TestInputErrors(t *testing.T) {
	for input, want := range map[string]string{
		"apiVersion: v1\nitems: []\n":                "input has no kind, want kind: ResourceList",
		"apiVersion: v1\nkind: List\n":               "input has kind List, want ResourceList",
		head + "items: 3\n":                          "input field items is a number, want a sequence",
		head + "items:\n- kind: ConfigMap\n- true\n": "input items[1] is a bool, want a mapping (a Kubernetes object)",
		head + "functionConfig: [a]\n":               "input field functionConfig is a sequence, want a mapping",
	} {
		out, code, err := Run(fn.ResourceListProcessorFunc(func(*fn.ResourceList) (bool, error) { return true, nil }), []byte(input))
		if err == nil || err.Error() != want || out != nil || code != 1 {
			t.Errorf("%q: got %q, %d, %v; want error %q", input, out, code, err, want)
		}
	}
}

// A failure keeps the input's items, the results added so far, then the failure.
func TestFailureKeepsItems(t *testing.T) {
	input := head + "items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n"
	for name, fail := range map[string]func(){
		"error": nil,
		"panic": func() { panic("boom") },
	} {
		p := fn.ResourceListProcessorFunc(func(rl *fn.ResourceList) (bool, error) {
			_ = rl.Items[0].SetAnnotation("touched", "yes")
			rl.Results = append(rl.Results, &fn.Result{Message: "before", Severity: fn.Warning})
			if fail != nil {
				fail()
			}
			return true, errors.New("failed")
		})
		out, code, err := Run(p, []byte(input))
		text := string(out)
		if err != nil || code != 1 || strings.Contains(text, "touched") || !strings.Contains(text, "message: before") {
			t.Errorf("%s: got %d, %v:\n%s", name, code, err, text)
		}
		if want := map[string]string{"error": "message: failed", "panic": "message: 'function panicked at krm_test.go:"}[name]; !strings.Contains(text, want) {
			t.Errorf("%s: no %q in\n%s", name, want, text)
		}
	}
}

func TestConfigString(t *testing.T) {
	cfg, err := fn.ParseKubeObject([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  s: x\n  l: [1]\n  n: null\n"))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := ConfigString(cfg, "data", "s"); v != "x" || err != nil {
		t.Errorf("data.s: %q, %v", v, err)
	}
	for path, want := range map[string]string{
		"l": "functionConfig ConfigMap/c: field data.l is a sequence, want a string",
		"n": "functionConfig ConfigMap/c: missing field data.n",
		"m": "functionConfig ConfigMap/c: missing field data.m",
	} {
		_, err := ConfigString(cfg, "data", path)
		var result *fn.Result
		if !errors.As(err, &result) || result.Message != want || result.Field.Path != "data."+path || result.ResourceRef.Name != "c" {
			t.Errorf("data.%s: %v, want %q", path, err, want)
		}
	}
}
