package prog

import (
	"bytes"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse checks that Parse never panics, and that whatever it accepts
// validates, round-trips through Print and prints idempotently. It is
// seeded with every program of the repository.
func FuzzParse(f *testing.F) {
	for _, path := range repoPrograms(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(hdr + "x = of_frobnicate\nof_overlay_remove ov=x =y\n-- a --\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("f.prog", data)
		if err != nil {
			for _, e := range Errors(err) {
				if e.File != "f.prog" || e.Line < 1 && e.Msg != "too many errors" {
					t.Fatalf("error without position: %#v", e)
				}
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("Validate of a parsed program: %v", err)
		}
		text := p.Print()
		q, err := Parse("f.prog", text)
		if err != nil {
			t.Fatalf("parsing printed program: %v\n%s", err, text)
		}
		if diff := cmp.Diff(p, q, cmpProg...); diff != "" {
			t.Fatalf("parse(print(p)) != p (-p +q):\n%s", diff)
		}
		if text2 := q.Print(); !bytes.Equal(text, text2) {
			t.Fatalf("print not idempotent:\n%q\n%q", text, text2)
		}
	})
}
