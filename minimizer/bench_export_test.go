package minimizer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"dangle/fuzz"
	"dangle/prog"
	pseq "dangle/prog/seq"
)

// TestBenchPadded is make bench's minimization-quality harness, run
// only by scripts/bench (BENCH_PADDED_DIR set): each padded seed, padded
// to fit the byte decoder (at most pseq.MaxOps ops, since Go's fuzzer
// minimizes bytes that decode to the program), is minimized by ours and
// written as a go test -fuzz cache entry of FuzzLifecycle
// (DIR/<seed>.fuzz) for Go's byte minimizer to shrink; one "BENCHMIN
// {json}" line per seed.
func TestBenchPadded(t *testing.T) {
	dir := os.Getenv("BENCH_PADDED_DIR")
	if dir == "" {
		t.Skip("BENCH_PADDED_DIR not set: a benchmark harness (scripts/bench), not a test")
	}
	m, w := fuzz.NewModel(), fuzz.TargetWeights("FuzzLifecycle")
	for _, name := range paddedSeeds {
		seed := loadSeed(t, name)
		var padded *prog.Program
		var data []byte
		for n := pseq.MaxOps - len(seed.Ops); n > 0 && data == nil; n-- {
			p := pad(t, seed, n, 1)
			if len(p.Ops) > pseq.MaxOps {
				continue
			}
			if b, err := pseq.Encode(m, &w, p); err == nil {
				padded, data = pseq.Decode(m, &w, b), b
			}
		}
		if padded == nil {
			t.Errorf("%s: no padding of at most %d ops encodes", name, pseq.MaxOps)
			continue
		}
		start := time.Now()
		min, _, err := Minimize(padded, seedPredicate(t, seed), Options{})
		took := time.Since(start)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		file := filepath.Join(dir, strings.TrimSuffix(name, ".prog")+".fuzz")
		entry := "go test fuzz v1\n[]byte(" + strconv.Quote(string(data)) + ")\n"
		if err := os.WriteFile(file, []byte(entry), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _ := json.Marshal(map[string]any{"seed": strings.TrimSuffix(name, ".prog"), "title": expectTitle(seed),
			"kernel": seed.Kernel, "hand_ops": len(seed.Ops), "padded_ops": len(padded.Ops), "padded_bytes": len(data),
			"ours_ops": len(min.Ops), "ours_seconds": took.Seconds(), "fuzz_entry": file})
		fmt.Printf("BENCHMIN %s\n", out)
	}
}
