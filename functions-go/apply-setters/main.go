// Command apply-setters sets field values marked with kpt setter comments, like kpt's
// apply-setters, on kpt's Go SDK. The functionConfig is a ConfigMap whose data maps setter names
// to values; in the items,
//
//	replicas: 1 # kpt-set: ${replicas}
//	image: nginx:1.0 # kpt-set: ${image}:${tag}
//	- value # kpt-set: ${name}
//	args: # kpt-set: ${args}
//	  - a
//
// get the comment's pattern with every ${setter} replaced by its value; a list field marked with
// one setter takes the setter's value as a YAML list ("[a, b]"). A field whose pattern names a
// setter the ConfigMap does not define is left as it is, as kpt does. Each field set gives an
// info result. A field that was a string stays a string; a number or boolean field takes the
// value as YAML types it (replicas: 4, not "4"). The SDK keeps comments; the runner keeps the
// rest of the text.
package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func main() {
	if err := fn.AsMain(fn.ResourceListProcessorFunc(process)); err != nil {
		os.Exit(1)
	}
}

var (
	setterComment = regexp.MustCompile(`^#?\s*kpt-set:\s*(.+?)\s*$`)
	setterRef     = regexp.MustCompile(`\$\{([^{}]+)\}`)
	wholeSetter   = regexp.MustCompile(`^\$\{([^{}]+)\}$`)
)

func process(rl *fn.ResourceList) (bool, error) {
	setters, ok := readSetters(rl)
	if !ok {
		return false, nil
	}
	for i, obj := range rl.Items {
		node := obj.CopyToResourceNode()
		a := applier{setters: setters, obj: obj, rl: rl}
		a.walk(node.YNode(), nil)
		if a.changed {
			rl.Items[i] = fn.MoveToKubeObject(node)
		}
	}
	return rl.Results.ExitCode() == 0, nil
}

// readSetters reads functionConfig.data, recording an error result when it is unusable.
func readSetters(rl *fn.ResourceList) (map[string]string, bool) {
	cfg := rl.FunctionConfig
	if cfg == nil || cfg.IsEmpty() {
		rl.Results.Errorf("functionConfig is missing: apply-setters needs a ConfigMap whose data maps setter names to values")
		return nil, false
	}
	data, found, err := cfg.NestedStringMap("data")
	if err != nil || !found || len(data) == 0 {
		rl.Results = append(rl.Results, result(cfg, fn.Error, "data",
			fmt.Sprintf("functionConfig %s/%s has no data: it must map setter names to values",
				cfg.GetKind(), cfg.GetName())))
		return nil, false
	}
	return data, true
}

type applier struct {
	setters map[string]string
	obj     *fn.KubeObject
	rl      *fn.ResourceList
	changed bool
}

func (a *applier) walk(node *yaml.Node, path []string) {
	switch node.Kind {
	case yaml.DocumentNode:
		for _, child := range node.Content {
			a.walk(child, path)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(node.Content); i += 2 {
			key, value := node.Content[i], node.Content[i+1]
			child := append(append([]string{}, path...), key.Value)
			comment := value.LineComment
			if comment == "" && value.Kind == yaml.SequenceNode {
				comment = key.LineComment // "args: # kpt-set: ${args}" sits on the key
			}
			a.set(value, comment, child)
			a.walk(value, child)
		}
	case yaml.SequenceNode:
		for i, item := range node.Content {
			index := append([]string{}, path...)
			index[len(index)-1] += fmt.Sprintf("[%d]", i)
			a.set(item, item.LineComment, index)
			a.walk(item, index)
		}
	}
}

// set applies the setter pattern of comment, if any, to node.
func (a *applier) set(node *yaml.Node, comment string, path []string) {
	m := setterComment.FindStringSubmatch(strings.TrimSpace(comment))
	if m == nil {
		return
	}
	switch node.Kind {
	case yaml.ScalarNode:
		value, complete := substitute(m[1], a.setters)
		if !complete || value == node.Value {
			return
		}
		wasString := node.Tag == "!!str"
		node.Value = value
		node.Tag = tagOf(value)
		if wasString {
			node.Tag = "!!str"
		}
		if node.Tag == "!!str" && node.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 &&
			tagOf(value) != "!!str" {
			node.Style = yaml.DoubleQuotedStyle // "3" stays a string
		}
		a.record(path, fmt.Sprintf("set field value to %q", value))
	case yaml.SequenceNode:
		name := wholeSetter.FindStringSubmatch(m[1])
		if name == nil {
			return
		}
		raw, ok := a.setters[name[1]]
		if !ok {
			return
		}
		var values []any
		if err := yaml.Unmarshal([]byte(raw), &values); err != nil {
			a.rl.Results = append(a.rl.Results, result(a.obj, fn.Error, strings.Join(path, "."),
				fmt.Sprintf("setter %s: a list field needs a YAML list of values, got %q", name[1], raw)))
			return
		}
		content := make([]*yaml.Node, 0, len(values))
		for _, v := range values {
			text := fmt.Sprint(v)
			content = append(content, &yaml.Node{Kind: yaml.ScalarNode, Value: text, Tag: tagOf(text)})
		}
		node.Content = content
		node.Style = 0
		a.record(path, fmt.Sprintf("set field value to %q", raw))
	}
}

func (a *applier) record(path []string, message string) {
	a.changed = true
	a.rl.Results = append(a.rl.Results, result(a.obj, fn.Info, strings.Join(path, "."), message))
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

// tagOf is the tag YAML gives value written plain (!!int for 3, !!str for "a: b").
func tagOf(value string) string {
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(value), &node); err != nil || len(node.Content) != 1 ||
		node.Content[0].Kind != yaml.ScalarNode || node.Content[0].Value != value {
		return "!!str"
	}
	return node.Content[0].ShortTag()
}

func result(obj *fn.KubeObject, severity fn.Severity, path, message string) *fn.Result {
	return &fn.Result{
		Message:  message,
		Severity: severity,
		ResourceRef: &fn.ResourceRef{
			APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind(),
			Name: obj.GetName(), Namespace: obj.GetNamespace(),
		},
		Field: &fn.Field{Path: path},
	}
}
