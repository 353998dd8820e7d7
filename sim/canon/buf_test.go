package canon

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// TestAppendsMatchFmt: each append writes what its fmt verb writes.
func TestAppendsMatchFmt(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.String().Draw(t, "s")
		ascii := rapid.SliceOf(rapid.ByteRange(0x20, 0x7e)).Draw(t, "ascii")
		p := rapid.SliceOf(rapid.Byte()).Draw(t, "p")
		i := rapid.Int64().Draw(t, "i")
		u := rapid.Uint64().Draw(t, "u")
		v := rapid.Bool().Draw(t, "v")
		var b Buf
		b.Str(s).Byte('|').Int(i).Byte('|').Bool(v).Byte('|').Hex(u).Byte('|').Quote(s).Byte('|').HexBytes(p).
			Byte('|').QuotePrintable(ascii)
		want := fmt.Sprintf("%s|%d|%t|%#x|%q|%x|%q", s, i, v, u, s, p, string(ascii))
		if got := string(b.B); got != want {
			t.Fatalf("got  %q\nwant %q", got, want)
		}
	})
}

// TestSectionsSortAsStrings: a sorted section writes its items as
// sort.Strings orders them (items that are prefixes of others, empty
// ones and duplicates included), joined by sep with term after each,
// duplicates once with unique; a section nested in an item is sorted
// within it; text before and after a section stays.
func TestSectionsSortAsStrings(t *testing.T) {
	item := rapid.StringOfN(rapid.RuneFrom([]rune("ab\n ,")), 0, 4, -1)
	rapid.Check(t, func(t *rapid.T) {
		items := rapid.SliceOf(item).Draw(t, "items")
		inner := rapid.SliceOf(item).Draw(t, "inner")
		unique := rapid.Bool().Draw(t, "unique")
		sep := rapid.SampledFrom([]string{"", " ", ", "}).Draw(t, "sep")
		term := rapid.SampledFrom([]string{"", "\n"}).Draw(t, "term")
		var b Buf
		b.Str("head[")
		s := b.Begin()
		for i, it := range items {
			b.Str(it)
			if i == 0 { // an item with a sorted list inside
				in := b.Begin()
				for _, x := range inner {
					b.Str(x)
					b.Item(in)
				}
				b.End(in, "+", "", false)
			}
			b.Item(s)
		}
		b.End(s, sep, term, unique)
		b.Str("]tail")

		want := append([]string(nil), items...)
		if len(want) > 0 {
			in := append([]string(nil), inner...)
			sort.Strings(in)
			want[0] += strings.Join(in, "+")
		}
		sort.Strings(want)
		if unique {
			var u []string
			for i, x := range want {
				if i == 0 || x != want[i-1] {
					u = append(u, x)
				}
			}
			want = u
		}
		var w strings.Builder
		for i, x := range want {
			if i > 0 {
				w.WriteString(sep)
			}
			w.WriteString(x + term)
		}
		if got, want := string(b.B), "head["+w.String()+"]tail"; got != want {
			t.Fatalf("got  %q\nwant %q", got, want)
		}
	})
}

// TestStringCopies: String's text stays when b is reset and reused (the
// state's Encode and Handle return it after the buffer is gone).
func TestStringCopies(t *testing.T) {
	var b Buf
	b.Str("kernel v6.8\n")
	s := b.String()
	b.Reset()
	b.Str("handle node NULL")
	if s != "kernel v6.8\n" || b.String() != "handle node NULL" {
		t.Fatalf("String gave %q, then %q", s, b.String())
	}
}

// TestGrowReserves: after Grow(n), writing n bytes with a sorted
// section of them reallocates neither buffer, and the text is as
// without Grow.
func TestGrowReserves(t *testing.T) {
	write := func(b *Buf) {
		b.Str("head\n")
		s := b.Begin()
		for _, w := range []string{"pear", "apple", "fig"} {
			b.Str(w)
			b.Item(s)
		}
		b.End(s, "", "\n", false)
	}
	var plain, grown Buf
	write(&plain)
	grown.Grow(64)
	p, q := &grown.B[:1][0], &grown.tmp[:1][0]
	write(&grown)
	if grown.String() != plain.String() || grown.String() != "head\napple\nfig\npear\n" {
		t.Fatalf("after Grow: %q, without: %q", grown.String(), plain.String())
	}
	if &grown.B[0] != p || &grown.tmp[0] != q {
		t.Fatal("Grow(64) did not reserve room for a 22-byte state")
	}
}
