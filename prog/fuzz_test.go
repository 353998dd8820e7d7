package prog

import (
	"bytes"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse checks that Parse never panics, and that whatever it accepts
// validates, keeps every label, links each use to an earlier op of the
// right type, round-trips through Print (same text, same links) and
// prints idempotently; and that removing an op (chosen by the input)
// and its users, or cloning, keeps those invariants. It is seeded with
// every program of the repository.
func FuzzParse(f *testing.F) {
	for _, path := range repoPrograms(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(hdr + "x = of_frobnicate\nof_overlay_remove ov=x =y\n-- a --\n"))
	f.Add([]byte(hdr + "n = of_node_get node=/soc\nn = of_node_get node=n\nof_node_put node=n\nrun_work item=3\n"))
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
		checkTyped(t, p, true)
		text := p.Print()
		q, err := Parse("f.prog", text)
		if err != nil {
			t.Fatalf("parsing printed program: %v\n%s", err, text)
		}
		if diff := cmp.Diff(p, q, cmpProg...); diff != "" {
			t.Fatalf("parse(print(p)) != p (-p +q):\n%s", diff)
		}
		c := p.Clone()
		if !bytes.Equal(c.Print(), text) {
			t.Fatalf("Clone prints differently")
		}
		if len(c.Ops) > 0 {
			RemoveOp(c, len(data)%len(c.Ops))
			checkTyped(t, c, false)
		}
	})
}
