package sim

import (
	"strings"
	"testing"

	"dangle/prog"
)

func stateAfter(t *testing.T, text, kern string) *Kernel {
	t.Helper()
	p, err := prog.Parse("s.prog", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	k, err := New(p, Config{Filename: "s.prog", Profile: kern, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	k.RunOps()
	return k
}

const cleanOverlay = `-- dev.dtso --
/dts-v1/;
/plugin/;
&bus { dev@100 { compatible = "dangle,dev"; reg = <0x100 0x10>; }; };
`

// withoutLines drops the encoding lines starting with one of prefixes.
func withoutLines(s string, prefixes ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		keep := true
		for _, p := range prefixes {
			keep = keep && !strings.HasPrefix(l, p)
		}
		if keep {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestStateEncoding: a clean apply+remove (and a flush of the work it
// queued) returns to the state of a program that did nothing, but for
// the program's handle (the id, now 0) and what lockdep learned from
// the locks the apply took (a later op can hit a splat on that graph); a
// leaked reference, a B3 leak or a pending work item are all visible in
// the encoding and the hash.
func TestStateEncoding(t *testing.T) {
	empty := stateAfter(t, "dangle program v1\n"+cleanOverlay, "")
	// the flush: on a refresh kernel (overlay_fwnode) the apply leaves
	// driver_deferred_probe_trigger()'s work queued, as the kernel does
	clean := stateAfter(t, "dangle program v1\nov = of_overlay_fdt_apply blob=dev.dtso\nof_overlay_remove ov=ov\nflush_workqueue wq=events\n"+cleanOverlay, "")
	if a, b := withoutLines(empty.Encode(), "handle ", "lockdep "), withoutLines(clean.Encode(), "handle ", "lockdep "); a != b {
		t.Errorf("clean apply+remove does not restore the state:\n%s", lineDiff(a, b))
	}
	if empty.StateHash() != stateAfter(t, "dangle program v1\n"+cleanOverlay, "").StateHash() {
		t.Error("the same state hashes differently")
	}
	for name, text := range map[string]string{
		"node ref": "dangle program v1\nn = of_node_get node=/soc/bus@10000\n" + cleanOverlay,
		"applied":  "dangle program v1\nov = of_overlay_fdt_apply blob=dev.dtso\n" + cleanOverlay,
		"b3":       "dangle program v1\nov = of_overlay_fdt_apply blob=b3.dtso\nof_overlay_remove ov=ov\n-- b3.dtso --\n/dts-v1/;\n/plugin/;\n&i2c1 { status = \"okay\"; };\n",
	} {
		if stateAfter(t, text, "").StateHash() == empty.StateHash() {
			t.Errorf("%s: state hash equals the empty program's", name)
		}
	}
	// pending link-release work (B1 without the wait) is part of the state
	// (on v6.8 the release work runs on system_long_wq: 0462c56c290a)
	b1 := corpusPrograms(t)["../corpus/b1-reg-expander.prog"]
	k, err := New(b1, Config{Filename: "b1", Profile: "v6.8", Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	k.RunOps()
	if !strings.Contains(k.Encode(), "pending system_long_wq device_link_release_fn") {
		t.Errorf("pending work missing from the encoding:\n%s", k.Encode())
	}
}
