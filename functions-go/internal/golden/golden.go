// Package golden runs a function's testdata/<case>/ directories natively (go test), in the
// layout every language shares:
//
//	resources.yaml          input items (multi-document YAML)
//	fn-config.yaml          optional functionConfig
//	expected.yaml           expected output items, or for failure cases
//	expected-results.yaml   the expected results list, and
//	expected-exit-code      the expected exit code
//
// Items and results are compared as data (comments, quoting, key order and item order not). Each case runs
// twice: with the ResourceList as YAML assembled from the case files' text (so that their
// comments reach the function, as the runner sends them) and as JSON. Set KRM_UPDATE_GOLDEN=1 to
// rewrite expected.yaml / expected-results.yaml / expected-exit-code from the actual output
// (prefer the runner's pytest form: this writes sigs.k8s.io/yaml's formatting).
package golden

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"krm-wasm.dev/functions-go/internal/krm"
	"sigs.k8s.io/yaml"
)

// RunFunc is a function's bytes-to-bytes core.
type RunFunc func(input []byte) (output []byte, exitCode int, err error)

// SDK is the RunFunc of a processor written on kpt's Go SDK: fn.Run, exit code 1 when it
// reports failure (as fn.AsMain exits).
func SDK(p fn.ResourceListProcessor) RunFunc {
	return func(input []byte) ([]byte, int, error) {
		out, err := fn.Run(p, input)
		if err != nil && out == nil {
			return nil, 1, err
		}
		if err != nil {
			return out, 1, nil
		}
		return out, 0, nil
	}
}

// KRM is the RunFunc of a processor run by internal/krm (krm.Main), as functions-go's are.
func KRM(p fn.ResourceListProcessor) RunFunc {
	return func(input []byte) ([]byte, int, error) { return krm.Run(p, input) }
}

// Check runs every case under testdata/ through run in each input variant ("yaml-text",
// "json"), or only in the variants named.
func Check(t *testing.T, run RunFunc, only ...string) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "*", "resources.yaml"))
	if len(dirs) == 0 {
		t.Fatal("no testdata/<case>/resources.yaml found")
	}
	for _, res := range dirs {
		dir := filepath.Dir(res)
		text := TextInput(t, dir)
		jsonIn, err := yaml.YAMLToJSON(text)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		variants := []struct{ format, text string }{
			{"yaml-text", string(text)}, {"json", string(jsonIn)},
		}
		for _, in := range variants {
			if len(only) > 0 && !contains(only, in.format) {
				continue
			}
			t.Run(filepath.Base(dir)+"/"+in.format, func(t *testing.T) {
				checkCase(t, dir, run, []byte(in.text))
			})
		}
	}
}

// TextInput assembles the ResourceList of a case directory as YAML text, keeping the files'
// comments: each document of resources.yaml becomes an indented "- " entry of items.
func TextInput(t *testing.T, dir string) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for _, doc := range splitDocs(string(read(t, filepath.Join(dir, "resources.yaml")))) {
		b.WriteString(indent(doc, "- "))
	}
	if cfg := filepath.Join(dir, "fn-config.yaml"); exists(cfg) {
		b.WriteString("functionConfig:\n")
		b.WriteString(indent(string(read(t, cfg)), "  "))
	}
	return b.Bytes()
}

// splitDocs splits a YAML stream's text at its "---" lines, dropping empty documents.
func splitDocs(text string) []string {
	var docs []string
	var cur []string
	flush := func() {
		doc := strings.Join(cur, "\n")
		if strings.TrimSpace(doc) != "" {
			docs = append(docs, doc+"\n")
		}
		cur = nil
	}
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if line == "---" || strings.HasPrefix(line, "--- ") {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return docs
}

// indent prefixes the first line with first and the others with as many spaces.
func indent(doc, first string) string {
	lines := strings.Split(strings.TrimRight(doc, "\n"), "\n")
	pad := strings.Repeat(" ", len(first))
	for i, line := range lines {
		switch {
		case i == 0:
			lines[i] = first + line
		case line != "":
			lines[i] = pad + line
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func checkCase(t *testing.T, dir string, run RunFunc, input []byte) {
	out, code, err := run(input)
	if err != nil {
		t.Fatalf("the function rejected its input: %v", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(out, &doc); err != nil || doc["kind"] != "ResourceList" {
		t.Fatalf("the output is not a ResourceList: %v\n%s", err, out)
	}
	results, _ := doc["results"].([]any)
	if results == nil {
		results = []any{}
	}
	items, _ := doc["items"].([]any)
	if items == nil {
		items = []any{}
	}
	wantCodeFile := filepath.Join(dir, "expected-exit-code")
	wantResultsFile := filepath.Join(dir, "expected-results.yaml")
	wantItemsFile := filepath.Join(dir, "expected.yaml")

	if os.Getenv("KRM_UPDATE_GOLDEN") == "1" {
		if code != 0 || exists(wantResultsFile) {
			write(t, wantResultsFile, encode(t, results))
			write(t, wantCodeFile, []byte(strconv.Itoa(code)+"\n"))
		}
		if code == 0 || exists(wantItemsFile) {
			var docs [][]byte
			for _, item := range items {
				docs = append(docs, encode(t, item))
			}
			write(t, wantItemsFile, bytes.Join(docs, []byte("---\n")))
		}
		return
	}

	wantCode := 0
	if exists(wantCodeFile) {
		wantCode, err = strconv.Atoi(strings.TrimSpace(string(read(t, wantCodeFile))))
		if err != nil {
			t.Fatalf("%s: %v", wantCodeFile, err)
		}
	}
	if code != wantCode {
		t.Errorf("exit code %d, want %d; results:\n%s", code, wantCode, encode(t, results))
	}
	if exists(wantResultsFile) {
		docs := readDocs(t, wantResultsFile)
		if len(docs) != 1 {
			t.Fatalf("%s: want one document", wantResultsFile)
		}
		same(t, "results", docs[0], results)
	}
	if exists(wantItemsFile) {
		// As a set: kpt's SDK sorts the items by their path/index annotations, which the case
		// files do not carry (the runner's items do, and tests/test_golden.py checks the order).
		same(t, "items", sorted(t, readDocs(t, wantItemsFile)), sorted(t, items))
	}
}

func sorted(t *testing.T, items []any) []string {
	t.Helper()
	out := make([]string, len(items))
	for i, item := range items {
		data, err := json.Marshal(item)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(data)
	}
	sort.Strings(out)
	return out
}

func encode(t *testing.T, value any) []byte {
	t.Helper()
	out, err := yaml.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// same compares as data: both sides through JSON (map keys sorted).
func same(t *testing.T, what string, want, got any) {
	t.Helper()
	w, err1 := json.Marshal(want)
	g, err2 := json.Marshal(got)
	if err1 != nil || err2 != nil || !bytes.Equal(w, g) {
		t.Errorf("%s differ.\ngot:\n%s\nwant:\n%s", what, encode(t, got), encode(t, want))
	}
}

func readDocs(t *testing.T, path string) []any {
	t.Helper()
	docs := []any{}
	for _, text := range splitDocs(string(read(t, path))) {
		var doc any
		if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
	return docs
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}
