package krmfn

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EncodeYAML writes v as one YAML document in kyaml's style: block style, 2-space
// indentation, sequences written at their key's indentation ("- " compact), multi-line
// strings as literal block scalars, and strings quoted only when they would otherwise not
// read back as the same string (by a YAML 1.2 or a YAML 1.1 parser such as PyYAML).
func EncodeYAML(v any) []byte {
	var e yamlEmitter
	e.top(v)
	return e.b.Bytes()
}

type yamlEmitter struct{ b bytes.Buffer }

func (e *yamlEmitter) pad(n int) {
	for i := 0; i < n; i++ {
		e.b.WriteByte(' ')
	}
}

func (e *yamlEmitter) top(v any) {
	switch x := v.(type) {
	case *Map:
		if x.Len() > 0 {
			e.mapBody(x, 0, false)
			return
		}
		e.b.WriteString("{}\n")
		return
	case []any:
		if len(x) > 0 {
			e.seqBody(x, 0, false)
			return
		}
		e.b.WriteString("[]\n")
		return
	}
	e.scalar(v, 0)
	e.b.WriteByte('\n')
}

// mapBody writes the entries at indent; when inline the first one follows a "- " already
// written.
func (e *yamlEmitter) mapBody(m *Map, indent int, inline bool) {
	for i, ent := range m.entries {
		if i > 0 || !inline {
			e.pad(indent)
		}
		e.str(ent.Key, indent, true)
		e.b.WriteByte(':')
		switch x := ent.Value.(type) {
		case *Map:
			if x.Len() == 0 {
				e.b.WriteString(" {}\n")
				continue
			}
			e.b.WriteByte('\n')
			e.mapBody(x, indent+2, false)
		case []any:
			if len(x) == 0 {
				e.b.WriteString(" []\n")
				continue
			}
			e.b.WriteByte('\n')
			e.seqBody(x, indent, false)
		default:
			e.b.WriteByte(' ')
			e.scalar(ent.Value, indent+2)
			e.b.WriteByte('\n')
		}
	}
}

func (e *yamlEmitter) seqBody(s []any, indent int, inline bool) {
	for i, item := range s {
		if i > 0 || !inline {
			e.pad(indent)
		}
		e.b.WriteString("- ")
		switch x := item.(type) {
		case *Map:
			if x.Len() == 0 {
				e.b.WriteString("{}\n")
				continue
			}
			e.mapBody(x, indent+2, true)
		case []any:
			if len(x) == 0 {
				e.b.WriteString("[]\n")
				continue
			}
			e.seqBody(x, indent+2, true)
		default:
			e.scalar(item, indent+2)
			e.b.WriteByte('\n')
		}
	}
}

// scalar writes a scalar; contentIndent is where a block scalar's lines go.
func (e *yamlEmitter) scalar(v any, contentIndent int) {
	switch x := v.(type) {
	case nil:
		e.b.WriteString("null")
	case bool:
		e.b.WriteString(strconv.FormatBool(x))
	case string:
		e.str(x, contentIndent, false)
	case Number:
		e.b.WriteString(string(x))
	case float64:
		e.b.WriteString(formatFloatYAML(x))
	case float32:
		e.b.WriteString(formatFloatYAML(float64(x)))
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		fmt.Fprint(&e.b, x)
	default:
		e.str(fmt.Sprint(x), contentIndent, false)
	}
}

func formatFloatYAML(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	case math.IsNaN(f):
		return ".nan"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0" // keep it a float when read back
	}
	return s
}

func (e *yamlEmitter) str(s string, contentIndent int, isKey bool) {
	if !needsQuotes(s) {
		e.b.WriteString(s)
		return
	}
	if !isKey && literalOK(s) {
		e.literal(s, contentIndent)
		return
	}
	e.b.WriteString(DoubleQuote(s))
}

// literalOK: a multi-line string that a literal block scalar reproduces exactly.
func literalOK(s string) bool {
	if !strings.Contains(strings.TrimRight(s, "\n"), "\n") || s[0] == ' ' || s[0] == '\t' || s[0] == '\n' {
		return false
	}
	for _, line := range strings.Split(s, "\n") {
		if line != "" && (strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t")) {
			return false
		}
	}
	for _, r := range s {
		if r != '\n' && r != '\t' && !isPrintable(r) {
			return false
		}
	}
	return true
}

func (e *yamlEmitter) literal(s string, indent int) {
	body := strings.TrimRight(s, "\n")
	trailing := len(s) - len(body)
	switch trailing {
	case 0:
		e.b.WriteString("|-")
	case 1:
		e.b.WriteString("|")
	default:
		e.b.WriteString("|+")
	}
	lines := strings.Split(body, "\n")
	for i := 1; i < trailing; i++ {
		lines = append(lines, "")
	}
	for _, line := range lines {
		e.b.WriteByte('\n')
		if line != "" {
			e.pad(indent)
			e.b.WriteString(line)
		}
	}
}

func isPrintable(r rune) bool {
	if r == utf8.RuneError || r == '\uFEFF' {
		return false
	}
	return unicode.IsPrint(r) || r == ' '
}

// yaml11Words are plain words YAML 1.1 (PyYAML) reads as booleans, or as a merge/value key.
var yaml11Words = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "n": true, "N": true,
	"no": true, "No": true, "NO": true, "on": true, "On": true, "ON": true, "off": true,
	"Off": true, "OFF": true, "<<": true, "=": true,
}

// needsQuotes reports whether s cannot be written as a plain scalar.
func needsQuotes(s string) bool {
	if s == "" || yaml11Words[s] {
		return true
	}
	if _, isString := resolvePlain(s).(string); !isString {
		return true
	}
	if looksNumeric11(s) {
		return true
	}
	switch s[0] {
	case '[', ']', '{', '}', ',', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ', '\t':
		return true
	case '-', '?', ':':
		if len(s) == 1 || s[1] == ' ' || s[1] == '\t' {
			return true
		}
	}
	last := s[len(s)-1]
	if last == ' ' || last == '\t' || last == ':' {
		return true
	}
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		return true
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.Contains(s, ":\t") ||
		strings.Contains(s, "\t#") {
		return true
	}
	for _, r := range s {
		if r == '\t' || !isPrintable(r) {
			return true
		}
	}
	return false
}

// looksNumeric11 catches strings that YAML 1.1 parsers type as numbers or timestamps although
// YAML 1.2 does not (1_000, 0b101, 1:30, 0755, 2024-01-01, ...): quoting them costs nothing
// and keeps them strings for PyYAML.
func looksNumeric11(s string) bool {
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	if body != "" && body[0] == '.' {
		body = body[1:]
	}
	if body == "" || !isDec(body[0]) {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !(isHex(c) || c == '_' || c == ':' || c == '.' || c == '+' || c == '-' || c == 'x' ||
			c == 'o' || c == 'X' || c == 'O' || c == 'T' || c == 't' || c == 'Z' || c == 'z' || c == ' ') {
			return false
		}
	}
	return true
}

// DoubleQuote renders s as a YAML double-quoted scalar.
func DoubleQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case 0:
			b.WriteString(`\0`)
		case 0x1b:
			b.WriteString(`\e`)
		case 0x85:
			b.WriteString(`\N`)
		case 0x2028:
			b.WriteString(`\L`)
		case 0x2029:
			b.WriteString(`\P`)
		default:
			switch {
			case r == utf8.RuneError:
				b.WriteString(`\uFFFD`)
			case r < 0x20 || r == 0x7f:
				fmt.Fprintf(&b, `\x%02X`, r)
			case !isPrintable(r) && r <= 0xffff:
				fmt.Fprintf(&b, `\u%04X`, r)
			case !isPrintable(r):
				fmt.Fprintf(&b, `\U%08X`, r)
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// FormatString renders s as an inline YAML scalar that reads back as the string s: plain when
// that is safe, else double-quoted.
func FormatString(s string) string {
	if needsQuotes(s) {
		return DoubleQuote(s)
	}
	return s
}

// ResolvePlain types the text of a plain scalar by the YAML 1.2 core schema: nil, bool,
// Number, or the string itself.
func ResolvePlain(s string) any { return resolvePlain(s) }
