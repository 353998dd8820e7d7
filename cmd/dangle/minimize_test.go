package main

import (
	"path/filepath"
	"strings"
	"testing"

	"dangle/prog"
)

// paddedB3 is B3 (the base-node property leak) with ops and overlay
// content that have nothing to do with it.
const paddedB3 = `dangle program v1
# title: padded B3
np = of_node_get node=/soc/spi@4000
of_node_put node=np
ov = of_overlay_fdt_apply blob=b3.dtso
flush_workqueue wq=events
of_overlay_remove ov=ov
-- b3.dtso --
/dts-v1/;
/plugin/;
&i2c1 { status = "okay"; clock-frequency = <400000>; };
&bus { extra@100 { foo = <1 2>; bar; }; };
`

func TestMinimize(t *testing.T) {
	in := write(t, "padded.prog", paddedB3)
	out := filepath.Join(t.TempDir(), "min.prog")
	// B3's leak is a known finding: -strict keeps it (sim/known.go)
	code, stdout, stderr := run("minimize", "-strict", "-v", "-o", out, in)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("-o: stdout not empty: %q", stdout)
	}
	for _, want := range []string{"title: memory leak of property allocated in add_changeset_property",
		"after-report", "overlay", "before: 5 ops, 3 nodes, 4 properties", "after:  1 ops, 1 nodes, 1 properties"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("-v output lacks %q:\n%s", want, stderr)
		}
	}
	p, err := prog.ParseFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// The leak is found at teardown, which removes the overlay itself:
	// the apply alone reproduces it.
	if len(p.Ops) != 1 || strings.Contains(p.String(), "extra@100") || strings.Contains(p.String(), "clock-frequency") {
		t.Errorf("not minimized:\n%s", p)
	}
	// The result is a program dangle run reproduces.
	if code, stdout, _ := run("run", "-strict", out); code != 1 || !strings.Contains(stdout, "add_changeset_property") {
		t.Errorf("run of the result: exit %d\n%s", code, stdout)
	}
	// Without -o the program goes to stdout; -kernel becomes its kernel
	// line.
	if code, stdout, _ := run("minimize", "-strict", "-kernel", "v6.1", out); code != 0 || !strings.HasPrefix(stdout, prog.Version) ||
		!strings.Contains(stdout, "\nkernel v6.1\n") {
		t.Errorf("stdout: exit %d\n%s", code, stdout)
	}
}

func TestMinimizeErrors(t *testing.T) {
	clean := write(t, "clean.prog", cleanProg)
	finding := write(t, "finding.prog", findingProg)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"minimize"}, "usage: dangle minimize"},
		{[]string{"minimize", clean}, "no finding to keep"},
		{[]string{"minimize", "-strict", "-title", "no such title", finding}, "no finding to keep"},
		{[]string{"minimize", finding}, "no finding to keep"}, // only a known finding
		{[]string{"minimize", "-kernel", "v0.1", finding}, "-kernel"},
		{[]string{"minimize", filepath.Join(t.TempDir(), "missing.prog")}, "no such file"},
	} {
		code, _, stderr := run(tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q: want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestMinimizeTeardown: B1 raises its leak in of_overlay_remove; by
// default the remove stays (the finding stays raised during an op), with
// -teardown the apply alone is kept (the teardown's remove raises it).
func TestMinimizeTeardown(t *testing.T) {
	for _, tc := range []struct {
		flags []string
		ops   int
	}{{nil, 2}, {[]string{"-teardown"}, 1}} {
		args := append(append([]string{"minimize"}, tc.flags...), "../../corpus/b1-reg-expander.prog")
		code, stdout, stderr := run(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", tc.flags, code, stderr)
		}
		p, err := prog.Parse("min.prog", []byte(stdout))
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Ops) != tc.ops {
			t.Errorf("%v: %d ops, want %d\n%s", tc.flags, len(p.Ops), tc.ops, p)
		}
	}
}
