package canon

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
)

// Buf accumulates one canonical encoding. The zero value is ready; Reset
// keeps the grown buffers for the next state.
type Buf struct {
	B     []byte
	spans []span // the items of the open sorted sections, a stack
	tmp   []byte
}

type span struct{ start, end int }

// Reset empties b, keeping its capacity.
func (b *Buf) Reset() {
	b.B = b.B[:0]
	b.spans = b.spans[:0]
}

// Grow reserves room for n more bytes, and for sorting a section of up
// to n bytes, so that a fresh Buf writing a state of about n bytes does
// not reallocate as it goes.
func (b *Buf) Grow(n int) {
	b.B = slices.Grow(b.B, n)
	b.tmp = slices.Grow(b.tmp[:0], n)
}

// Key is the 32-byte SHA-256 of what b holds: the state key.
func (b *Buf) Key() [32]byte { return sha256.Sum256(b.B) }

// Str appends s.
func (b *Buf) Str(s string) *Buf { b.B = append(b.B, s...); return b }

// Byte appends c.
func (b *Buf) Byte(c byte) *Buf { b.B = append(b.B, c); return b }

// Int appends v as %d does.
func (b *Buf) Int(v int64) *Buf { b.B = strconv.AppendInt(b.B, v, 10); return b }

// Bool appends v as %t does.
func (b *Buf) Bool(v bool) *Buf { b.B = strconv.AppendBool(b.B, v); return b }

// Hex appends v as %#x does ("0x0" for zero).
func (b *Buf) Hex(v uint64) *Buf {
	b.B = append(b.B, '0', 'x')
	b.B = strconv.AppendUint(b.B, v, 16)
	return b
}

// Quote appends s as %q does.
func (b *Buf) Quote(s string) *Buf { b.B = strconv.AppendQuote(b.B, s); return b }

// QuotePrintable appends p, printable ASCII only (0x20-0x7e), as %q
// does the string of it.
func (b *Buf) QuotePrintable(p []byte) *Buf {
	b.B = append(b.B, '"')
	for _, c := range p {
		if c == '"' || c == '\\' {
			b.B = append(b.B, '\\')
		}
		b.B = append(b.B, c)
	}
	b.B = append(b.B, '"')
	return b
}

// HexBytes appends p as %x does.
func (b *Buf) HexBytes(p []byte) *Buf { b.B = hex.AppendEncode(b.B, p); return b }

// Section marks the start of a sorted section (Begin).
type Section struct{ start, first int }

// Begin opens a sorted section: write each item, call Item after each,
// and End to sort them. Sections nest.
func (b *Buf) Begin() Section {
	return Section{start: len(b.B), first: len(b.spans)}
}

// Item ends the item written since the previous Item of s (or Begin).
func (b *Buf) Item(s Section) {
	start := s.start
	if n := len(b.spans); n > s.first {
		start = b.spans[n-1].end
	}
	b.spans = append(b.spans, span{start, len(b.B)})
}

// Items reports how many items s holds so far.
func (b *Buf) Items(s Section) int { return len(b.spans) - s.first }

// End sorts the items of s bytewise (as sort.Strings sorts the strings
// they would be) and rewrites them in that order, sep between two items
// and term after each: End(s, "", "\n") for lines, End(s, " ", "") for
// a list joined by strings.Join(items, " "). With unique, equal items
// are written once.
func (b *Buf) End(s Section, sep, term string, unique bool) {
	items := b.spans[s.first:]
	slices.SortFunc(items, func(x, y span) int { return bytes.Compare(b.B[x.start:x.end], b.B[y.start:y.end]) })
	b.tmp = b.tmp[:0]
	var prev []byte
	for i, it := range items {
		cur := b.B[it.start:it.end]
		if unique && i > 0 && bytes.Equal(cur, prev) {
			continue
		}
		if i > 0 {
			b.tmp = append(b.tmp, sep...)
		}
		b.tmp = append(b.tmp, cur...)
		b.tmp = append(b.tmp, term...)
		prev = cur
	}
	b.B = append(b.B[:s.start], b.tmp...)
	b.spans = b.spans[:s.first]
}

// String returns what b holds as a string (a copy: b may be reset and
// reused after).
func (b *Buf) String() string { return string(b.B) }
