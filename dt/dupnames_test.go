package dt

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// TestFirstDuplicateMatchesDtcLoops: firstDuplicate finds the pair dtc's
// nested loops fail on first, for short lists (the loops themselves) and
// long ones (the one-pass index), on random names with deletions, with and
// without live-only later entries (properties, nodes).
func TestFirstDuplicateMatchesDtcLoops(t *testing.T) {
	const seed = 20261202
	t.Logf("seed %d (replay: go test ./dt -run TestFirstDuplicateMatchesDtcLoops)", seed)
	rng := rand.New(rand.NewSource(seed))
	for iter := 0; iter < 3000; iter++ {
		n := rng.Intn(120)
		names := make([]string, n)
		del := make([]bool, n)
		alpha := 1 + rng.Intn(3*n+1)
		for i := range names {
			names[i] = fmt.Sprint("n", rng.Intn(alpha))
			del[i] = rng.Intn(4) == 0
		}
		for _, liveOnly := range []bool{false, true} {
			wi, wj := -1, -1
		loops:
			for i := 0; i < n; i++ {
				if del[i] {
					continue
				}
				for j := i + 1; j < n; j++ {
					if (!liveOnly || !del[j]) && names[i] == names[j] {
						wi, wj = i, j
						break loops
					}
				}
			}
			gi, gj := firstDuplicate(n, func(i int) string { return names[i] }, func(i int) bool { return del[i] }, liveOnly)
			if gi != wi || gj != wj {
				t.Fatalf("names %v deleted %v liveOnly %t: got (%d, %d), dtc's loops (%d, %d)", names, del, liveOnly, gi, gj, wi, wj)
			}
		}
	}
}

// TestDuplicateNodeNameInLongList: the error names the first duplicate
// pair's later node in a block of many children, as dtc's loops do.
func TestDuplicateNodeNameInLongList(t *testing.T) {
	var s strings.Builder
	s.WriteString("/dts-v1/;\n/ {\n")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&s, "\tn%d { };\n", i)
	}
	s.WriteString("\tn70 { };\n\tn5 { };\n};\n") // n5 at i=5 comes first
	_, _, err := Load("t.dts", []byte(s.String()), CompileOptions{})
	if err == nil || !strings.Contains(err.Error(), `duplicate node name "n5"`) || !strings.Contains(err.Error(), "t.dts:104:") {
		t.Errorf("err = %v, want the duplicate n5 at line 104", err)
	}
}
