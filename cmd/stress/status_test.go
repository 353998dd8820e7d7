package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestProfileRanges(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{[]string{"v5.10", "v5.15", "v6.1", "v6.6", "v6.8"}, "v5.10..v6.8"},
		{[]string{"v5.10", "v5.15", "v6.1", "v6.6", "v6.8", "v6.8.5", "v6.9", "v6.12", "v6.17", "mainline"}, "all"},
		{[]string{"v5.10", "v6.8.5", "v6.9", "mainline"}, "v5.10,v6.8.5,v6.9,mainline"},
		{[]string{"v6.1", "v6.6", "v6.8", "v6.17", "mainline", "v6.8+wait-early"}, "v6.1..v6.8,v6.17,mainline,v6.8+wait-early"},
		{nil, ""},
	} {
		if got := profileRanges(c.in); got != c.want {
			t.Errorf("%v: %q, want %q", c.in, got, c.want)
		}
	}
}

// TestPrinter: live, the status is redrawn in place and cut to the
// width, and a permanent line clears it first and redraws it after; in
// a pipe every status is a line of its own.
func TestPrinter(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b, "live")
	p.width = 30
	p.status("10s  1,000 progs (100/s)  newest: a very long title indeed")
	p.println("new: X")
	p.status("11s")
	p.done()
	want := "\r\033[K10s  1,000 progs (100/s)  ne…" + "\r\033[Knew: X\n10s  1,000 progs (100/s)  ne…" + "\r\033[K11s" + "\n"
	if b.String() != want {
		t.Errorf("live:\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	p = newPrinter(&b, "auto") // a buffer is not a terminal
	p.status("10s")
	p.println("new: X")
	p.status("20s")
	p.done()
	if got := b.String(); got != "10s\nnew: X\n20s\n" || strings.Contains(got, "\r") {
		t.Errorf("plain: %q", got)
	}
}
