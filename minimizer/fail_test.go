package minimizer

import "testing"

func TestPassFail(t *testing.T) {
	p := parseProg(t, "dangle program v1\nov = of_overlay_fdt_apply blob=x.dtso fail_nth=3\nof_overlay_remove ov=ov fail_nth=1\n"+overlay)
	got, _ := runPass(t, passFail, p, textPredicate("of_overlay_remove", nil, "fail_nth=3"))
	if want := "ov = of_overlay_fdt_apply blob=x.dtso fail_nth=3; of_overlay_remove ov=ov"; opNames(got) != want {
		t.Errorf("got %q, want %q", opNames(got), want)
	}
}
