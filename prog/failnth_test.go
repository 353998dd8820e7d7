package prog

import (
	"strings"
	"testing"
)

// TestFailNth: fail_nth is an optional argument of exactly the Fallible
// ops, last in the op table's order; it round-trips, and a value out of
// 1..MaxFailNth or on an op without fallible steps is a parse error.
func TestFailNth(t *testing.T) {
	for i := range Ops {
		d := &Ops[i]
		a := d.Arg(FailNthKey)
		if d.Fallible != (a != nil) {
			t.Errorf("%s: Fallible=%t but fail_nth argument present=%t", d.Name, d.Fallible, a != nil)
		}
		if a != nil && (&d.Args[len(d.Args)-1] != a || !a.Optional || a.Kind != KindInt) {
			t.Errorf("%s: fail_nth is not the last optional int argument", d.Name)
		}
	}
	src := hdr + "ov = of_overlay_fdt_apply fail_nth=3 blob=o.dtso\nof_overlay_remove fail_nth=1 ov=ov\n" + ovly
	p, err := Parse("t.prog", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	checkRoundTrip(t, "t.prog", p)
	if got := string(p.Print()); !strings.Contains(got, "ov = of_overlay_fdt_apply blob=o.dtso fail_nth=3\n") ||
		!strings.Contains(got, "of_overlay_remove ov=ov fail_nth=1\n") {
		t.Errorf("printed program:\n%s", got)
	}
	if p.Ops[0].Arg(FailNthKey).Int != 3 {
		t.Errorf("fail_nth parsed as %d", p.Ops[0].Arg(FailNthKey).Int)
	}
	for _, bad := range []string{
		hdr + "of_overlay_remove_all fail_nth=0\n",
		hdr + "of_overlay_remove_all fail_nth=129\n",
		hdr + "of_node_put node=/ fail_nth=1\n",
	} {
		if _, err := Parse("t.prog", []byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
