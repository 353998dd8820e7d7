package minimizer

import (
	"strings"
	"testing"

	"dangle/prog"
)

const overlayY = `-- y.dtso --
/dts-v1/;
/plugin/;
&bus { dev@2 { compatible = "b"; }; };
`

// TestPassDropOverlays: an overlay file goes with its apply and the
// remove that uses the apply's result, in one predicate run.
func TestPassDropOverlays(t *testing.T) {
	p := parseProg(t, "dangle program v1\nov = of_overlay_fdt_apply blob=x.dtso\nflush_workqueue\nof_overlay_remove ov=ov\n"+overlay)
	calls := 0
	got, st := runPass(t, passDropOverlays, p, textPredicate("flush_workqueue", &calls))
	if opNames(got) != "flush_workqueue" || len(got.Files) != 0 {
		t.Errorf("got %q with %d files, want flush_workqueue alone\n%s", opNames(got), len(got.Files), got)
	}
	if st.Runs != 1 || st.Accepted != 1 {
		t.Errorf("runs %d accepted %d, want 1 and 1", st.Runs, st.Accepted)
	}
}

// TestPassTeardown: explicit removes go when the finding does not need
// them (the teardown removes the overlays), all at once; one the
// finding needs stays.
func TestPassTeardown(t *testing.T) {
	p := parseProg(t, `dangle program v1
ov = of_overlay_fdt_apply blob=x.dtso
ov2 = of_overlay_fdt_apply blob=y.dtso
of_overlay_remove ov=ov2
of_overlay_remove ov=ov
`+overlay+overlayY)
	got, st := runPass(t, passTeardown, p, textPredicate("of_overlay_fdt_apply", nil))
	if want := "ov = of_overlay_fdt_apply blob=x.dtso; ov2 = of_overlay_fdt_apply blob=y.dtso"; opNames(got) != want || st.Runs != 1 {
		t.Errorf("got %q in %d runs, want %q in 1", opNames(got), st.Runs, want)
	}
	got, _ = runPass(t, passTeardown, p, textPredicate("of_overlay_fdt_apply", nil, "of_overlay_remove ov=ov\n"))
	if want := "ov = of_overlay_fdt_apply blob=x.dtso; ov2 = of_overlay_fdt_apply blob=y.dtso; of_overlay_remove ov=ov"; opNames(got) != want {
		t.Errorf("needed remove: got %q, want %q", opNames(got), want)
	}
}

// TestPassMergeApplies: two applies become one apply of one source
// holding both overlays' blocks; the second apply's remove goes with it.
func TestPassMergeApplies(t *testing.T) {
	p := parseProg(t, `dangle program v1
ov = of_overlay_fdt_apply blob=x.dtso
ov2 = of_overlay_fdt_apply blob=y.dtso
of_overlay_remove ov=ov2
`+overlay+overlayY)
	got, _ := runPass(t, passMergeApplies, p, textPredicate("of_overlay_fdt_apply", nil, "dev@1", "dev@2"))
	if want := "ov = of_overlay_fdt_apply blob=x.dtso"; opNames(got) != want {
		t.Errorf("got %q, want %q", opNames(got), want)
	}
	if len(got.Files) != 1 || !strings.Contains(string(got.Files[0].Data), "dev@2") {
		t.Errorf("want one source with both nodes:\n%s", got)
	}
	// Two applies of one file are not merged.
	same := parseProg(t, "dangle program v1\nof_overlay_fdt_apply blob=x.dtso\nof_overlay_fdt_apply blob=x.dtso\n"+overlay)
	if got, _ := runPass(t, passMergeApplies, same, textPredicate("of_overlay_fdt_apply", nil)); len(got.Ops) != 2 {
		t.Errorf("same file merged: %q", opNames(got))
	}
}

// TestPassMergeFragments: blocks with the same target merge into the
// first; a block with another target stays apart.
func TestPassMergeFragments(t *testing.T) {
	p := parseProg(t, `dangle program v1
of_overlay_fdt_apply blob=x.dtso
-- x.dtso --
/dts-v1/;
/plugin/;
&bus { dev@1 { compatible = "a"; }; };
&i2c0 { dev@50 { compatible = "c"; }; };
&bus { status = "okay"; dev@2 { compatible = "b"; }; };
`)
	got, st := runPass(t, passMergeFragments, p, textPredicate("of_overlay_fdt_apply", nil, "dev@1", "dev@2", "dev@50", "okay"))
	src := string(got.File("x.dtso").Data)
	if n := strings.Count(src, "&bus"); n != 1 || strings.Count(src, "&i2c0") != 1 || st.Accepted != 1 {
		t.Errorf("%d &bus blocks (want 1), %d accepted:\n%s", n, st.Accepted, src)
	}
	if SizeOf(got).Nodes != SizeOf(p).Nodes-1 {
		t.Errorf("size %v, want one node fewer than %v", SizeOf(got), SizeOf(p))
	}
}

// TestPassHoist: a container node goes, its children move up, the op
// path through it loses the component and the op naming it goes (or, if
// the finding needs it, points at the parent).
func TestPassHoist(t *testing.T) {
	src := `-- x.dtso --
/dts-v1/;
/plugin/;
&bus { host@2000 { compatible = "h"; a@1 { compatible = "a"; }; }; };
`
	p := parseProg(t, `dangle program v1
of_overlay_fdt_apply blob=x.dtso
of_platform_populate node=/soc/bus@10000/host@2000
n = of_node_get node=/soc/bus@10000/host@2000/a@1
of_node_put node=n
`+src)
	got, _ := runPass(t, passHoist, p, textPredicate("of_overlay_fdt_apply", nil, "a@1 {", "of_node_get node=/soc/bus@10000/"))
	if want := "of_overlay_fdt_apply blob=x.dtso; n = of_node_get node=/soc/bus@10000/a@1; of_node_put node=n"; opNames(got) != want {
		t.Errorf("got %q, want %q", opNames(got), want)
	}
	if s := string(got.File("x.dtso").Data); strings.Contains(s, "host@2000") {
		t.Errorf("host@2000 not hoisted:\n%s", s)
	}
	got, _ = runPass(t, passHoist, p, textPredicate("of_overlay_fdt_apply", nil, "a@1 {", "of_platform_populate"))
	if want := "of_overlay_fdt_apply blob=x.dtso; of_platform_populate node=/soc/bus@10000; n = of_node_get node=/soc/bus@10000/a@1; of_node_put node=n"; opNames(got) != want {
		t.Errorf("retargeted: got %q, want %q", opNames(got), want)
	}
}

// TestStructurePassesRun: Minimize runs the structure passes and counts
// them (dangle minimize -v shows the counters).
func TestStructurePassesRun(t *testing.T) {
	p := parseProg(t, `dangle program v1
ov = of_overlay_fdt_apply blob=x.dtso
ov2 = of_overlay_fdt_apply blob=y.dtso
of_overlay_remove ov=ov2
of_overlay_remove ov=ov
`+overlay+overlayY)
	_, st, err := Minimize(p, appliesBoth, Options{})
	if err != nil {
		t.Fatal(err)
	}
	acc := map[string]int{}
	for _, ps := range st.Passes {
		acc[ps.Name] = ps.Accepted
	}
	if acc["teardown"] == 0 || acc["merge-applies"] == 0 {
		t.Errorf("accepted per pass %v: want teardown and merge-applies to have worked", acc)
	}
	if st.After.Ops != 1 {
		t.Errorf("after %v, want 1 op", st.After)
	}
}

// appliesBoth fails, at teardown, a program that applies sources
// holding dev@1 and dev@2 (one source or two).
func appliesBoth(p *prog.Program) Verdict {
	var seen1, seen2 bool
	for _, op := range p.Ops {
		for _, f := range fileNames(op) {
			if op.Name() == applyOp && p.File(f) != nil {
				seen1 = seen1 || strings.Contains(string(p.File(f).Data), "dev@1")
				seen2 = seen2 || strings.Contains(string(p.File(f).Data), "dev@2")
			}
		}
	}
	return Verdict{Fails: seen1 && seen2, Op: -1}
}

// TestPassMergeExplicit: explicit fragments (the generator's form) with
// the same target merge their __overlay__ bodies; another target stays.
func TestPassMergeExplicit(t *testing.T) {
	p := parseProg(t, `dangle program v1
of_overlay_fdt_apply blob=x.dtso
-- x.dtso --
/dts-v1/;
/plugin/;
/ {
	fragment@0 { target = <&bus>; __overlay__ { dev@1 { compatible = "a"; }; }; };
	fragment@1 { target-path = "/soc"; __overlay__ { dev@50 { compatible = "c"; }; }; };
	fragment@2 { target = <&bus>; __overlay__ { status = "okay"; dev@2 { compatible = "b"; }; }; };
};
`)
	got, st := runPass(t, passMergeExplicit, p, textPredicate("of_overlay_fdt_apply", nil, "dev@1", "dev@2", "dev@50", "okay"))
	src := string(got.File("x.dtso").Data)
	if strings.Contains(src, "fragment@2") || !strings.Contains(src, "fragment@1") || st.Accepted != 1 {
		t.Errorf("%d accepted, want fragment@2 merged into fragment@0:\n%s", st.Accepted, src)
	}
	if SizeOf(got).Nodes != SizeOf(p).Nodes-2 {
		t.Errorf("size %v, want two nodes (fragment, __overlay__) fewer than %v", SizeOf(got), SizeOf(p))
	}
}

// TestPassHoistExplicit: in an explicit fragment the __overlay__ body is
// the target, so a container directly in it hoists like one in a
// top-level block; the fragment frame itself is never hoisted.
func TestPassHoistExplicit(t *testing.T) {
	p := parseProg(t, `dangle program v1
of_overlay_fdt_apply blob=x.dtso
n = of_node_get node=/soc/bus@10000/host@2000/a@1
of_node_put node=n
-- x.dtso --
/dts-v1/;
/plugin/;
/ { fragment@0 { target = <&bus>; __overlay__ { host@2000 { a@1 { compatible = "a"; }; }; }; }; };
`)
	// fails while the node path agrees with the tree: through host@2000
	// while it is there, straight under the bus once it is gone
	consistent := func(c *prog.Program) Verdict {
		text := c.String()
		if !strings.Contains(text, "__overlay__") || !strings.Contains(text, "a@1 {") || !strings.Contains(text, "of_node_get") ||
			strings.Contains(text, "host@2000 {") != strings.Contains(text, "host@2000/a@1") {
			return Verdict{}
		}
		return Verdict{Fails: true, Op: 1}
	}
	got, _ := runPass(t, passHoist, p, consistent)
	if s := got.String(); strings.Contains(s, "host@2000") || !strings.Contains(s, "node=/soc/bus@10000/a@1") {
		t.Errorf("host@2000 not hoisted:\n%s", got)
	}
}

// TestHoistPathsRoot: a node hoisted out of a block that targets the
// root is a path's first component.
func TestHoistPathsRoot(t *testing.T) {
	p := parseProg(t, "dangle program v1\nn = of_node_get node=/wrap/gpio\nof_node_put node=n\nof_node_get node=/wrap\n")
	got, self := hoistPaths(p.Clone(), "", "wrap", false)
	if want := "n = of_node_get node=/gpio; of_node_put node=n"; opNames(got) != want || !self {
		t.Errorf("got %q (self %v), want %q", opNames(got), self, want)
	}
	got, _ = hoistPaths(p.Clone(), "", "wrap", true)
	if want := "n = of_node_get node=/gpio; of_node_put node=n; of_node_get node=/"; opNames(got) != want {
		t.Errorf("retargeted: got %q, want %q", opNames(got), want)
	}
}
