package fuzz

import (
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
