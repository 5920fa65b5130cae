package main

import (
	"path/filepath"
	"strings"
	"testing"

	"krm-wasm.dev/functions-go/internal/golden"
	"krm-wasm.dev/functions-go/krmfn"
)

// Only the text variant carries the comments the function reads.
func TestGolden(t *testing.T) { golden.Check(t, process, "yaml-text") }

// The output is the input text with only the marked values changed: comments stay.
func TestKeepsCommentsAndText(t *testing.T) {
	dir := filepath.Join("testdata", "basic")
	in := string(golden.TextInput(t, dir))
	out, code, err := process([]byte(in))
	if err != nil || code != 0 {
		t.Fatalf("code %d, err %v", code, err)
	}
	for _, want := range []string{
		"- # a Deployment with setters\n",
		"    name: shop # kpt-set: ${name}\n",
		"    tier: backend # no setter here\n",
		"    replicas: 3 # kpt-set: ${replicas}\n",
		`          image: "registry.example.com/shop:2.1" # kpt-set: ${image}:${tag}` + "\n",
		"          - 'it''s debug' # kpt-set: ${log-level}\n",
		"          - keep # kpt-set: ${undefined-setter}\n",
		"    - port: 8080 # kpt-set: ${port}\n",
		"- message: set field value to \"3\"\n  severity: info\n  resourceRef:\n    apiVersion: apps/v1\n" +
			"    kind: Deployment\n    name: my-app\n  field:\n    path: spec.replicas\n",
		"    path: spec.template.spec.containers[0].args[1]\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// everything before the results is the input with the values replaced
	body := string(out)[:strings.Index(string(out), "results:\n")]
	replaced := strings.NewReplacer("my-app", "shop", "replicas: 1 ", "replicas: 3 ",
		`"nginx:1.0"`, `"registry.example.com/shop:2.1"`, "'info'", "'it''s debug'", "port: 80 ", "port: 8080 ").Replace(in)
	if body != replaced {
		t.Errorf("the text changed beyond the values:\n%s", body)
	}
	rl, _, err := krmfn.ParseResourceList(out)
	if err != nil || len(rl.Results) != 0 || len(rl.Items) != 2 {
		t.Fatalf("output does not read back: %v", err)
	}
}

func TestJSONInput(t *testing.T) {
	out, code, err := process([]byte(`{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[{"a":1}]}`))
	if err != nil || code != 1 || !strings.HasPrefix(string(out), `{"apiVersion"`) ||
		!strings.Contains(string(out), "functionConfig is missing") {
		t.Errorf("code %d, err %v, out %s", code, err, out)
	}
}

func TestRender(t *testing.T) {
	cases := []struct {
		value string
		span  krmfn.ScalarSpan
		want  string
	}{
		{"3", krmfn.ScalarSpan{Value: krmfn.Number("1")}, "3"},
		{"three", krmfn.ScalarSpan{Value: krmfn.Number("1")}, "three"},
		{"3", krmfn.ScalarSpan{Value: "x"}, `"3"`},
		{"a: b", krmfn.ScalarSpan{Value: "x"}, `"a: b"`},
		{"v", krmfn.ScalarSpan{Value: "x", Style: krmfn.StyleDoubleQuoted}, `"v"`},
		{"true", krmfn.ScalarSpan{Value: false}, "true"},
	}
	for _, c := range cases {
		if got := render(c.value, c.span); got != c.want {
			t.Errorf("render(%q, %+v) = %s, want %s", c.value, c.span, got, c.want)
		}
	}
}
