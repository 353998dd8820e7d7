package sim_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dangle/prog"
	"dangle/sim"
)

var updateState = flag.Bool("state.update", false, "rewrite sim/testdata/state/*.state from the current State output (review the diff)")

// TestStateGolden: `dangle run -state` of a few corpus programs (the
// encoding and its "state:" hash line, as cmd/dangle prints them) is
// what testdata/state holds, written before Encode was rebuilt on
// AppendState so the one rendering left still prints the old text. The
// programs cover the overlay list and idr, KASAN and invariant report
// state, a program notifier, fwnode links, deadprops, last puts and
// announced leaks. Regenerate with -state.update and review the diff.
func TestStateGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/state/*.state")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden state files: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".state")
		t.Run(name, func(t *testing.T) {
			src := filepath.Join("..", "corpus", name+".prog")
			p, err := prog.ParseFile(src)
			if err != nil {
				t.Fatal(err)
			}
			enc, hash, err := sim.State(p, sim.Config{Filename: src})
			if err != nil {
				t.Fatal(err)
			}
			got := enc + fmt.Sprintf("state: %016x\n", hash)
			if *updateState {
				if err := os.WriteFile(f, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Fatalf("%s: state differs from %s:\n%s", src, f, firstLineDiff(got, string(want)))
			}
		})
	}
}
