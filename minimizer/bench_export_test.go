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
// only by scripts/bench (BENCH_PADDED_DIR set). For each padded seed and
// each padding seed k = 1..BENCH_PADDED_RUNS (default 5):
//
//   - the seed padded to fit the byte decoder (at most pseq.MaxOps ops,
//     since Go's fuzzer minimizes bytes that decode to the program) is
//     minimized by ours with both predicates — dangle minimize's default
//     (a finding raised during an op stays so) and -teardown's (the
//     title anywhere, as Go's fuzz target and rapid's property see it) —
//     and written as a go test -fuzz cache entry of FuzzLifecycle
//     (DIR/<seed>-<k>.fuzz) for Go's byte minimizer to shrink;
//   - the seed with TestPaddedPrograms' 100-op padding is minimized by
//     ours with both predicates.
//
// One "BENCHMIN {json}" line per seed and k.
func TestBenchPadded(t *testing.T) {
	dir := os.Getenv("BENCH_PADDED_DIR")
	if dir == "" {
		t.Skip("BENCH_PADDED_DIR not set: a benchmark harness (scripts/bench), not a test")
	}
	runs := 5
	if v := os.Getenv("BENCH_PADDED_RUNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("BENCH_PADDED_RUNS=%q: want a positive number", v)
		}
		runs = n
	}
	m, w := fuzz.NewModel(), fuzz.TargetWeights("FuzzLifecycle")
	for _, name := range paddedSeeds {
		seed := loadSeed(t, name)
		title := expectTitle(seed)
		strict, teardown := seedPredicate(t, seed), simPredicate(title, false)
		for k := uint64(1); k <= uint64(runs); k++ {
			var padded *prog.Program
			var data []byte
			for n := pseq.MaxOps - len(seed.Ops); n > 0 && data == nil; n-- {
				p := pad(t, seed, n, k)
				if len(p.Ops) > pseq.MaxOps {
					continue
				}
				if b, err := pseq.Encode(m, &w, p); err == nil {
					padded, data = pseq.Decode(m, &w, b), b
				}
			}
			if padded == nil {
				t.Errorf("%s: no padding of at most %d ops encodes (padding seed %d)", name, pseq.MaxOps, k)
				continue
			}
			short, err := minimizeBoth(padded, strict, teardown)
			if err != nil {
				t.Errorf("%s, padding seed %d: %v", name, k, err)
				continue
			}
			long, err := minimizeBoth(pad(t, seed, 100, k), strict, teardown)
			if err != nil {
				t.Errorf("%s, 100-op padding seed %d: %v", name, k, err)
				continue
			}
			file := filepath.Join(dir, fmt.Sprintf("%s-%d.fuzz", strings.TrimSuffix(name, ".prog"), k))
			entry := "go test fuzz v1\n[]byte(" + strconv.Quote(string(data)) + ")\n"
			if err := os.WriteFile(file, []byte(entry), 0o644); err != nil {
				t.Fatal(err)
			}
			out, _ := json.Marshal(map[string]any{"seed": strings.TrimSuffix(name, ".prog"), "title": title,
				"kernel": seed.Kernel, "hand_ops": len(seed.Ops), "pad_seed": k, "padded_ops": len(padded.Ops),
				"padded_bytes": len(data), "fuzz_entry": file,
				"ours_ops": short[0].ops, "ours_seconds": short[0].seconds,
				"ours_td_ops": short[1].ops, "ours_td_seconds": short[1].seconds,
				"long_padded_ops": long[0].before, "long_ops": long[0].ops, "long_seconds": long[0].seconds,
				"long_td_ops": long[1].ops, "long_td_seconds": long[1].seconds})
			fmt.Printf("BENCHMIN %s\n", out)
		}
	}
}

// benchResult is one minimization's size and time.
type benchResult struct {
	before, ops int
	seconds     float64
}

// minimizeBoth minimizes p with each predicate in turn, memo cleared.
func minimizeBoth(p *prog.Program, preds ...Predicate) ([]benchResult, error) {
	var out []benchResult
	for _, pred := range preds {
		start := time.Now()
		min, _, err := Minimize(p, pred, Options{})
		if err != nil {
			return nil, err
		}
		out = append(out, benchResult{len(p.Ops), len(min.Ops), time.Since(start).Seconds()})
	}
	return out, nil
}
