package bench

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"pgregory.net/rapid"

	"dangle/prog"
	"dangle/prog/gen"
	"dangle/prog/seq"
	"dangle/sim"
)

// rapidChoices lets rapid make every choice of the op-sequence builder
// (gen.Choices): rapid draws the op kind, the live handle it acts on,
// each argument and every decision of the overlay generator, and its
// shrinker works on those draws (choice 0 is the plainest, as in seq).
type rapidChoices struct{ t *rapid.T }

func (c rapidChoices) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	return rapid.IntRange(0, n-1).Draw(c.t, "choice")
}

// TestRapidSmoke runs the rapid property's program builder for a few
// checks: rapid-driven programs validate and run (findings or not).
func TestRapidSmoke(t *testing.T) {
	w := seq.DefaultWeights()
	cache := sim.NewCache()
	rapid.Check(t, func(rt *rapid.T) {
		p := seq.Generate(model, &w, rapidChoices{rt})
		if err := p.Validate(); err != nil {
			rt.Fatalf("rapid-driven program does not validate: %v", err)
		}
		if _, err := sim.Run(p, sim.Config{Quiet: true, Cache: cache, Profile: "mainline"}); err != nil {
			rt.Fatalf("run: %v\n%s", err, p)
		}
	})
}

// result is one time-to-find run, printed as a "BENCH {json}" line for
// scripts/bench/find.sh.
type result struct {
	Method   string  `json:"method"`
	Bug      string  `json:"bug"`
	Seed     uint64  `json:"seed"`
	Found    bool    `json:"found"`
	Seconds  float64 `json:"seconds"`  // to the first matching finding, or the cap
	Programs int     `json:"programs"` // programs run until then
	Ops      int     `json:"ops"`      // the first failing program's size
	MinOps   int     `json:"min_ops"`  // rapid: after its shrinker
	ShrinkS  float64 `json:"shrink_seconds"`
}

// TestFind is the time-to-find harness of rapid and uniform random
// programs; it runs only under scripts/bench/find.sh:
//
//	BENCH_FIND=rapid|uniform BENCH_BUG=B5 BENCH_SEED=1 BENCH_CAP=60s \
//	    go test ./bench -run '^TestFind$' -v
//
// From a cold start (fresh cache), one goroutine, on the bug's profile.
func TestFind(t *testing.T) {
	method := os.Getenv("BENCH_FIND")
	if method == "" {
		t.Skip("BENCH_FIND not set: a benchmark harness (scripts/bench/find.sh), not a test")
	}
	var b *bug
	for _, x := range loadBugs(t) {
		if x.Name == os.Getenv("BENCH_BUG") {
			b = &x
		}
	}
	if b == nil {
		t.Fatalf("BENCH_BUG=%q is not in scripts/bench/bugs.tsv", os.Getenv("BENCH_BUG"))
	}
	seed, err := strconv.ParseUint(os.Getenv("BENCH_SEED"), 10, 64)
	if err != nil {
		t.Fatalf("BENCH_SEED: %v", err)
	}
	limit, err := time.ParseDuration(os.Getenv("BENCH_CAP"))
	if err != nil {
		t.Fatalf("BENCH_CAP: %v", err)
	}
	cfg := sim.Config{Quiet: true, Strict: b.Strict, Profile: b.Profile, Cache: sim.NewCache()}
	var r result
	switch method {
	case "uniform":
		r = findUniform(b, cfg, seed, limit)
	case "rapid":
		r = findRapid(t, b, cfg, seed, limit)
	default:
		t.Fatalf("BENCH_FIND=%q: want rapid or uniform", method)
	}
	r.Method, r.Bug, r.Seed = method, b.Name, seed
	out, _ := json.Marshal(r)
	fmt.Printf("BENCH %s\n", out)
}

// findUniform runs uniform random programs until one raises the bug.
func findUniform(b *bug, cfg sim.Config, seed uint64, limit time.Duration) result {
	w := uniformWeights()
	start := time.Now()
	var r result
	for i := uint64(0); time.Since(start) < limit; i++ {
		p := seq.Generate(model, &w, gen.NewRand(seed<<32|i))
		r.Programs++
		if stepwise(p, cfg, b.Title) {
			r.Found, r.Ops = true, len(p.Ops)
			break
		}
	}
	r.Seconds = time.Since(start).Seconds()
	return r
}

// findRapid runs the rapid property "no program raises the bug" with
// rapid's seed until it fails or the cap passes, then lets rapid's
// shrinker minimize the failing case (BENCH_SHRINK, default 30 s).
func findRapid(t *testing.T, b *bug, cfg sim.Config, seed uint64, limit time.Duration) result {
	shrink := os.Getenv("BENCH_SHRINK")
	if shrink == "" {
		shrink = "30s"
	}
	for k, v := range map[string]string{"rapid.seed": fmt.Sprint(seed), "rapid.checks": "1000000000",
		"rapid.nofailfile": "true", "rapid.shrinktime": shrink} {
		if err := flag.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	w := seq.DefaultWeights()
	var r result
	var first time.Time
	var last *prog.Program
	start := time.Now()
	capped := false
	rapid.Check(&quietTB{}, func(rt *rapid.T) {
		if capped || first.IsZero() && time.Since(start) > limit {
			// the cap: rapid has no time limit of its own, so end the
			// run with a failure that draws nothing (its shrink is
			// immediate) and report it as not found
			capped = true
			rt.Fatalf("cap")
		}
		p := seq.Generate(model, &w, rapidChoices{rt})
		if first.IsZero() {
			r.Programs++
		}
		if stepwise(p, cfg, b.Title) {
			if first.IsZero() {
				first, r.Ops = time.Now(), len(p.Ops)
			}
			last = p
			rt.Fatalf("%s", b.Name)
		}
	})
	if first.IsZero() {
		r.Seconds = limit.Seconds()
		return r
	}
	r.Found, r.Seconds = true, first.Sub(start).Seconds()
	r.MinOps, r.ShrinkS = len(last.Ops), time.Since(first).Seconds()
	return r
}

// quietTB is the rapid.TB of findRapid: a failure is the result, not a
// test failure.
type quietTB struct{ failed bool }

func (q *quietTB) Helper()               {}
func (q *quietTB) Name() string          { return "bench" }
func (q *quietTB) Logf(string, ...any)   {}
func (q *quietTB) Log(...any)            {}
func (q *quietTB) Skipf(string, ...any)  {}
func (q *quietTB) Skip(...any)           {}
func (q *quietTB) SkipNow()              {}
func (q *quietTB) Errorf(string, ...any) { q.failed = true }
func (q *quietTB) Error(...any)          { q.failed = true }
func (q *quietTB) Fatalf(string, ...any) { q.failed = true }
func (q *quietTB) Fatal(...any)          { q.failed = true }
func (q *quietTB) FailNow()              { q.failed = true }
func (q *quietTB) Fail()                 { q.failed = true }
func (q *quietTB) Failed() bool          { return q.failed }
