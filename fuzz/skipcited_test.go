package fuzz

import (
	"regexp"
	"testing"

	"dangle/prog"
)

// TestSkipCited: DANGLE_SKIP_CITED=1 lets a target pass over a finding
// sim.KernelBugs explains (here failed-apply-unremovable: a build that
// failed past an ATTACH entry, then of_overlay_remove() reverting it),
// which fails the target without it.
func TestSkipCited(t *testing.T) {
	p, err := prog.Parse("cited.prog", []byte(`dangle program v1
kernel v6.12
ov = of_overlay_fdt_apply blob=o.dtso fail_nth=9
of_overlay_remove ov=ov
-- o.dtso --
/dts-v1/;
/plugin/;
&bus { clock { }; };
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, skip := range []bool{false, true} {
		r := NewRunner("FuzzLifecycle", Env{SkipCited: skip})
		fails, err := r.RunProg(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(fails) > 0; got == skip {
			t.Errorf("SkipCited=%t: failures %v", skip, fails)
		}
	}
}

// TestOnlyAnyFinding: with DANGLE_ONLY (measuring one bug) a program
// fails on a finding of that title wherever it comes, as the
// minimizer's same-title predicate asks; without it the program fails
// on its primary finding. The dt-fixup driver rebound before its
// deferred release first deadlocks, then leaks its property.
func TestOnlyAnyFinding(t *testing.T) {
	p, err := prog.Parse("only.prog", []byte(`dangle program v1
of_overlay_fdt_apply blob=fixup.dtso
device_release_driver node=/soc/bus@10000/fixup@3000
device_attach node=/soc/bus@10000/fixup@3000
-- fixup.dtso --
/dts-v1/;
/plugin/;
&bus { fixup@3000 { compatible = "dangle,dt-fixup"; reg = <0x3000 0x100>; }; };
`))
	if err != nil {
		t.Fatal(err)
	}
	const leak = "memory leak of property allocated in __of_prop_alloc"
	for _, c := range []struct {
		only *regexp.Regexp
		want string
	}{
		{nil, "deadlock: flush_workqueue(device_link_wq) from its own work item"},
		{regexp.MustCompile("^" + regexp.QuoteMeta(leak) + "$"), leak},
	} {
		fails, err := NewRunner("FuzzLifecycle", Env{Only: c.only}).RunProg(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(fails) != 1 || fails[0].Finding.Title != c.want {
			t.Errorf("Only %v: failures %v, want %q", c.only, fails, c.want)
		}
	}
}
