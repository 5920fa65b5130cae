package krmfn

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// Format is the serialization of a ResourceList.
type Format int

// The formats. Output is written in the input's format.
const (
	FormatYAML Format = iota
	FormatJSON
)

// ResourceList is the function's input and output (config.kubernetes.io/v1 ResourceList).
type ResourceList struct {
	// Items are the resources, in input order; functions may edit, append or remove them.
	Items []*KubeObject
	// FunctionConfig is nil when the input has none.
	FunctionConfig *KubeObject
	// Results are the findings of this run; they are appended to any the input carried.
	Results Results

	doc             *Map  // the whole input document: apiVersion, kind and unknown fields
	inputResults    []any // results already present in the input
	malformedConfig string
}

// Processor is what a function author writes: read and edit rl, add findings to rl.Results.
// Returning an error records it as an error result (exit code 1); the ResourceList is still
// written. A panic is recovered and reported the same way.
type Processor func(rl *ResourceList) error

// ParseResourceList reads a ResourceList in JSON or YAML and says which it was. Input whose
// first non-blank character is '{' is read as JSON (falling back to YAML flow style).
func ParseResourceList(input []byte) (*ResourceList, Format, error) {
	doc, format, err := decodeDocument(input)
	if err != nil {
		return nil, format, err
	}
	rl, err := NewResourceList(doc)
	return rl, format, err
}

func decodeDocument(input []byte) (any, Format, error) {
	trimmed := bytes.TrimLeft(input, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		v, jsonErr := DecodeJSON(input)
		if jsonErr == nil {
			return v, FormatJSON, nil
		}
		if docs, err := ParseYAML(input); err == nil && len(docs) == 1 {
			return docs[0], FormatYAML, nil
		}
		return nil, FormatJSON, fmt.Errorf("input is not valid JSON: %w", jsonErr)
	}
	docs, err := ParseYAML(input)
	if err != nil {
		return nil, FormatYAML, fmt.Errorf("input is not valid YAML: %w", err)
	}
	if len(docs) != 1 {
		return nil, FormatYAML, fmt.Errorf("input must be one YAML document (a ResourceList), found %d", len(docs))
	}
	return docs[0], FormatYAML, nil
}

// NewResourceList interprets a decoded document as a ResourceList.
func NewResourceList(doc any) (*ResourceList, error) {
	m, ok := doc.(*Map)
	if !ok {
		return nil, fmt.Errorf("input must be a ResourceList mapping, got a %s", typeName(doc))
	}
	rl := &ResourceList{doc: m}
	if kind, ok := m.Get("kind"); ok && kind != "ResourceList" {
		return nil, fmt.Errorf("input has kind %v, expected ResourceList", kind)
	}
	switch items := mustGet(m, "items").(type) {
	case nil:
	case []any:
		for i, item := range items {
			im, ok := item.(*Map)
			if !ok {
				return nil, fmt.Errorf("items[%d] must be a mapping (a resource), got a %s", i, typeName(item))
			}
			rl.Items = append(rl.Items, &KubeObject{m: im})
		}
	default:
		return nil, fmt.Errorf("items must be a sequence, got a %s", typeName(items))
	}
	switch cfg := mustGet(m, "functionConfig").(type) {
	case nil:
	case *Map:
		rl.FunctionConfig = &KubeObject{m: cfg}
	default:
		rl.malformedConfig = fmt.Sprintf("functionConfig must be a mapping (a resource), got a %s", typeName(cfg))
	}
	if prior, ok := mustGet(m, "results").([]any); ok {
		rl.inputResults = prior
	}
	return rl, nil
}

func mustGet(m *Map, key string) any { v, _ := m.Get(key); return v }

// Document returns the ResourceList as a mapping: the input's fields in their order, with
// items, functionConfig and results brought up to date.
func (rl *ResourceList) Document() *Map {
	doc := rl.doc
	if doc == nil {
		doc = &Map{}
	}
	if !doc.Has("apiVersion") || !doc.Has("kind") {
		head := NewMap("apiVersion", "config.kubernetes.io/v1", "kind", "ResourceList")
		for _, e := range doc.entries {
			head.Set(e.Key, e.Value)
		}
		doc = head
	}
	items := make([]any, len(rl.Items))
	for i, obj := range rl.Items {
		items[i] = obj.m
	}
	doc.Set("items", items)
	if rl.FunctionConfig != nil {
		doc.Set("functionConfig", rl.FunctionConfig.m)
	}
	if len(rl.Results) > 0 || rl.inputResults != nil {
		all := append([]any{}, rl.inputResults...)
		for _, r := range rl.Results {
			all = append(all, r.toValue())
		}
		doc.Set("results", all)
	}
	rl.doc = doc
	return doc
}

// Marshal serializes the ResourceList.
func (rl *ResourceList) Marshal(format Format) ([]byte, error) {
	doc := rl.Document()
	if format == FormatJSON {
		out, err := EncodeJSON(doc)
		if err != nil {
			return nil, err
		}
		return append(out, '\n'), nil
	}
	return EncodeYAML(doc), nil
}

// ExitCode is 1 when any result (this run's or the input's) has severity error, else 0.
func (rl *ResourceList) ExitCode() int {
	if rl.Results.HasErrors() {
		return 1
	}
	for _, r := range rl.inputResults {
		if m, ok := r.(*Map); ok && mustGet(m, "severity") == "error" {
			return 1
		}
	}
	return 0
}

// Run is the whole function as a pure bytes-to-bytes call: parse input, call p, write the
// ResourceList in the input's format. exitCode is 1 when a result has severity error. err is
// set only when the input cannot be read as a ResourceList (output is then nil); a failing
// or panicking processor instead becomes an error result.
func Run(p Processor, input []byte) (output []byte, exitCode int, err error) {
	rl, format, err := ParseResourceList(input)
	if err != nil {
		return nil, 1, err
	}
	if rl.malformedConfig != "" {
		rl.Results.Errorf("%s", rl.malformedConfig).AtField("functionConfig")
	} else {
		callProcessor(p, rl)
	}
	out, err := rl.Marshal(format)
	if err != nil {
		// e.g. a .nan in JSON output: report it and still write what can be written
		rl.Results.Errorf("cannot write the output: %v", err)
		if out, err = rl.Marshal(FormatYAML); err != nil {
			return nil, 1, err
		}
	}
	return out, rl.ExitCode(), nil
}

func callProcessor(p Processor, rl *ResourceList) {
	defer func() {
		if r := recover(); r != nil {
			res := rl.Results.Errorf("function panicked: %v", r)
			if site := panicSite(debug.Stack()); site != "" {
				res.WithTag("panic-site", site)
			}
		}
	}()
	if err := p(rl); err != nil {
		rl.Results.Errorf("%v", err)
	}
}

// panicSite picks the first stack frame outside the runtime and this package (where the
// function's own code panicked), as "pkg.func (file:line)".
func panicSite(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	for i := 1; i+1 < len(lines); i += 2 {
		fn := strings.TrimSpace(lines[i])
		if strings.HasPrefix(fn, "runtime") || strings.HasPrefix(fn, "panic(") ||
			strings.Contains(fn, "/krmfn.") || strings.HasPrefix(fn, "testing.") {
			continue
		}
		if j := strings.LastIndex(fn, "("); j > 0 {
			fn = fn[:j]
		}
		file := strings.TrimSpace(lines[i+1])
		if j := strings.LastIndex(file, " +0x"); j > 0 {
			file = file[:j]
		}
		return fn + " (" + file + ")"
	}
	return ""
}

// AsMain runs p as a program: stdin to stdout, exit code as Run's. Input that cannot be read
// is reported on stderr with exit code 1.
func AsMain(p Processor) {
	AsMainRaw(func(input []byte) ([]byte, int, error) { return Run(p, input) })
}

// AsMainRaw is AsMain for a function that handles the bytes itself (e.g. one that edits the
// YAML text to keep comments).
func AsMainRaw(run func(input []byte) ([]byte, int, error)) {
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: reading stdin: %v\n", err)
		os.Exit(1)
	}
	out, code, err := run(input)
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
	if _, err := os.Stdout.Write(out); err != nil {
		fmt.Fprintf(os.Stderr, "error: writing stdout: %v\n", err)
		os.Exit(1)
	}
	os.Exit(code)
}
