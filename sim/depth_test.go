package sim

import (
	"strings"
	"testing"

	"dangle/dt"
	"dangle/prog"
)

// deepDTS is a source whose node chain goes depth levels below where: the
// overlay form adds it under &bus, the base form under the root.
func deepDTS(overlay bool, depth int) string {
	var b strings.Builder
	b.WriteString("/dts-v1/;\n")
	if overlay {
		b.WriteString("/plugin/;\n&bus {\n")
	} else {
		b.WriteString("/ {\n\tbus: bus { };\n")
	}
	b.WriteString(strings.Repeat("n {\n", depth))
	b.WriteString("leaf;\n")
	b.WriteString(strings.Repeat("};\n", depth))
	b.WriteString("};\n")
	return b.String()
}

// TestDeepTreesSourceOrBlob: a tree deeper than unflatten_dt_nodes()
// keeps behaves the same given as a source or as its blob, for an overlay
// and for a base tree: the kernel skips the nodes at depth 63 and deeper
// with one WARN_ON_ONCE and goes on (drivers/of/fdt.c).
func TestDeepTreesSourceOrBlob(t *testing.T) {
	for _, tc := range []struct {
		name    string
		overlay bool
	}{{"overlay", true}, {"base", false}} {
		src := deepDTS(tc.overlay, 990)
		tree, _, err := dt.Load("x.dts", []byte(src), dt.CompileOptions{Symbols: true})
		if err != nil {
			t.Fatal(err)
		}
		blob := string(prog.EncodeBlob(dt.WriteFDT(tree)))
		var srcProg, blobProg string
		if tc.overlay {
			ops := "dangle program v1\nov = of_overlay_fdt_apply blob=%s\nof_overlay_remove ov=ov\n-- %s --\n"
			srcProg = strings.ReplaceAll(ops, "%s", "deep.dtso") + src
			blobProg = strings.ReplaceAll(ops, "%s", "deep.dtbo") + blob
		} else {
			srcProg = "dangle program v1\nof_overlay_remove_all\n-- base.dts --\n" + src
			blobProg = "dangle program v1\nof_overlay_remove_all\n-- base.dtb --\n" + blob
		}
		var logs []string
		for _, text := range []string{srcProg, blobProg} {
			p, err := prog.Parse("deep.prog", []byte(text))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			res, err := Run(p, Config{Filename: "deep.prog"})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			log := strings.ReplaceAll(res.Log, "deep.dtbo", "deep.dtso")
			if n := strings.Count(log, "WARNING: CPU: 0 PID: 1 at drivers/of/fdt.c unflatten_dt_nodes"); n != 1 {
				t.Errorf("%s: %d unflatten_dt_nodes warnings, want 1:\n%s", tc.name, n, log)
			}
			if tc.overlay && !strings.Contains(log, "op 1: returned 0, ov = 1") {
				t.Errorf("%s: the overlay does not apply:\n%s", tc.name, log)
			}
			logs = append(logs, log)
		}
		if logs[0] != logs[1] {
			t.Errorf("%s: source and blob differ:\n%s\n---\n%s", tc.name, logs[0], logs[1])
		}
	}
}
