package main

import (
	"strings"
	"testing"
)

// TestState: dangle run -state prints the encoding before teardown and
// a final state line; programs reaching the same state by another order
// and other names end on the same line, a different state on another.
func TestState(t *testing.T) {
	files := "-- dev.dtso --\n/dts-v1/;\n/plugin/;\n&bus { dev@100 { compatible = \"dangle,dev\"; reg = <0x100 0x10>; }; };\n"
	a := write(t, "a.prog", "dangle program v1\nn = of_node_get node=/soc/bus@10000\nflush_workqueue\n"+files)
	b := write(t, "b.prog", "dangle program v1\nflush_workqueue\nm = of_node_get node=/soc/bus@10000\n"+files)
	c := write(t, "c.prog", "dangle program v1\nov = of_overlay_fdt_apply blob=dev.dtso\n"+files)
	last := func(path string) (string, string) {
		t.Helper()
		code, out, errs := run("run", "-state", path)
		if code != 0 {
			t.Fatalf("run -state %s: exit %d: %s", path, code, errs)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		l := lines[len(lines)-1]
		if !strings.HasPrefix(l, "state: ") || len(l) != len("state: ")+16 {
			t.Fatalf("last line %q, want state: <16 hex digits>", l)
		}
		return out, l
	}
	outA, la := last(a)
	_, lb := last(b)
	outC, lc := last(c)
	if la != lb {
		t.Errorf("same state by another order and name: %s vs %s", la, lb)
	}
	if la == lc {
		t.Errorf("different states hash alike: %s", la)
	}
	// before teardown: the applied overlay and the held node are there
	if !strings.Contains(outC, "ovcs_list overlay #1 id=1 freed=false") {
		t.Errorf("the applied overlay is missing (teardown ran?):\n%s", outC)
	}
	if !strings.Contains(outA, "handle node /soc/bus@10000 ") || strings.Contains(outA, "==>") {
		t.Errorf("want the held node as a handle and no log:\n%s", outA)
	}
	code, out, _ := run("run", "-state", a, c)
	if code != 0 || strings.Count(out, "=== ") != 2 || strings.Count(out, "\nstate: ") != 2 {
		t.Errorf("two files: exit %d, want two headed encodings:\n%s", code, out)
	}
}
