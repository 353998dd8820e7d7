package sim

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"dangle/prog"
)

// TestBigOverlayAllocatesLinearly: applying and removing an overlay of n
// sibling nodes allocates in proportion to n (issue 14 item 8). The model
// once copied the parent's child slice on every __of_attach_node() and
// __of_detach_node() (3.5 GB for 20k nodes), and dtc's duplicate-name
// loops were quadratic too; four times the nodes then allocated ten
// times the bytes (now 4.2). Allocation counts are deterministic (no timing).
func TestBigOverlayAllocatesLinearly(t *testing.T) {
	alloc := func(n int) uint64 {
		var s strings.Builder
		s.WriteString("dangle program v1\nov = of_overlay_fdt_apply blob=big.dtso\nof_overlay_remove ov=ov\n-- big.dtso --\n/dts-v1/;\n/plugin/;\n&bus {\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&s, "\tn%d { x = <%d>; };\n", i, i)
		}
		s.WriteString("};\n")
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		p, err := prog.Parse("big.prog", []byte(s.String()))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(p, Config{Filename: "big.prog"})
		if err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if len(res.Findings) != 0 {
			t.Fatalf("%d nodes: finding %s", n, res.Findings[0].Title)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	small, big := alloc(1000), alloc(4000)
	t.Logf("1000 nodes: %d KB, 4000 nodes: %d KB", small>>10, big>>10)
	if ratio := float64(big) / float64(small); ratio > 6 {
		t.Errorf("4x the nodes allocated %.1fx the bytes (%d KB vs %d KB): not linear", ratio, big>>10, small>>10)
	}
}
