package krmfn

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The value model shared by the YAML and JSON codecs. A decoded document is built from:
//
//	*Map      an ordered mapping (keys are strings; insertion order is kept)
//	[]any     a sequence
//	string    a string
//	bool      true / false
//	nil       null
//	Number    a number, kept as the text it was written as (so 1.0, 0x1F, 1e3 round-trip)
//
// Values set by functions may also be Go ints, uints and floats; the encoders accept them.

// Entry is one key/value pair of a Map.
type Entry struct {
	Key   string
	Value any
}

// Map is a mapping that keeps its keys in insertion order, so that a decode/encode round trip
// never reorders fields. Lookups are linear, which is faster than hashing for the small maps
// Kubernetes objects are made of.
type Map struct {
	entries []Entry
}

// NewMap returns an empty Map; pairs, if given, are alternating keys (strings) and values.
func NewMap(pairs ...any) *Map {
	m := &Map{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m.Set(fmt.Sprint(pairs[i]), pairs[i+1])
	}
	return m
}

func (m *Map) index(key string) int {
	for i := range m.entries {
		if m.entries[i].Key == key {
			return i
		}
	}
	return -1
}

// Len is the number of keys.
func (m *Map) Len() int { return len(m.entries) }

// Get returns the value at key and whether the key exists.
func (m *Map) Get(key string) (any, bool) {
	if i := m.index(key); i >= 0 {
		return m.entries[i].Value, true
	}
	return nil, false
}

// Has reports whether key exists.
func (m *Map) Has(key string) bool { return m.index(key) >= 0 }

// Set replaces the value of an existing key in place, or appends the key at the end.
func (m *Map) Set(key string, value any) {
	if i := m.index(key); i >= 0 {
		m.entries[i].Value = value
		return
	}
	m.entries = append(m.entries, Entry{key, value})
}

// Delete removes key and reports whether it was there.
func (m *Map) Delete(key string) bool {
	i := m.index(key)
	if i < 0 {
		return false
	}
	m.entries = append(m.entries[:i], m.entries[i+1:]...)
	return true
}

// Keys returns the keys in order.
func (m *Map) Keys() []string {
	keys := make([]string, len(m.entries))
	for i, e := range m.entries {
		keys[i] = e.Key
	}
	return keys
}

// Entries returns the pairs in order (the slice is shared: do not append to it).
func (m *Map) Entries() []Entry { return m.entries }

// Number is a numeric scalar kept as its source text (YAML 1.2 core schema or JSON syntax).
type Number string

// Int64 parses the number as an integer (decimal, 0x hex or 0o octal).
func (n Number) Int64() (int64, error) {
	s := string(n)
	sign := ""
	if s != "" && (s[0] == '+' || s[0] == '-') {
		sign, s = s[:1], s[1:]
	}
	base := 10
	switch {
	case strings.HasPrefix(s, "0x"):
		base, s = 16, s[2:]
	case strings.HasPrefix(s, "0o"):
		base, s = 8, s[2:]
	}
	return strconv.ParseInt(sign+s, base, 64)
}

// Float64 parses the number as a float, including .inf, -.inf and .nan.
func (n Number) Float64() (float64, error) {
	s := strings.ToLower(string(n))
	switch s {
	case ".inf", "+.inf":
		return math.Inf(1), nil
	case "-.inf":
		return math.Inf(-1), nil
	case ".nan":
		return math.NaN(), nil
	}
	if i, err := n.Int64(); err == nil {
		return float64(i), nil
	}
	return strconv.ParseFloat(s, 64)
}

// String returns the source text.
func (n Number) String() string { return string(n) }

// DeepCopy copies maps and sequences recursively; scalars are immutable and shared.
func DeepCopy(v any) any {
	switch x := v.(type) {
	case *Map:
		out := &Map{entries: make([]Entry, len(x.entries))}
		for i, e := range x.entries {
			out.entries[i] = Entry{e.Key, DeepCopy(e.Value)}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = DeepCopy(item)
		}
		return out
	default:
		return v
	}
}

// typeName names a value's kind for error messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case *Map:
		return "mapping"
	case []any:
		return "sequence"
	case string:
		return "string"
	case bool:
		return "boolean"
	case Number, int, int64, int32, uint, uint64, uint32, float64, float32:
		return "number"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// ScalarText renders a scalar as the text a ConfigMap value would hold ("" for null).
// It returns false for mappings and sequences.
func ScalarText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case Number:
		return string(x), true
	case *Map, []any:
		return "", false
	default:
		return fmt.Sprint(x), true
	}
}
