package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"krm-wasm.dev/functions-go/internal/golden"
)

var run = golden.KRM(fn.ResourceListProcessorFunc(process))

// Only the text variant carries the comments the function reads.
func TestGolden(t *testing.T) { golden.Check(t, run, "yaml-text") }

// The SDK keeps the comments: each marked value changes, its comment stays.
func TestKeepsComments(t *testing.T) {
	out, code, err := run(golden.TextInput(t, filepath.Join("testdata", "basic")))
	if err != nil || code != 0 {
		t.Fatalf("code %d, err %v", code, err)
	}
	for _, want := range []string{
		"# a Deployment with setters",
		"name: shop # kpt-set: ${name}",
		"tier: backend # no setter here",
		"replicas: 3 # kpt-set: ${replicas}",
		`image: "registry.example.com/shop:2.1" # kpt-set: ${image}:${tag}`,
		"- keep # kpt-set: ${undefined-setter}",
		"- port: 8080 # kpt-set: ${port}",
		"path: spec.template.spec.containers[0].args[1]",
		`message: set field value to "3"`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// A list field marked with one setter takes the setter's value as a YAML list, as kpt's does.
func TestListSetter(t *testing.T) {
	in := `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: p
  spec:
    args: # kpt-set: ${args}
    - old
    ports: [1] # kpt-set: ${ports}
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: setters
  data:
    args: "[a, 'b c']"
    ports: "[80, 443]"
`
	out, code, err := run([]byte(in))
	if err != nil || code != 0 {
		t.Fatalf("code %d, err %v\n%s", code, err, out)
	}
	for _, want := range []string{"- a\n", "- 'b c'\n", "- 80\n", "- 443\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "old") {
		t.Errorf("the old list stayed:\n%s", out)
	}
}

// A setter the config does not give takes its part of the current value, as kpt derives it.
func TestCurrentValues(t *testing.T) {
	got := currentValues("${image}:${tag}", "nginx:1.0")
	if got["image"] != "nginx" || got["tag"] != "1.0" {
		t.Errorf("currentValues = %v", got)
	}
	if got := currentValues("${app}-${env}", "web"); len(got) != 0 {
		t.Errorf("a value that does not fit the pattern gave %v", got)
	}
}
