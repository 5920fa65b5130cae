package krmfn

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A compact YAML parser for the subset that Kubernetes manifests use: block mappings and
// sequences (including sequences written at their key's indentation), flow mappings and
// sequences, plain / single-quoted / double-quoted scalars, literal and folded block scalars
// with chomping and indentation indicators, comments, document markers, anchors and aliases
// (aliases are resolved to copies), and YAML 1.2 core-schema typing of plain scalars.
//
// Not supported (a SyntaxError names the place): explicit "? " keys, complex (collection or
// alias) keys, multi-line implicit keys. Tags are read and ignored except the core ones
// (!!str, !!int, !!float, !!bool, !!null) that change how a scalar is typed. "<<" merge keys
// are applied (a YAML 1.1 feature that PyYAML, ruamel.yaml and go-yaml also apply).

// SyntaxError is a YAML or JSON syntax error; Line and Column are 1-based (Column counts
// characters, not bytes).
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// ScalarStyle is how a scalar was written.
type ScalarStyle int

// The scalar styles.
const (
	StylePlain ScalarStyle = iota
	StyleSingleQuoted
	StyleDoubleQuoted
	StyleLiteral
	StyleFolded
)

// ScalarSpan records where a scalar value (never a key) sits in the source, for functions
// that edit the text in place (see ParseYAMLScalars).
type ScalarSpan struct {
	Doc        int   // index of the document in the stream
	Path       []any // keys (string) and sequence indexes (int) from the document root
	Start, End int   // byte offsets of the scalar's text, quotes included
	Line       int   // 1-based line of Start
	Style      ScalarStyle
	Value      any    // the typed value
	Comment    string // a comment on the same line right after the scalar, without "#", trimmed
}

// ParseYAML parses a YAML stream into one value per document.
func ParseYAML(src []byte) ([]any, error) {
	docs, _, err := parseYAML(src, false)
	return docs, err
}

// ParseYAMLScalars parses a YAML stream and also returns the position of every single-line
// or flow scalar value (plain or quoted; block scalars are not listed) with the comment that
// follows it on its line. Offsets refer to src with any "\r\n" counted as is (the parser
// treats "\r" before "\n" as white space).
func ParseYAMLScalars(src []byte) ([]any, []ScalarSpan, error) {
	return parseYAML(src, true)
}

type parser struct {
	src     []byte
	pos     int
	anchors map[string]any
	path    []any
	record  bool
	spans   []ScalarSpan
	doc     int

	lines    []int // offsets where lines start (after each '\n'), see lineIndex
	lastLine int
}

type yamlPanic struct{ err *SyntaxError }

func parseYAML(src []byte, record bool) (docs []any, spans []ScalarSpan, err error) {
	if !utf8.Valid(src) {
		bad := 0
		for bad < len(src) {
			r, size := utf8.DecodeRune(src[bad:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			bad += size
		}
		p := &parser{src: src}
		return nil, nil, p.errorAt(bad, "invalid UTF-8")
	}
	p := &parser{src: src, anchors: map[string]any{}, record: record}
	if bytes.HasPrefix(src, []byte("\xEF\xBB\xBF")) {
		p.pos = 3
	}
	defer func() {
		if r := recover(); r != nil {
			yp, ok := r.(yamlPanic)
			if !ok {
				panic(r)
			}
			docs, spans, err = nil, nil, yp.err
		}
	}()
	docs = p.parseStream()
	return docs, p.spans, nil
}

// ---- positions and errors ----

// lineIndex is the 0-based line of pos: the number of '\n' before it. The line starts are
// found once, and the last line asked for is tried first (the parser moves forward), so that
// positions cost O(1) rather than a scan from the start of the input or of a long line (that
// made parsing quadratic in the number of scalars, and in the length of one-line flow input).
func (p *parser) lineIndex(pos int) int {
	if p.lines == nil {
		p.lines = []int{0}
		for i, c := range p.src {
			if c == '\n' {
				p.lines = append(p.lines, i+1)
			}
		}
	}
	k := p.lastLine
	if k >= len(p.lines) || p.lines[k] > pos || (k+1 < len(p.lines) && p.lines[k+1] <= pos) {
		k = sort.Search(len(p.lines), func(i int) bool { return p.lines[i] > pos }) - 1
		p.lastLine = k
	}
	return k
}

func (p *parser) lineStart(pos int) int {
	k := p.lineIndex(pos) // first: it fills p.lines
	return p.lines[k]
}

// col is the 0-based column of pos in bytes (indentation is ASCII spaces, so bytes suffice).
func (p *parser) col(pos int) int { return pos - p.lineStart(pos) }

func (p *parser) errorAt(pos int, format string, args ...any) *SyntaxError {
	if pos > len(p.src) {
		pos = len(p.src)
	}
	line := 1 + p.lineIndex(pos)
	column := 1 + utf8.RuneCount(p.src[p.lineStart(pos):pos])
	return &SyntaxError{Line: line, Column: column, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) fail(pos int, format string, args ...any) {
	panic(yamlPanic{p.errorAt(pos, format, args...)})
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) at(i int) byte {
	if i < len(p.src) {
		return p.src[i]
	}
	return 0
}

func (p *parser) peek() byte { return p.at(p.pos) }

// isBreakOrEnd: a newline, carriage return or the end of input.
func isBreakOrEnd(c byte) bool { return c == 0 || c == '\n' || c == '\r' }

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func isBlankOrEnd(c byte) bool { return isBlank(c) || isBreakOrEnd(c) }

func isFlowIndicator(c byte) bool {
	return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'
}

// skipSpace skips spaces and tabs on the current line (and a "\r" before "\n").
func (p *parser) skipSpace() {
	for !p.eof() {
		c := p.src[p.pos]
		if c == ' ' || c == '\t' || (c == '\r' && p.at(p.pos+1) == '\n') {
			p.pos++
			continue
		}
		return
	}
}

// skipToEOL skips a comment, if any, up to (not over) the newline.
func (p *parser) skipComment() {
	if p.peek() == '#' {
		for !p.eof() && p.src[p.pos] != '\n' {
			p.pos++
		}
	}
}

// skipBlank skips white space, comments and line breaks; it reports whether it crossed a line
// break.
func (p *parser) skipBlank() bool {
	crossed := false
	for {
		p.skipSpace()
		p.skipComment()
		if p.peek() == '\n' {
			p.pos++
			crossed = true
			continue
		}
		if p.peek() == '\r' { // a lone carriage return
			p.pos++
			crossed = true
			continue
		}
		return crossed
	}
}

// atDocMarker reports whether a "---" or "..." marker starts at the current position.
func (p *parser) atDocMarker() bool {
	if p.pos+3 > len(p.src) || p.col(p.pos) != 0 {
		return false
	}
	m := string(p.src[p.pos : p.pos+3])
	return (m == "---" || m == "...") && isBlankOrEnd(p.at(p.pos+3))
}

// onOwnLine reports whether only blanks precede the current position on its line.
func (p *parser) onOwnLine() bool {
	for i := p.pos - 1; i >= 0 && p.src[i] != '\n'; i-- {
		if !isBlank(p.src[i]) {
			return false
		}
	}
	return true
}

// push and pop track the path to the current node, only when spans are recorded (boxing
// every key into an interface costs an allocation).
func (p *parser) push(step any) {
	if p.record {
		p.path = append(p.path, step)
	}
}

func (p *parser) pop() {
	if p.record {
		p.path = p.path[:len(p.path)-1]
	}
}

func (p *parser) isSeqEntry() bool { return p.peek() == '-' && isBlankOrEnd(p.at(p.pos+1)) }

// ---- documents ----

func (p *parser) parseStream() []any {
	var docs []any
	for {
		p.skipBlank()
		// directives (%YAML, %TAG) are skipped
		for !p.eof() && p.peek() == '%' && p.col(p.pos) == 0 {
			for !p.eof() && p.src[p.pos] != '\n' {
				p.pos++
			}
			p.skipBlank()
		}
		if p.eof() {
			return docs
		}
		explicit := false
		if p.atDocMarker() && p.src[p.pos] == '-' {
			p.pos += 3
			explicit = true
		} else if p.atDocMarker() { // a stray "..."
			p.pos += 3
			continue
		}
		p.path = p.path[:0]
		var value any
		save := p.pos
		p.skipBlank()
		if p.eof() || p.atDocMarker() {
			if !explicit {
				return docs
			}
		} else {
			p.pos = save
			value = p.parseNode(-1, true, false)
		}
		docs = append(docs, value)
		p.doc++
		p.skipBlank()
		if p.eof() {
			return docs
		}
		if !p.atDocMarker() {
			p.fail(p.pos, "unexpected content after the document's root node (wrong indentation?)")
		}
		if p.src[p.pos] == '.' {
			p.pos += 3
		}
	}
}

// ---- block nodes ----

// parseNode parses the node that follows a "key:", a "- " or a document start. Its content
// must be indented more than indent when it starts on a later line; a block sequence may sit
// at indent itself when it is a mapping's value (inMapValue). inline allows a block
// collection to start on the current line (after "- " or "---").
func (p *parser) parseNode(indent int, inline, inMapValue bool) any {
	crossed := p.skipBlank()
	anchor, tag := "", ""
	for {
		if p.eof() || p.atDocMarker() {
			return p.finishEmpty(anchor, tag)
		}
		if crossed {
			c := p.col(p.pos)
			if c < indent || (c == indent && !(inMapValue && p.isSeqEntry())) {
				return p.finishEmpty(anchor, tag)
			}
		}
		switch p.peek() {
		case '&':
			if anchor != "" {
				p.fail(p.pos, "a node has two anchors")
			}
			anchor = p.scanName()
		case '!':
			if tag != "" {
				p.fail(p.pos, "a node has two tags")
			}
			tag = p.scanTag()
		default:
			goto content
		}
		if p.skipBlank() {
			crossed = true
		}
	}
content:
	blockOK := crossed || inline
	start := p.pos
	column := p.col(start)
	var value any
	switch c := p.peek(); {
	case c == '-' && p.isSeqEntry():
		if !blockOK {
			p.fail(start, "a block sequence cannot start on the same line as its key")
		}
		value = p.parseBlockSeq(column)
	case c == '|' || c == '>':
		value = p.parseBlockScalar(indent, c == '|', tag)
	case c == '*':
		value = p.parseAlias()
		p.skipSpace()
		if p.peek() == ':' && isBlankOrEnd(p.at(p.pos+1)) {
			p.fail(start, "an alias cannot be used as a mapping key")
		}
	case c == '?' && isBlankOrEnd(p.at(p.pos+1)):
		p.fail(start, "explicit mapping keys (\"? \") are not supported")
	default:
		raw, style, end := p.scanInlineScalarOrFlow(indent)
		p.skipSpace()
		if p.peek() == ':' && (isBlankOrEnd(p.at(p.pos+1)) || style == StyleSingleQuoted || style == StyleDoubleQuoted) {
			if !blockOK {
				p.fail(start, "mapping values are not allowed here (a nested mapping must start on a new line)")
			}
			key, ok := raw.(string)
			if !ok {
				p.fail(start, "a flow collection cannot be used as a mapping key")
			}
			value = p.parseBlockMap(column, key, style == StylePlain, start)
			break
		}
		if s, ok := raw.(string); ok {
			if style == StylePlain {
				s, end = p.continuePlain(indent, s, end)
			}
			value = resolveScalar(s, style, tag, p, start)
			if p.record {
				p.recordSpan(start, end, style, value)
			}
		} else {
			value = raw
		}
	}
	if anchor != "" {
		p.anchors[anchor] = value
	}
	return value
}

func (p *parser) finishEmpty(anchor, tag string) any {
	var v any
	if tag == "!!str" || tag == "!" {
		v = ""
	}
	if anchor != "" {
		p.anchors[anchor] = v
	}
	return v
}

func (p *parser) recordSpan(start, end int, style ScalarStyle, value any) {
	q := end
	for q < len(p.src) && isBlank(p.src[q]) {
		q++
	}
	comment := ""
	if q < len(p.src) && p.src[q] == '#' && q > end {
		e := q
		for e < len(p.src) && p.src[e] != '\n' {
			e++
		}
		comment = strings.TrimSpace(string(p.src[q+1 : e]))
	}
	path := make([]any, len(p.path))
	copy(path, p.path)
	p.spans = append(p.spans, ScalarSpan{
		Doc: p.doc, Path: path, Start: start, End: end, Style: style, Value: value,
		Comment: comment, Line: 1 + p.lineIndex(start),
	})
}

func (p *parser) scanName() string {
	start := p.pos + 1
	p.pos++
	for !p.eof() && !isBlankOrEnd(p.src[p.pos]) && !isFlowIndicator(p.src[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		p.fail(start-1, "an anchor or alias needs a name")
	}
	return string(p.src[start:p.pos])
}

func (p *parser) scanTag() string {
	start := p.pos
	for !p.eof() && !isBlankOrEnd(p.src[p.pos]) && !isFlowIndicator(p.src[p.pos]) {
		p.pos++
	}
	tag := string(p.src[start:p.pos])
	// the long form of the core tags
	if strings.HasPrefix(tag, "!<tag:yaml.org,2002:") && strings.HasSuffix(tag, ">") {
		tag = "!!" + tag[len("!<tag:yaml.org,2002:"):len(tag)-1]
	}
	return tag
}

func (p *parser) parseAlias() any {
	start := p.pos
	name := p.scanName()
	v, ok := p.anchors[name]
	if !ok {
		p.fail(start, "unknown alias %q", name)
	}
	return DeepCopy(v)
}

// merger applies "<<" merge keys (plain "<<" only): the merged mappings' keys that the
// mapping does not set itself are inserted where the "<<" key was, as YAML 1.1, PyYAML and
// go-yaml do.
type merger struct {
	at      int
	sources []any
	seen    bool
}

// take records a "<<: value" pair; it reports false for an ordinary key.
func (mg *merger) take(p *parser, m *Map, key string, plain bool, value any, keyPos int) bool {
	if key != "<<" || !plain {
		return false
	}
	if mg.seen {
		p.fail(keyPos, "duplicate mapping key \"<<\"")
	}
	mg.seen, mg.at = true, len(m.entries)
	switch v := value.(type) {
	case *Map:
		mg.sources = []any{v}
	case []any:
		mg.sources = v
	default:
		p.fail(keyPos, "a \"<<\" merge key needs a mapping or a sequence of mappings, got a %s", typeName(value))
	}
	return true
}

func (mg *merger) apply(p *parser, m *Map, keyPos int) {
	if !mg.seen {
		return
	}
	var merged []Entry
	have := map[string]bool{}
	for _, e := range m.entries {
		have[e.Key] = true
	}
	for _, src := range mg.sources {
		sm, ok := src.(*Map)
		if !ok {
			p.fail(keyPos, "a \"<<\" merge key needs mappings, got a %s", typeName(src))
		}
		for _, e := range sm.entries {
			if !have[e.Key] {
				have[e.Key] = true
				merged = append(merged, e)
			}
		}
	}
	entries := append(append(append([]Entry{}, m.entries[:mg.at]...), merged...), m.entries[mg.at:]...)
	m.entries = entries
}

func (p *parser) parseBlockMap(column int, key string, plain bool, keyPos int) *Map {
	m := &Map{}
	var mg merger
	p.blockMapEntries(m, &mg, column, key, plain, keyPos)
	mg.apply(p, m, keyPos)
	return m
}

func (p *parser) blockMapEntries(m *Map, mg *merger, column int, key string, plain bool, keyPos int) {
	for {
		// at the ':' after key
		p.pos++
		if m.Has(key) {
			p.fail(keyPos, "duplicate mapping key %q", key)
		}
		p.push(key)
		value := p.parseNode(column, false, true)
		p.pop()
		if !mg.take(p, m, key, plain, value, keyPos) {
			m.entries = append(m.entries, Entry{key, value})
		}

		p.skipBlank()
		crossed := p.onOwnLine()
		if p.eof() || p.atDocMarker() {
			return
		}
		c := p.col(p.pos)
		if !crossed {
			p.fail(p.pos, "unexpected content after the value of %q", key)
		}
		if c < column {
			return
		}
		if c > column {
			p.fail(p.pos, "bad indentation: expected a key at column %d", column+1)
		}
		if p.isSeqEntry() {
			p.fail(p.pos, "a sequence entry where a key of the mapping at column %d was expected", column+1)
		}
		keyPos = p.pos
		key, plain = p.scanKey()
	}
}

// scanKey reads an implicit key of a block mapping and stops at its ':'; plain reports
// whether it was unquoted.
func (p *parser) scanKey() (key string, plain bool) {
	start := p.pos
	switch c := p.peek(); {
	case c == '&' || c == '!':
		p.fail(start, "anchors and tags on mapping keys are not supported")
	case c == '*':
		p.fail(start, "an alias cannot be used as a mapping key")
	case c == '?' && isBlankOrEnd(p.at(p.pos+1)):
		p.fail(start, "explicit mapping keys (\"? \") are not supported")
	case c == '[' || c == '{':
		p.fail(start, "a flow collection cannot be used as a mapping key")
	}
	raw, style, _ := p.scanInlineScalarOrFlow(1 << 30)
	p.skipSpace()
	if p.peek() != ':' || !(isBlankOrEnd(p.at(p.pos+1)) || style != StylePlain) {
		p.fail(start, "expected a \"key: value\" line of the mapping")
	}
	return raw.(string), style == StylePlain
}

func (p *parser) parseBlockSeq(column int) []any {
	seq := []any{}
	for {
		// at the '-'
		p.pos++
		p.push(len(seq))
		item := p.parseNode(column, true, false)
		p.pop()
		seq = append(seq, item)

		p.skipBlank()
		crossed := p.onOwnLine()
		if p.eof() || p.atDocMarker() {
			return seq
		}
		c := p.col(p.pos)
		if !crossed {
			p.fail(p.pos, "unexpected content after a sequence entry")
		}
		if c < column || (c == column && !p.isSeqEntry()) {
			return seq
		}
		if c > column {
			p.fail(p.pos, "bad indentation: expected a \"- \" entry at column %d", column+1)
		}
	}
}

// ---- scalars ----

// scanInlineScalarOrFlow reads a quoted scalar, a flow collection or the first line of a
// plain scalar. For scalars it returns the (unresolved) string; for flow collections the
// parsed value. end is the offset after the scalar's text.
func (p *parser) scanInlineScalarOrFlow(indent int) (value any, style ScalarStyle, end int) {
	switch c := p.peek(); c {
	case '"':
		s := p.scanDoubleQuoted()
		return s, StyleDoubleQuoted, p.pos
	case '\'':
		s := p.scanSingleQuoted()
		return s, StyleSingleQuoted, p.pos
	case '[':
		return p.parseFlowSeq(), StylePlain, p.pos
	case '{':
		return p.parseFlowMap(), StylePlain, p.pos
	case '@', '`':
		p.fail(p.pos, "a plain scalar cannot start with %q (quote the value)", c)
	case '|', '>', '%', ',', ']', '}', '#':
		p.fail(p.pos, "a plain scalar cannot start with %q (quote the value)", c)
	}
	s, e := p.scanPlainLine(false)
	return s, StylePlain, e
}

// scanPlainLine reads a plain scalar up to the end of the line, a ": ", a " #" or (in flow
// context) a flow indicator; it returns the text without trailing blanks and where it ends.
func (p *parser) scanPlainLine(flow bool) (string, int) {
	start := p.pos
	end := p.pos
	for !p.eof() {
		c := p.src[p.pos]
		if c == '\n' || (c == '\r' && p.at(p.pos+1) == '\n') {
			break
		}
		if c == ':' {
			n := p.at(p.pos + 1)
			if isBlankOrEnd(n) || (flow && isFlowIndicator(n)) {
				break
			}
		}
		if c == '#' && p.pos > start && isBlank(p.src[p.pos-1]) {
			break
		}
		if flow && isFlowIndicator(c) {
			break
		}
		p.pos++
		if !isBlank(c) {
			end = p.pos
		}
	}
	p.pos = end
	return string(p.src[start:end]), end
}

// continuePlain folds the continuation lines of a multi-line plain scalar in block context:
// lines indented more than indent, up to a comment, a less indented line or a document marker.
func (p *parser) continuePlain(indent int, text string, end int) (string, int) {
	var b *strings.Builder
	for {
		save := p.pos
		p.skipSpace()
		if p.peek() != '\n' {
			p.pos = save
			break
		}
		breaks := 0
		for p.peek() == '\n' {
			p.pos++
			breaks++
			p.skipSpace()
		}
		if p.eof() || p.peek() == '#' || p.col(p.pos) <= indent || p.atDocMarker() {
			p.pos = save
			break
		}
		lineStart := p.pos
		line, e := p.scanPlainLine(false)
		if line == "" {
			p.pos = save
			break
		}
		if p.peek() == ':' {
			p.fail(lineStart, "mapping values are not allowed here (check the indentation of this line)")
		}
		if b == nil {
			b = &strings.Builder{}
			b.WriteString(text)
		}
		if breaks == 1 {
			b.WriteByte(' ')
		} else {
			b.WriteString(strings.Repeat("\n", breaks-1))
		}
		b.WriteString(line)
		end = e
	}
	if b != nil {
		return b.String(), end
	}
	return text, end
}

// quoted-scalar line folding: a line break and the next line's leading blanks become one
// space, or n newlines when n empty lines follow; trailing blanks of a line are dropped.
type foldBuf struct {
	buf  []byte
	keep int // length up to the last non-blank byte
}

func (f *foldBuf) add(c byte) {
	f.buf = append(f.buf, c)
	if !isBlank(c) {
		f.keep = len(f.buf)
	}
}

func (f *foldBuf) addString(s string) {
	f.buf = append(f.buf, s...)
	f.keep = len(f.buf)
}

func (p *parser) foldBreak(f *foldBuf) {
	f.buf = f.buf[:f.keep]
	breaks := 0
	for {
		if p.peek() == '\r' && p.at(p.pos+1) == '\n' {
			p.pos++
		}
		if p.peek() != '\n' {
			break
		}
		p.pos++
		breaks++
		for isBlank(p.peek()) {
			p.pos++
		}
	}
	if breaks == 1 {
		f.addString(" ")
	} else {
		f.addString(strings.Repeat("\n", breaks-1))
	}
}

func (p *parser) scanSingleQuoted() string {
	start := p.pos
	p.pos++
	var f foldBuf
	for {
		if p.eof() {
			p.fail(start, "unterminated single-quoted string")
		}
		c := p.src[p.pos]
		switch {
		case c == '\'':
			if p.at(p.pos+1) == '\'' {
				f.add('\'')
				p.pos += 2
				continue
			}
			p.pos++
			return string(f.buf)
		case c == '\n' || (c == '\r' && p.at(p.pos+1) == '\n'):
			p.foldBreak(&f)
		default:
			f.add(c)
			p.pos++
		}
	}
}

var simpleEscapes = map[byte]string{
	'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", '\t': "\t", 'n': "\n", 'v': "\v",
	'f': "\f", 'r': "\r", 'e': "\x1b", ' ': " ", '"': "\"", '/': "/", '\\': "\\",
	'N': "\u0085", '_': "\u00a0", 'L': "\u2028", 'P': "\u2029",
}

func (p *parser) scanDoubleQuoted() string {
	start := p.pos
	p.pos++
	var f foldBuf
	for {
		if p.eof() {
			p.fail(start, "unterminated double-quoted string")
		}
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(f.buf)
		case c == '\\':
			e := p.at(p.pos + 1)
			if s, ok := simpleEscapes[e]; ok {
				f.addString(s)
				p.pos += 2
				continue
			}
			width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if width > 0 {
				hex := p.src[min(p.pos+2, len(p.src)):min(p.pos+2+width, len(p.src))]
				r, err := strconv.ParseUint(string(hex), 16, 32)
				if err != nil || len(hex) != width || !utf8.ValidRune(rune(r)) {
					p.fail(p.pos, "invalid escape \\%c%s", e, hex)
				}
				f.addString(string(rune(r)))
				p.pos += 2 + width
				continue
			}
			if e == '\n' || e == '\r' { // an escaped line break joins the lines
				p.pos++
				if p.peek() == '\r' {
					p.pos++
				}
				p.pos++
				for isBlank(p.peek()) {
					p.pos++
				}
				f.keep = len(f.buf)
				continue
			}
			p.fail(p.pos, "unknown escape sequence \\%c", e)
		case c == '\n' || (c == '\r' && p.at(p.pos+1) == '\n'):
			p.foldBreak(&f)
		default:
			f.add(c)
			p.pos++
		}
	}
}

// parseBlockScalar reads a literal (|) or folded (>) block scalar.
func (p *parser) parseBlockScalar(indent int, literal bool, tag string) any {
	headerPos := p.pos
	p.pos++
	chomp := byte(0) // 0 clip, '-' strip, '+' keep
	explicit := 0
	for i := 0; i < 2; i++ {
		c := p.peek()
		switch {
		case (c == '-' || c == '+') && chomp == 0:
			chomp = c
			p.pos++
		case c >= '1' && c <= '9' && explicit == 0:
			explicit = int(c - '0')
			p.pos++
		}
	}
	p.skipSpace()
	p.skipComment()
	if !isBreakOrEnd(p.peek()) {
		p.fail(headerPos, "invalid block scalar header (expected |, >, an optional chomping indicator +/- and an indentation digit)")
	}
	if p.peek() == '\r' {
		p.pos++
	}
	if p.peek() == '\n' {
		p.pos++
	}
	contentCol := -1
	if explicit > 0 {
		contentCol = indent + explicit // the parent's indentation plus the indicator
	} else {
		// the first non-empty line sets the indentation
		q := p.pos
		for q < len(p.src) {
			s := q
			for q < len(p.src) && p.src[q] == ' ' {
				q++
			}
			if q < len(p.src) && (p.src[q] == '\n' || p.src[q] == '\r') {
				for q < len(p.src) && p.src[q] != '\n' {
					q++
				}
				q++
				continue
			}
			if q < len(p.src) {
				contentCol = q - s
			}
			break
		}
		if contentCol <= indent {
			contentCol = indent + 1 // nothing but empty lines belongs to the scalar
		}
	}

	var lines []string
	lastBreak := false
	for !p.eof() {
		s := p.pos
		q := s
		for q < len(p.src) && p.src[q] == ' ' && q-s < contentCol {
			q++
		}
		e := q
		for e < len(p.src) && p.src[e] != '\n' {
			e++
		}
		text := strings.TrimSuffix(string(p.src[q:e]), "\r")
		if q-s < contentCol {
			if strings.TrimLeft(text, " \t") != "" {
				break // a less indented line ends the scalar; p.pos stays at its start
			}
			text = ""
		} else if q-s == 0 && p.atDocMarker() {
			break
		}
		lines = append(lines, text)
		if e < len(p.src) {
			p.pos = e + 1
			lastBreak = true
		} else {
			p.pos = e
			lastBreak = false
		}
	}
	last := len(lines) - 1 // the last line with content
	for last >= 0 && lines[last] == "" {
		last--
	}
	var b strings.Builder
	if literal {
		for i := 0; i <= last; i++ {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(lines[i])
		}
	} else {
		// folding: a single break between two normal lines becomes a space, n empty lines
		// become n newlines; breaks around more-indented lines are kept.
		moreIndented := func(s string) bool { return s[0] == ' ' || s[0] == '\t' }
		prev, empties := "", 0
		for i := 0; i <= last; i++ {
			t := lines[i]
			if t == "" {
				empties++
				continue
			}
			switch {
			case prev == "":
				b.WriteString(strings.Repeat("\n", empties))
			case !moreIndented(prev) && !moreIndented(t) && empties == 0:
				b.WriteByte(' ')
			case !moreIndented(prev) && !moreIndented(t):
				b.WriteString(strings.Repeat("\n", empties))
			default:
				b.WriteString(strings.Repeat("\n", empties+1))
			}
			b.WriteString(t)
			prev, empties = t, 0
		}
	}
	hasBreak := func(i int) bool { return i < len(lines)-1 || lastBreak }
	switch chomp {
	case '-':
	case '+':
		from := last
		if from < 0 {
			from = 0
		}
		for i := from; i < len(lines); i++ {
			if hasBreak(i) {
				b.WriteByte('\n')
			}
		}
	default:
		if last >= 0 && hasBreak(last) {
			b.WriteByte('\n')
		}
	}
	s := b.String()
	if tag != "" && tag != "!!str" && tag != "!" {
		return resolveScalar(s, StylePlain, tag, p, headerPos)
	}
	return s
}

// ---- flow collections ----

func (p *parser) skipFlowBlank() { p.skipBlank() }

func (p *parser) parseFlowSeq() []any {
	start := p.pos
	p.pos++
	seq := []any{}
	for {
		p.skipFlowBlank()
		if p.eof() {
			p.fail(start, "unterminated flow sequence (missing ']')")
		}
		if p.peek() == ']' {
			p.pos++
			return seq
		}
		p.push(len(seq))
		itemPos := p.pos
		item := p.parseFlowNode()
		p.skipFlowBlank()
		if p.peek() == ':' { // a single-pair mapping: [a: b]
			key, ok := item.(string)
			if !ok {
				p.fail(itemPos, "a flow collection cannot be used as a mapping key")
			}
			p.pos++
			p.skipFlowBlank()
			var v any
			if c := p.peek(); c != ',' && c != ']' {
				v = p.parseFlowNode()
			}
			item = NewMap(key, v)
			p.skipFlowBlank()
		}
		p.pop()
		seq = append(seq, item)
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
		case 0:
			p.fail(start, "unterminated flow sequence (missing ']')")
		default:
			p.fail(p.pos, "expected ',' or ']' in the flow sequence that starts at line %d",
				p.errorAt(start, "").Line)
		}
	}
}

func (p *parser) parseFlowMap() *Map {
	start := p.pos
	m := &Map{}
	var mg merger
	p.flowMapEntries(m, &mg)
	mg.apply(p, m, start)
	return m
}

func (p *parser) flowMapEntries(m *Map, mg *merger) {
	start := p.pos
	p.pos++
	for {
		p.skipFlowBlank()
		if p.eof() {
			p.fail(start, "unterminated flow mapping (missing '}')")
		}
		if p.peek() == '}' {
			p.pos++
			return
		}
		if p.peek() == '?' && isBlankOrEnd(p.at(p.pos+1)) {
			p.pos++
			p.skipFlowBlank()
		}
		keyPos := p.pos
		var key string
		plain := false
		switch p.peek() {
		case '"':
			key = p.scanDoubleQuoted()
		case '\'':
			key = p.scanSingleQuoted()
		case '[', '{', '*', '&', '!':
			p.fail(keyPos, "only scalar keys are supported in flow mappings")
		default:
			key, plain = p.scanFlowPlain(), true
		}
		if m.Has(key) {
			p.fail(keyPos, "duplicate mapping key %q", key)
		}
		p.skipFlowBlank()
		var v any
		if p.peek() == ':' {
			p.pos++
			p.skipFlowBlank()
			if c := p.peek(); c != ',' && c != '}' {
				p.push(key)
				v = p.parseFlowNode()
				p.pop()
			}
			p.skipFlowBlank()
		}
		if !mg.take(p, m, key, plain, v, keyPos) {
			m.entries = append(m.entries, Entry{key, v})
		}
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
		case 0:
			p.fail(start, "unterminated flow mapping (missing '}')")
		default:
			p.fail(p.pos, "expected ',' or '}' in the flow mapping that starts at line %d",
				p.errorAt(start, "").Line)
		}
	}
}

// scanFlowPlain reads a plain scalar in flow context, folding line breaks into spaces.
func (p *parser) scanFlowPlain() string {
	text, _ := p.scanPlainLine(true)
	for {
		save := p.pos
		p.skipSpace()
		if p.peek() != '\n' {
			p.pos = save
			return text
		}
		p.skipBlank()
		c := p.peek()
		if p.eof() || isFlowIndicator(c) || c == ':' || c == '#' {
			p.pos = save
			return text
		}
		line, _ := p.scanPlainLine(true)
		if line == "" {
			p.pos = save
			return text
		}
		text += " " + line
	}
}

func (p *parser) parseFlowNode() any {
	anchor, tag := "", ""
	for p.peek() == '&' || p.peek() == '!' {
		if p.peek() == '&' {
			anchor = p.scanName()
		} else {
			tag = p.scanTag()
		}
		p.skipFlowBlank()
	}
	start := p.pos
	var v any
	switch c := p.peek(); c {
	case '[':
		v = p.parseFlowSeq()
	case '{':
		v = p.parseFlowMap()
	case '*':
		v = p.parseAlias()
	case ',', ']', '}':
		v = nil
	case '"', '\'':
		var s string
		style := StyleDoubleQuoted
		if c == '"' {
			s = p.scanDoubleQuoted()
		} else {
			s = p.scanSingleQuoted()
			style = StyleSingleQuoted
		}
		v = resolveScalar(s, style, tag, p, start)
		if p.record {
			p.recordSpan(start, p.pos, style, v)
		}
	default:
		s := p.scanFlowPlain()
		end := p.pos
		v = resolveScalar(s, StylePlain, tag, p, start)
		if p.record {
			p.recordSpan(start, end, StylePlain, v)
		}
	}
	if anchor != "" {
		p.anchors[anchor] = v
	}
	return v
}

// ---- typing (YAML 1.2 core schema) ----

func resolveScalar(s string, style ScalarStyle, tag string, p *parser, pos int) any {
	switch tag {
	case "!!str", "!":
		return s
	case "!!null":
		return nil
	case "!!bool":
		if v, ok := resolvePlain(s).(bool); ok {
			return v
		}
		p.fail(pos, "%q is not a !!bool", s)
	case "!!int", "!!float":
		if n, ok := resolvePlain(s).(Number); ok {
			return n
		}
		p.fail(pos, "%q is not a %s", s, tag)
	}
	if style != StylePlain {
		return s
	}
	return resolvePlain(s)
}

// resolvePlain types a plain scalar by the YAML 1.2 core schema.
func resolvePlain(s string) any {
	if s == "" {
		return nil
	}
	switch s[0] {
	case '~', 'n', 'N':
		if s == "~" || s == "null" || s == "Null" || s == "NULL" {
			return nil
		}
		return s
	case 't', 'T':
		if s == "true" || s == "True" || s == "TRUE" {
			return true
		}
		return s
	case 'f', 'F':
		if s == "false" || s == "False" || s == "FALSE" {
			return false
		}
		return s
	case '+', '-', '.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if isCoreNumber(s) {
			return Number(s)
		}
	}
	return s
}

func isDigits(s string, ok func(byte) bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isDec(c byte) bool { return c >= '0' && c <= '9' }
func isOct(c byte) bool { return c >= '0' && c <= '7' }
func isHex(c byte) bool { return isDec(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }

// isCoreNumber matches the core schema's int and float forms.
func isCoreNumber(s string) bool {
	switch {
	case strings.HasPrefix(s, "0x"):
		return isDigits(s[2:], isHex)
	case strings.HasPrefix(s, "0o"):
		return isDigits(s[2:], isOct)
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	switch body {
	case ".inf", ".Inf", ".INF":
		return true
	}
	switch s {
	case ".nan", ".NaN", ".NAN":
		return true
	}
	// [-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
	i := 0
	digits := 0
	for i < len(body) && isDec(body[i]) {
		i++
		digits++
	}
	if i < len(body) && body[i] == '.' {
		i++
		frac := 0
		for i < len(body) && isDec(body[i]) {
			i++
			frac++
		}
		if digits == 0 && frac == 0 {
			return false
		}
	} else if digits == 0 {
		return false
	}
	if i < len(body) && (body[i] == 'e' || body[i] == 'E') {
		i++
		if i < len(body) && (body[i] == '+' || body[i] == '-') {
			i++
		}
		exp := 0
		for i < len(body) && isDec(body[i]) {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(body)
}
