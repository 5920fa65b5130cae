package krmfn

import (
	"errors"
	"strings"
	"testing"
)

// jsonOf renders a value as JSON for compact comparisons.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	out, err := EncodeJSON(v)
	if err != nil {
		t.Fatalf("EncodeJSON: %v", err)
	}
	return string(out)
}

func TestParseYAML(t *testing.T) {
	cases := []struct {
		reason, in, want string
	}{
		{"block mapping keeps key order", "b: 1\na: 2\nc: 3\n", `{"b":1,"a":2,"c":3}`},
		{"nested mapping", "a:\n  b:\n    c: d\n", `{"a":{"b":{"c":"d"}}}`},
		{"compact sequence under a key", "a:\n- 1\n- x\nb: y\n", `{"a":[1,"x"],"b":"y"}`},
		{"indented sequence under a key", "a:\n  - 1\n  - 2\n", `{"a":[1,2]}`},
		{"mapping in sequence", "- name: a\n  image: b\n- name: c\n", `[{"name":"a","image":"b"},{"name":"c"}]`},
		{"sequence in sequence", "- - a\n  - b\n- c\n", `[["a","b"],"c"]`},
		{"empty values", "a:\nb: ~\nc: null\nd: ''\n", `{"a":null,"b":null,"c":null,"d":""}`},
		{"empty sequence entry", "- \n- a\n", `[null,"a"]`},
		{"core schema", "a: true\nb: False\nc: 0x1F\nd: 0o17\ne: -1.5e3\nf: .inf\ng: -.Inf\nh: .NaN\ni: yes\nj: 1_000\nk: 012\nl: 1.\n",
			`{"a":true,"b":false,"c":31,"d":15,"e":-1.5e3,"f":"INF","g":"-INF","h":"NAN","i":"yes","j":"1_000","k":12,"l":1}`},
		{"flow collections", "a: [1, 'two', \"three\", {x: y, z: [ ]}]\nb: {}\n",
			`{"a":[1,"two","three",{"x":"y","z":[]}],"b":{}}`},
		{"multi-line flow", "a: [\n  1,\n  2,   # c\n]\n", `{"a":[1,2]}`},
		{"JSON is YAML", `{"a": {"b": [1, true, null, "s"]}, "c":"d"}`, `{"a":{"b":[1,true,null,"s"]},"c":"d"}`},
		{"double quoted escapes", `a: "tab\there \"q\" \\ \u00e9 \x41 \U0001F600 \/"` + "\n",
			`{"a":"tab\there \"q\" \\ é A 😀 /"}`},
		{"single quoted", "a: 'it''s # not a comment'\n", `{"a":"it's # not a comment"}`},
		{"quoted folding", "a: \"one\n  two\n\n  three\"\n", `{"a":"one two\nthree"}`},
		{"escaped line break", "a: \"one\\\n   two\"\n", `{"a":"onetwo"}`},
		{"plain multi-line", "a: one\n  two\n\n  three\nb: c\n", `{"a":"one two\nthree","b":"c"}`},
		{"plain with colons and hashes", "a: http://x:80/#frag\nb: a#b\n", `{"a":"http://x:80/#frag","b":"a#b"}`},
		{"comments everywhere", "# head\na: 1 # one\n# mid\n  # indented\nb: 2\n", `{"a":1,"b":2}`},
		{"literal", "a: |\n  line1\n    more\n  line3\nb: 1\n", `{"a":"line1\n  more\nline3\n","b":1}`},
		{"literal strip", "a: |-\n  x\n\n", `{"a":"x"}`},
		{"literal keep", "a: |+\n  x\n\n\nb: 1\n", `{"a":"x\n\n\n","b":1}`},
		{"literal indentation indicator", "a: |2\n    x\n  y\n", `{"a":"  x\ny\n"}`},
		{"folded", "a: >\n  one\n  two\n\n  three\n    indented\n  four\n", `{"a":"one two\nthree\n  indented\nfour\n"}`},
		{"folded strip with comment", "a: >- # note\n  x\n  y\nb: z\n", `{"a":"x y","b":"z"}`},
		{"literal in sequence", "- |\n  a\n  b\n- c\n", `["a\nb\n","c"]`},
		{"empty literal", "a: |\nb: 1\n", `{"a":"","b":1}`},
		{"anchors and aliases", "a: &x {k: v}\nb: *x\nc: &s str\nd: *s\n", `{"a":{"k":"v"},"b":{"k":"v"},"c":"str","d":"str"}`},
		{"anchor on block mapping", "a: &m\n  k: v\nb: *m\n", `{"a":{"k":"v"},"b":{"k":"v"}}`},
		{"merge keys", "base: &b {x: 1, y: 2}\nm:\n  y: 3\n  <<: *b\n  z: 4\nq: {<<: [*b, {w: 5}], x: 0}\n\"<<\": kept\n",
			`{"base":{"x":1,"y":2},"m":{"y":3,"x":1,"z":4},"q":{"y":2,"w":5,"x":0},"<<":"kept"}`},
		{"tags", "a: !!str 123\nb: !!int \"7\"\nc: !custom x\nd: ! true\n", `{"a":"123","b":7,"c":"x","d":"true"}`},
		{"document start", "---\na: 1\n", `{"a":1}`},
		{"utf-8", "名前: 値 # コメント\n", `{"名前":"値"}`},
		{"crlf", "a: 1\r\nb:\r\n- x\r\n", `{"a":1,"b":["x"]}`},
		{"quoted keys", "\"a b\": 1\n'c': 2\n", `{"a b":1,"c":2}`},
		{"top-level scalar", "hello\n", `"hello"`},
	}
	for _, c := range cases {
		docs, err := ParseYAML([]byte(c.in))
		if err != nil {
			t.Errorf("%s: ParseYAML(%q): %v", c.reason, c.in, err)
			continue
		}
		if len(docs) != 1 {
			t.Errorf("%s: got %d documents, want 1", c.reason, len(docs))
			continue
		}
		got, err := EncodeJSON(docs[0])
		if err != nil {
			// .inf and .nan have no JSON form: check them as numbers instead
			got = []byte(strings.NewReplacer(`".inf"`, `"INF"`).Replace(jsonOfLoose(docs[0])))
		}
		if string(got) != c.want {
			t.Errorf("%s:\n in: %q\n got:  %s\n want: %s", c.reason, c.in, got, c.want)
		}
	}
}

// jsonOfLoose is EncodeJSON that writes non-finite numbers as INF / -INF / NAN strings.
func jsonOfLoose(v any) string {
	switch x := v.(type) {
	case Number:
		switch strings.ToLower(string(x)) {
		case ".inf", "+.inf":
			return `"INF"`
		case "-.inf":
			return `"-INF"`
		case ".nan":
			return `"NAN"`
		}
		s, _ := jsonNumber(x)
		return s
	case *Map:
		parts := []string{}
		for _, e := range x.Entries() {
			k, _ := EncodeJSON(e.Key)
			parts = append(parts, string(k)+":"+jsonOfLoose(e.Value))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		parts := []string{}
		for _, item := range x {
			parts = append(parts, jsonOfLoose(item))
		}
		return "[" + strings.Join(parts, ",") + "]"
	default:
		out, _ := EncodeJSON(v)
		return string(out)
	}
}

func TestParseYAMLStream(t *testing.T) {
	docs, err := ParseYAML([]byte("%YAML 1.2\n---\na: 1\n...\n---\n- b\n---\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 3 || jsonOf(t, docs[0]) != `{"a":1}` || jsonOf(t, docs[1]) != `["b"]` || docs[2] != nil {
		t.Fatalf("got %d docs: %v", len(docs), docs)
	}
}

func TestParseYAMLErrors(t *testing.T) {
	cases := []struct {
		reason, in  string
		line, col   int
		msgContains string
	}{
		{"bad indentation", "a:\n  b: 1\n c: 2\n", 3, 2, "indentation"},
		{"mapping on key line", "a: b: c\n", 1, 4, "mapping values are not allowed"},
		{"unterminated quote", "a: \"abc\n", 1, 4, "unterminated"},
		{"unknown alias", "a: *nope\n", 1, 4, "unknown alias"},
		{"duplicate key", "a: 1\na: 2\n", 2, 1, "duplicate"},
		{"bad flow", "a: [1, 2\nb: 3\n", 1, 4, "unterminated flow sequence"},
		{"flow separator", "a: {a: 1 b: 2}\n", 1, 11, "expected ','"},
		{"column counts characters", `é: "\q"`, 1, 5, "escape"},
		{"not a key", "a: 1\nb\n", 2, 1, "key: value"},
		{"invalid escape", `a: "\q"` + "\n", 1, 5, "escape"},
		{"invalid utf-8", "a: \xff\n", 1, 4, "UTF-8"},
	}
	for _, c := range cases {
		_, err := ParseYAML([]byte(c.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: want a SyntaxError, got %v", c.reason, err)
			continue
		}
		if se.Line != c.line || se.Column != c.col || !strings.Contains(se.Msg, c.msgContains) {
			t.Errorf("%s: got %v, want line %d column %d containing %q", c.reason, se, c.line, c.col, c.msgContains)
		}
	}
}

func TestEncodeYAML(t *testing.T) {
	in := NewMap(
		"apiVersion", "v1",
		"kind", "ConfigMap",
		"metadata", NewMap("name", "x", "labels", NewMap("app", "y")),
		"data", NewMap(
			"int-like", "123", "bool-like", "true", "yes", "yes", "empty", "", "colon", "a: b",
			"hash", "a #b", "lead", " x", "multi", "l1\nl2\n", "multi-strip", "l1\nl2",
			"dash", "-", "dashword", "-x", "date", "2024-01-01", "url", "http://x/#y", "num", Number("1.50"),
			"octal11", "0755", "tab", "a\tb", "quote", `say "hi"`, "star", "*x", "null", nil,
		),
		"list", []any{NewMap("a", 1, "b", []any{"c"}), []any{"n1", "n2"}, NewMap(), []any{}, "s"},
		"emptyMap", NewMap(),
		"emptyList", []any{},
	)
	want := `apiVersion: v1
kind: ConfigMap
metadata:
  name: x
  labels:
    app: "y"
data:
  int-like: "123"
  bool-like: "true"
  "yes": "yes"
  empty: ""
  colon: "a: b"
  hash: "a #b"
  lead: " x"
  multi: |
    l1
    l2
  multi-strip: |-
    l1
    l2
  dash: "-"
  dashword: -x
  date: "2024-01-01"
  url: http://x/#y
  num: 1.50
  octal11: "0755"
  tab: "a\tb"
  quote: say "hi"
  star: "*x"
  "null": null
list:
- a: 1
  b:
  - c
- - n1
  - n2
- {}
- []
- s
emptyMap: {}
emptyList: []
`
	got := string(EncodeYAML(in))
	if got != want {
		t.Errorf("EncodeYAML:\n got:\n%s\n want:\n%s", got, want)
	}
	// it reads back to the same value
	docs, err := ParseYAML([]byte(got))
	if err != nil {
		t.Fatalf("re-parse: %v", err)
	}
	if a, b := jsonOf(t, docs[0]), jsonOf(t, in); a != b {
		t.Errorf("round trip:\n got  %s\n want %s", a, b)
	}
}

func TestYAMLRoundTripKeepsOrderAndText(t *testing.T) {
	src := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    z-last: "1"
    a-first: x
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.25
        args:
        - --port=80
        - --ratio=0.5
        env:
        - name: MULTI
          value: |
            a
            b
        ports:
        - containerPort: 80
          protocol: TCP
`
	docs, err := ParseYAML([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(EncodeYAML(docs[0])); got != src {
		t.Errorf("round trip changed the text:\n%s", got)
	}
}

func TestEncodeQuotedStringsReadBack(t *testing.T) {
	for _, s := range []string{
		"", " ", "a: b", "#x", "- x", "?", "---", "...x", "true", "Null", "1e3", ".5", "0x10", "+1",
		"\x00\x1b\u2028\ufeff", "tab\t", "trailing ", "line\n ", "\n", "\n\nx", "x\n\n\n", "'", `"`,
		"é", "😀", "%x", "@x", "`x", "a\r\nb",
	} {
		out := EncodeYAML(NewMap("k", s, "seq", []any{s}))
		docs, err := ParseYAML(out)
		if err != nil {
			t.Errorf("%q: encoded as %q, which does not parse: %v", s, out, err)
			continue
		}
		m := docs[0].(*Map)
		if got, _ := m.Get("k"); got != s {
			t.Errorf("%q: encoded as %q, read back as %#v", s, out, got)
		}
		if got, _ := m.Get("seq"); got.([]any)[0] != s {
			t.Errorf("%q in a sequence: encoded as %q, read back as %#v", s, out, got)
		}
	}
}

func TestParseYAMLScalars(t *testing.T) {
	src := "items:\n- metadata:\n    name: a # kpt-set: ${name}\n  spec:\n    list:\n    - 'x' # kpt-set: ${x}\n    - y\n"
	_, spans, err := ParseYAMLScalars([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 3 {
		t.Fatalf("got %d spans, want 3: %+v", len(spans), spans)
	}
	s := spans[0]
	if src[s.Start:s.End] != "a" || s.Comment != "kpt-set: ${name}" || s.Line != 3 ||
		jsonOf(t, s.Path) != `["items",0,"metadata","name"]` {
		t.Errorf("span 0: %+v", s)
	}
	s = spans[1]
	if src[s.Start:s.End] != "'x'" || s.Style != StyleSingleQuoted || s.Comment != "kpt-set: ${x}" ||
		jsonOf(t, s.Path) != `["items",0,"spec","list",0]` {
		t.Errorf("span 1: %+v", s)
	}
	if spans[2].Comment != "" {
		t.Errorf("span 2 has a comment: %+v", spans[2])
	}
}

func TestJSON(t *testing.T) {
	v, err := DecodeJSON([]byte(`{"z":1,"a":[1.50,"<&>",null,true],"u":"\u00e9\n"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := jsonOf(t, v); got != `{"z":1,"a":[1.50,"<&>",null,true],"u":"é\n"}` {
		t.Errorf("got %s", got)
	}
	_, err = DecodeJSON([]byte("{\n  \"a\": [1,,]\n}"))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 2 {
		t.Errorf("want a SyntaxError on line 2, got %v", err)
	}
	if _, err := EncodeJSON(Number(".nan")); err == nil {
		t.Error("EncodeJSON(.nan) should fail")
	}
	if got := jsonOf(t, Number("0x1F")); got != "31" {
		t.Errorf("0x1F as JSON: %s", got)
	}
}

// Span lines and error positions come from the line table (lineIndex); they must equal a
// plain count of the newlines before each position, in any order of asking.
func TestLineIndexMatchesCount(t *testing.T) {
	src := "a: 1 # c\r\nb:\n  - x # kpt-set: ${x}\n\n  - [y, 'z']\nc: {d: e}\n"
	_, spans, err := ParseYAMLScalars([]byte(src))
	if err != nil || len(spans) == 0 {
		t.Fatalf("spans %v, err %v", spans, err)
	}
	for _, s := range spans {
		if want := 1 + strings.Count(src[:s.Start], "\n"); s.Line != want {
			t.Errorf("span %q at %d: line %d, want %d", src[s.Start:s.End], s.Start, s.Line, want)
		}
	}
	p := &parser{src: []byte(src)}
	for _, pos := range []int{len(src), 0, 9, 10, 11, 3, len(src) - 1, 12, 13} {
		want := strings.Count(src[:pos], "\n")
		start := strings.LastIndex(src[:pos], "\n") + 1
		if got := p.lineIndex(pos); got != want {
			t.Errorf("lineIndex(%d) = %d, want %d", pos, got, want)
		}
		if got := p.lineStart(pos); got != start {
			t.Errorf("lineStart(%d) = %d, want %d", pos, got, start)
		}
	}
}
