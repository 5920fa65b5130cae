package krmfn

import (
	"errors"
	"strings"
	"testing"
)

const rlYAML = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: a
    annotations:
      internal.config.kubernetes.io/path: cm.yaml
      internal.config.kubernetes.io/index: "1"
  data:
    k: v
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: cfg
  data:
    value: x
`

func setLabel(rl *ResourceList) error {
	v, _ := rl.FunctionConfig.GetString("data", "value")
	for _, obj := range rl.Items {
		if err := obj.SetLabel("set", v); err != nil {
			return err
		}
	}
	return nil
}

func TestRunYAML(t *testing.T) {
	out, code, err := Run(setLabel, []byte(rlYAML))
	if err != nil || code != 0 {
		t.Fatalf("Run: code %d, err %v", code, err)
	}
	want := strings.Replace(rlYAML, "      internal.config.kubernetes.io/index: \"1\"\n",
		"      internal.config.kubernetes.io/index: \"1\"\n    labels:\n      set: x\n", 1)
	if string(out) != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

func TestRunJSONInJSONOut(t *testing.T) {
	in := `{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[{"kind":"A","metadata":{"name":"n"},"spec":{"f":1.0}}],"functionConfig":{"data":{"value":"<y>"}}}`
	out, code, err := Run(setLabel, []byte(in))
	if err != nil || code != 0 {
		t.Fatalf("Run: code %d, err %v", code, err)
	}
	want := `{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[{"kind":"A","metadata":{"name":"n","labels":{"set":"<y>"}},"spec":{"f":1.0}}],"functionConfig":{"data":{"value":"<y>"}}}` + "\n"
	if string(out) != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

func TestRunResults(t *testing.T) {
	out, code, err := Run(func(rl *ResourceList) error {
		rl.Results.Warningf("look at %s", rl.Items[0]).For(rl.Items[0]).AtField("data.k")
		rl.Results.Errorf("bad").For(rl.FunctionConfig).AtField("data.value")
		return nil
	}, []byte(rlYAML))
	if err != nil || code != 1 {
		t.Fatalf("Run: code %d, err %v", code, err)
	}
	want := `results:
- message: look at ConfigMap/a
  severity: warning
  resourceRef:
    apiVersion: v1
    kind: ConfigMap
    name: a
  field:
    path: data.k
  file:
    path: cm.yaml
    index: 1
- message: bad
  severity: error
  resourceRef:
    apiVersion: v1
    kind: ConfigMap
    name: cfg
  field:
    path: data.value
`
	if !strings.HasSuffix(string(out), want) || !strings.HasPrefix(string(out), rlYAML) {
		t.Errorf("output:\n%s\nwant the input followed by:\n%s", out, want)
	}
}

func TestRunProcessorErrorAndPanic(t *testing.T) {
	for name, p := range map[string]Processor{
		"error": func(*ResourceList) error { return errors.New("boom") },
		"panic": func(rl *ResourceList) error {
			var m map[string]int
			m["x"] = 1 // a nil map write panics
			return nil
		},
	} {
		out, code, err := Run(p, []byte(rlYAML))
		if err != nil || code != 1 {
			t.Errorf("%s: code %d, err %v", name, code, err)
			continue
		}
		rl, _, err := ParseResourceList(out)
		if err != nil {
			t.Fatalf("%s: output does not parse: %v", name, err)
		}
		if len(rl.Items) != 1 || rl.Items[0].Name() != "a" {
			t.Errorf("%s: items were not written back", name)
		}
		results, _ := rl.Document().Get("results")
		msg, _ := results.([]any)[0].(*Map).Get("message")
		if name == "error" && msg != "boom" || name == "panic" && !strings.Contains(msg.(string), "nil map") {
			t.Errorf("%s: result message %q", name, msg)
		}
	}
}

func TestRunMalformedConfig(t *testing.T) {
	in := "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig: [1]\n"
	called := false
	out, code, err := Run(func(*ResourceList) error { called = true; return nil }, []byte(in))
	if err != nil || code != 1 || called {
		t.Fatalf("code %d, err %v, processor called: %v", code, err, called)
	}
	if !strings.Contains(string(out), "functionConfig must be a mapping") {
		t.Errorf("output: %s", out)
	}
}

func TestRunBadInput(t *testing.T) {
	for _, in := range []string{"a: [", "{\"a\": ]", "- 1\n", "kind: Pod\n", "items: 3\n", "items: [1]\n", "a: 1\n---\nb: 2\n"} {
		out, code, err := Run(setLabel, []byte(in))
		if err == nil || code != 1 || out != nil {
			t.Errorf("%q: want an error, got code %d, err %v, out %q", in, code, err, out)
		}
	}
}

func TestKubeObject(t *testing.T) {
	obj := NewKubeObject(nil)
	if err := obj.SetNamespace("ns"); err != nil {
		t.Fatal(err)
	}
	_ = obj.SetName("n")
	_ = obj.SetAnnotation("b", "2")
	_ = obj.SetAnnotation("a", "1")
	if obj.Namespace() != "ns" || obj.Name() != "n" || obj.Annotations()["a"] != "1" {
		t.Errorf("getters: %s", EncodeYAML(obj.Map()))
	}
	if got := string(EncodeYAML(obj.Map())); got != "metadata:\n  namespace: ns\n  name: \"n\"\n  annotations:\n    b: \"2\"\n    a: \"1\"\n" {
		t.Errorf("order: %s", got)
	}
	_ = obj.Set("x", "spec", "s")
	if err := obj.Set(1, "spec", "s", "deeper"); err == nil || !strings.Contains(err.Error(), "spec.s is a string") {
		t.Errorf("Set through a string: %v", err)
	}
	if !obj.Remove("spec", "s") || obj.Remove("spec", "s") {
		t.Error("Remove")
	}
	if _, ok := obj.GetString("metadata", "missing"); ok {
		t.Error("GetString of a missing field")
	}
}
