// Package golden runs a function's testdata/<case>/ directories natively (go test), in the
// layout every language shares:
//
//	resources.yaml          input items (multi-document YAML)
//	fn-config.yaml          optional functionConfig
//	expected.yaml           expected output items, or for failure cases
//	expected-results.yaml   the expected results list, and
//	expected-exit-code      the expected exit code
//
// Items and results are compared as data (field order included, comments and quoting not).
// Each case runs three times: with the ResourceList as YAML written by krmfn, as JSON, and as
// YAML assembled from the case files' text so that their comments reach the function. Set KRM_UPDATE_GOLDEN=1 to
// rewrite expected.yaml / expected-results.yaml / expected-exit-code from the actual output.
package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"krm-wasm.dev/functions-go/krmfn"
)

// RunFunc is a function's bytes-to-bytes core (krmfn.Run bound to a processor, or a raw one).
type RunFunc func(input []byte) (output []byte, exitCode int, err error)

// Input builds the ResourceList of a case directory as a value.
func Input(t *testing.T, dir string) *krmfn.Map {
	t.Helper()
	items := readDocs(t, filepath.Join(dir, "resources.yaml"))
	rl := krmfn.NewMap("apiVersion", "config.kubernetes.io/v1", "kind", "ResourceList", "items", items)
	if cfg := filepath.Join(dir, "fn-config.yaml"); exists(cfg) {
		docs := readDocs(t, cfg)
		if len(docs) != 1 {
			t.Fatalf("%s: want one document, got %d", cfg, len(docs))
		}
		rl.Set("functionConfig", docs[0])
	}
	return rl
}

// Check runs every case under testdata/ through run in each input variant ("yaml", "json",
// "yaml-text"), or only in the variants named.
func Check(t *testing.T, run RunFunc, only ...string) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "*", "resources.yaml"))
	if len(dirs) == 0 {
		t.Fatal("no testdata/<case>/resources.yaml found")
	}
	for _, res := range dirs {
		dir := filepath.Dir(res)
		rl := Input(t, dir)
		yamlIn := krmfn.EncodeYAML(rl)
		jsonIn, err := krmfn.EncodeJSON(rl)
		if err != nil {
			t.Fatal(err)
		}
		variants := []struct{ format, text string }{
			{"yaml", string(yamlIn)}, {"json", string(jsonIn)}, {"yaml-text", string(TextInput(t, dir))},
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
	rl, _, err := krmfn.ParseResourceList(out)
	if err != nil {
		t.Fatalf("the output is not a ResourceList: %v\n%s", err, out)
	}
	doc := rl.Document()
	results, _ := doc.Get("results")
	if results == nil {
		results = []any{}
	}
	items, _ := doc.Get("items")
	wantCodeFile := filepath.Join(dir, "expected-exit-code")
	wantResultsFile := filepath.Join(dir, "expected-results.yaml")
	wantItemsFile := filepath.Join(dir, "expected.yaml")

	if os.Getenv("KRM_UPDATE_GOLDEN") == "1" {
		if code != 0 || exists(wantResultsFile) {
			write(t, wantResultsFile, krmfn.EncodeYAML(results))
			write(t, wantCodeFile, []byte(strconv.Itoa(code)+"\n"))
		}
		if code == 0 || exists(wantItemsFile) {
			var docs [][]byte
			for _, item := range items.([]any) {
				docs = append(docs, krmfn.EncodeYAML(item))
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
		t.Errorf("exit code %d, want %d; results:\n%s", code, wantCode, krmfn.EncodeYAML(results))
	}
	if exists(wantResultsFile) {
		docs := readDocs(t, wantResultsFile)
		if len(docs) != 1 {
			t.Fatalf("%s: want one document", wantResultsFile)
		}
		same(t, "results", docs[0], results)
	}
	if exists(wantItemsFile) {
		same(t, "items", readDocs(t, wantItemsFile), items)
	}
}

func same(t *testing.T, what string, want, got any) {
	t.Helper()
	w, err1 := krmfn.EncodeJSON(want)
	g, err2 := krmfn.EncodeJSON(got)
	if err1 != nil || err2 != nil || !bytes.Equal(w, g) {
		t.Errorf("%s differ.\ngot:\n%s\nwant:\n%s", what, krmfn.EncodeYAML(got), krmfn.EncodeYAML(want))
	}
}

func readDocs(t *testing.T, path string) []any {
	t.Helper()
	docs, err := krmfn.ParseYAML(read(t, path))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if docs == nil {
		docs = []any{}
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
