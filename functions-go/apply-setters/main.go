// Command apply-setters sets field values marked with kpt setter comments, with the semantics of
// kpt's catalog function gcr.io/kpt-fn/apply-setters:v0.2.0 (its applysetters package), on
// kpt's Go SDK. tests/conformance runs it against kpt's own build. The functionConfig is a
// ConfigMap whose data maps setter names to values; in the items,
//
//	replicas: 1 # kpt-set: ${replicas}
//	image: nginx:1.0 # kpt-set: ${image}:${tag}
//	- value # kpt-set: ${name}
//	args: # kpt-set: ${args}
//	  - a
//
// a field whose comment names at least one given setter gets the comment's pattern with the
// setters replaced; a setter the config does not give takes the part of the current value in
// its place (image "nginx:1.0" and only tag given keeps "nginx"), and when it cannot be derived
// the function fails. A list field marked with one setter takes the setter's value as a YAML
// list ("[a, b]"; "" empties it). As in kpt, a scalar's value is retyped as YAML reads it (a
// plain "7" becomes a number; a quoted field stays a string). Each field set gives an info
// result; none gives "no matches for input setter(s)", as kpt does (also without a config).
// The SDK keeps comments; the runner keeps the rest of the text.
package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"krm-wasm.dev/functions-go/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

const setterPrefix = "# kpt-set: "

var setterRef = regexp.MustCompile(`\$\{([^}]*)\}`)

func main() {
	krm.Main(fn.ResourceListProcessorFunc(process))
}

func process(rl *fn.ResourceList) (bool, error) {
	a := applier{setters: readSetters(rl.FunctionConfig), rl: rl}
	for i, obj := range rl.Items {
		node := obj.CopyToResourceNode()
		a.obj, a.changed = obj, false
		if err := a.walk(node.YNode(), ""); err != nil {
			rl.Results = append(rl.Results, krm.ResultAt(obj, fn.Error, err.path,
				fmt.Sprintf("failed to apply setters: %s: %s", obj.ShortString(), err.message)))
			return false, nil
		}
		if a.changed {
			rl.Items[i] = fn.MoveToKubeObject(node)
		}
	}
	if a.count == 0 {
		rl.Results = append(rl.Results, &fn.Result{Message: "no matches for input setter(s)", Severity: fn.Info})
	}
	return true, nil
}

// setter is one name and value of functionConfig.data, in name order (kpt's is a map's).
type setter struct{ name, value string }

// readSetters reads functionConfig.data's values as text (kyaml's GetDataMap); no config, or
// one without data, gives none, as in kpt.
func readSetters(cfg *fn.KubeObject) []setter {
	var setters []setter
	if cfg == nil {
		return nil
	}
	data := cfg.CopyToResourceNode().GetDataMap()
	for name, value := range data {
		setters = append(setters, setter{name, value})
	}
	sort.Slice(setters, func(i, j int) bool { return setters[i].name < setters[j].name })
	return setters
}

type applier struct {
	setters []setter
	obj     *fn.KubeObject
	rl      *fn.ResourceList
	changed bool
	count   int
}

type fieldError struct{ path, message string }

// walk visits node as kpt's acceptImpl does: a mapping's list fields first, then each field.
func (a *applier) walk(node *yaml.Node, path string) *fieldError {
	switch node.Kind {
	case yaml.DocumentNode:
		for _, child := range node.Content {
			if err := a.walk(child, path); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(node.Content); i += 2 {
			if err := a.setList(node.Content[i], node.Content[i+1], path); err != nil {
				return err
			}
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			if err := a.walk(node.Content[i+1], path+"."+node.Content[i].Value); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, item := range node.Content {
			if err := a.walk(item, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		return a.setScalar(node, path)
	}
	return nil
}

func pattern(comment string) string {
	if !strings.HasPrefix(comment, setterPrefix) {
		return ""
	}
	return strings.TrimSpace(strings.TrimPrefix(comment, setterPrefix))
}

// given is whether pattern names at least one setter of the config.
func (a *applier) given(pattern string) bool {
	for _, s := range a.setters {
		if strings.Contains(pattern, "${"+s.name+"}") {
			return true
		}
	}
	return false
}

// setList sets a list field marked on its key ("args: # kpt-set: ${args}") or, in flow style,
// on its value ("args: [a] # kpt-set: ${args}").
func (a *applier) setList(key, value *yaml.Node, path string) *fieldError {
	if value.Kind != yaml.SequenceNode {
		return nil
	}
	comment := key.LineComment
	if value.Style == yaml.FlowStyle {
		comment = value.LineComment
	}
	p := pattern(comment)
	if p == "" || !a.given(p) {
		return nil
	}
	field := strings.TrimPrefix(path+"."+key.Value, ".")
	refs := setterRef.FindAllString(p, -1)
	if len(refs) != 1 || !strings.HasPrefix(p, "${") || !strings.HasSuffix(p, "}") {
		return &fieldError{field, fmt.Sprintf("invalid setter pattern for array node: %q", p)}
	}
	raw := a.value(strings.TrimSuffix(strings.TrimPrefix(p, "${"), "}"))
	if raw == "" {
		value.Content = []*yaml.Node{}
		value.Style = yaml.FlowStyle // an empty list is written "[]", the comment after it
		value.LineComment, key.LineComment = comment, ""
	} else {
		parsed, err := yaml.Parse(raw)
		if err != nil || parsed.YNode().Kind != yaml.SequenceNode {
			return &fieldError{field, fmt.Sprintf("input to array setter must be an array of values, but found %q", raw)}
		}
		value.Content = parsed.YNode().Content
		value.Style = 0
		key.LineComment, value.LineComment = comment, ""
	}
	a.record(field, raw)
	return nil
}

func (a *applier) value(name string) string {
	for _, s := range a.setters {
		if s.name == name {
			return s.value
		}
	}
	return ""
}

func (a *applier) setScalar(node *yaml.Node, path string) *fieldError {
	p := pattern(node.LineComment)
	if p == "" || !a.given(p) {
		return nil
	}
	value := p
	for _, s := range a.setters {
		value = strings.ReplaceAll(value, "${"+s.name+"}", s.value)
	}
	for name, current := range currentValues(p, node.Value) {
		value = strings.ReplaceAll(value, "${"+name+"}", current)
	}
	field := strings.TrimPrefix(path, ".")
	if missing := setterRef.FindAllString(value, -1); len(missing) > 0 {
		return &fieldError{field, fmt.Sprintf("values for setters %v must be provided", missing)}
	}
	node.Value = value
	if value == "" {
		node.Style = yaml.DoubleQuotedStyle
	}
	node.Tag = "" // as kpt: the value is typed as YAML reads it (a quoted one stays a string)
	a.record(field, value)
	return nil
}

// currentValues derives each setter of pattern from the field's current value, as kpt's
// currentSetterValues does (empty when they cannot all be derived).
func currentValues(pattern, current string) map[string]string {
	refs := setterRef.FindAllString(pattern, -1)
	expr := regexp.QuoteMeta(pattern)
	for _, ref := range refs {
		expr = strings.ReplaceAll(expr, regexp.QuoteMeta(ref), `(?P<x>.*)`)
	}
	values := map[string]string{}
	re, err := regexp.Compile(expr)
	if err != nil {
		return values
	}
	match := re.FindStringSubmatch(current)
	if len(match) == 0 || len(match)-1 != len(refs) {
		return values
	}
	for i, v := range match[1:] {
		if v == "" {
			return map[string]string{}
		}
		values[strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(refs[i]), "${"), "}")] = v
	}
	return values
}

func (a *applier) record(path, value string) {
	a.changed = true
	a.count++
	a.rl.Results = append(a.rl.Results, krm.ResultAt(a.obj, fn.Info, path, fmt.Sprintf("set field value to %q", value)))
}
