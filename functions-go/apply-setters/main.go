// Command apply-setters sets field values marked with kpt setter comments, like kpt's
// apply-setters. The functionConfig is a ConfigMap whose data maps setter names to values;
// in the items,
//
//	replicas: 1 # kpt-set: ${replicas}
//	image: nginx:1.0 # kpt-set: ${image}:${tag}
//	- value # kpt-set: ${name}
//
// get the comment's pattern with every ${setter} replaced by its value. Only scalars are set
// (not the sequence setters of kpt). A field whose pattern names a setter the ConfigMap does
// not define is left as it is, as kpt does. Each field set gives an info result.
//
// The function reads comments, so it wants YAML input (metadata.yaml: input: yaml) and edits
// the input text in place: only the values it sets change, every comment and all formatting
// stay. A field that was a string stays a string (the value is quoted when needed); a number
// or boolean field takes the value as YAML would type it (replicas: 4, not "4").
// JSON input has no comments, so it only has its functionConfig checked.
package main

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"krm-wasm.dev/functions-go/krmfn"
)

func main() { krmfn.AsMainRaw(process) }

var (
	setterComment = regexp.MustCompile(`^kpt-set:\s*(.+?)\s*$`)
	setterRef     = regexp.MustCompile(`\$\{([^{}]+)\}`)
)

// process is the function as bytes to bytes (see krmfn.Run for the contract).
func process(input []byte) ([]byte, int, error) {
	_, format, err := krmfn.ParseResourceList(input)
	if err != nil {
		return nil, 1, err
	}
	var docs []any
	var spans []krmfn.ScalarSpan
	if format == krmfn.FormatYAML { // JSON has no comments: do not parse it a second time
		docs, spans, err = krmfn.ParseYAMLScalars(input)
	}
	if format == krmfn.FormatJSON || err != nil || len(docs) != 1 || !blockMappingAtColumn0(input) {
		// no comments to read: only check the functionConfig
		return krmfn.Run(func(rl *krmfn.ResourceList) error { readSetters(rl); return nil }, input)
	}
	rl, err := krmfn.NewResourceList(docs[0])
	if err != nil {
		return nil, 1, err
	}
	setters, ok := readSetters(rl)
	if !ok {
		out, err := rl.Marshal(krmfn.FormatYAML)
		return out, rl.ExitCode(), err
	}
	out := applyEdits(input, rl, setters, spans)
	if len(rl.Results) > 0 {
		out = appendResults(out, rl)
	}
	return out, rl.ExitCode(), nil
}

// readSetters reads functionConfig.data, recording an error result when it is unusable.
func readSetters(rl *krmfn.ResourceList) (map[string]string, bool) {
	cfg := rl.FunctionConfig
	if cfg == nil {
		rl.Results.Errorf("functionConfig is missing: apply-setters needs a ConfigMap whose data maps setter names to values")
		return nil, false
	}
	data, ok := cfg.GetMap("data")
	if !ok || data.Len() == 0 {
		rl.Results.Errorf("functionConfig %s has no data: it must map setter names to values", cfg).
			For(cfg).AtField("data")
		return nil, false
	}
	setters := map[string]string{}
	for _, e := range data.Entries() {
		text, ok := krmfn.ScalarText(e.Value)
		if !ok {
			rl.Results.Errorf("setter %q in functionConfig %s must be a scalar value", e.Key, cfg).
				For(cfg).AtField("data." + e.Key)
			continue
		}
		setters[e.Key] = text
	}
	return setters, !rl.Results.HasErrors()
}

type edit struct {
	start, end int
	text       string
}

// applyEdits replaces the text of every marked scalar of the items and records info results.
func applyEdits(input []byte, rl *krmfn.ResourceList, setters map[string]string, spans []krmfn.ScalarSpan) []byte {
	var edits []edit
	for _, span := range spans {
		if span.Comment == "" || len(span.Path) < 3 || span.Path[0] != "items" {
			continue
		}
		index, ok := span.Path[1].(int)
		if !ok || index >= len(rl.Items) {
			continue
		}
		m := setterComment.FindStringSubmatch(span.Comment)
		if m == nil {
			continue
		}
		value, complete := substitute(m[1], setters)
		if !complete {
			continue
		}
		text := render(value, span)
		if text == string(input[span.Start:span.End]) {
			continue
		}
		edits = append(edits, edit{span.Start, span.End, text})
		rl.Results.Infof("set field value to %q", value).For(rl.Items[index]).AtField(fieldPath(span.Path[2:]))
	}
	var out bytes.Buffer
	last := 0
	for _, e := range edits { // spans come in source order
		out.Write(input[last:e.start])
		out.WriteString(e.text)
		last = e.end
	}
	out.Write(input[last:])
	return out.Bytes()
}

// substitute replaces each ${name} of pattern; complete is false when a setter is undefined.
func substitute(pattern string, setters map[string]string) (string, bool) {
	complete := true
	value := setterRef.ReplaceAllStringFunc(pattern, func(ref string) string {
		v, ok := setters[ref[2:len(ref)-1]]
		if !ok {
			complete = false
		}
		return v
	})
	return value, complete
}

// render writes value in the place of the scalar span, keeping its type and quoting style.
func render(value string, span krmfn.ScalarSpan) string {
	if _, wasString := span.Value.(string); !wasString {
		if _, isString := krmfn.ResolvePlain(value).(string); !isString {
			return value // a number, boolean or null: plain, typed as YAML types it
		}
		return krmfn.FormatString(value)
	}
	switch {
	case span.Style == krmfn.StyleDoubleQuoted:
		return krmfn.DoubleQuote(value)
	case span.Style == krmfn.StyleSingleQuoted && !strings.ContainsAny(value, "\n\r\t"):
		return "'" + strings.ReplaceAll(value, "'", "''") + "'"
	default:
		return krmfn.FormatString(value)
	}
}

// fieldPath renders a path as spec.containers[0].image.
func fieldPath(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch x := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", x)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, x)
		}
	}
	return b.String()
}

// blockMappingAtColumn0 reports whether the document is a block mapping with keys at column 0,
// so that a "results:" block can be appended to it as text.
func blockMappingAtColumn0(input []byte) bool {
	for _, line := range strings.Split(string(input), "\n") {
		t := strings.TrimRight(line, " \t\r")
		if t == "" || t == "---" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "%") {
			continue
		}
		return t[0] != ' ' && t[0] != '{' && t[0] != '[' && t[0] != '-'
	}
	return false
}

// appendResults adds this run's results to the document's text (before a final "..." if any).
// When the input already has results, they are written back as they were and this run's
// results are left out (the text of the old ones cannot be extended safely).
func appendResults(text []byte, rl *krmfn.ResourceList) []byte {
	docs, err := krmfn.ParseYAML(text)
	if err == nil && len(docs) == 1 {
		if m, ok := docs[0].(*krmfn.Map); ok && m.Has("results") {
			return text
		}
	}
	results, _ := rl.Document().Get("results")
	block := krmfn.EncodeYAML(krmfn.NewMap("results", results))
	body := bytes.TrimRight(text, " \t\r\n")
	tail := []byte{}
	if bytes.HasSuffix(body, []byte("\n...")) {
		body, tail = body[:len(body)-3], []byte("...\n")
	}
	out := append(append([]byte{}, body...), '\n')
	out = append(out, block...)
	return append(out, tail...)
}
