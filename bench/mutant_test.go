package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"dangle/prog/gen"
	"dangle/prog/seq"
	"dangle/sim"
)

// titleAt is a finding title and when a run first had it.
type titleAt struct {
	Title    string  `json:"title"`
	Seconds  float64 `json:"seconds"`
	Programs int     `json:"programs"` // programs run until then, that one included
}

// TestMutantUniform is the uniform-random peer row of make bench's mutant
// table (scripts/bench/mutants.go); it runs only under make bench:
//
//	BENCH_MUTANT_UNIFORM=1 BENCH_MUTANT=driver/release BENCH_SEED=1 BENCH_PROGRAMS=300 \
//	    go test ./bench -run '^TestMutantUniform$' -v
//
// It runs BENCH_PROGRAMS uniform random programs of seed BENCH_SEED on
// mainline with the mutant on (BENCH_MUTANT empty: the baseline) and
// prints every title with the first program that had it as a "BENCH
// {json}" line: every finding of a program counts (as in TestFind), not
// only the one the soak files. Program i is the same with and without
// the mutant.
func TestMutantUniform(t *testing.T) {
	if os.Getenv("BENCH_MUTANT_UNIFORM") != "1" {
		t.Skip("BENCH_MUTANT_UNIFORM not set: a benchmark harness (make bench), not a test")
	}
	var m *sim.Mutant
	if name := os.Getenv("BENCH_MUTANT"); name != "" {
		var err error
		if m, err = sim.MutantByName(name); err != nil {
			t.Fatal(err)
		}
	}
	seed, err := strconv.ParseUint(os.Getenv("BENCH_SEED"), 10, 64)
	if err != nil {
		t.Fatalf("BENCH_SEED: %v", err)
	}
	n, err := strconv.Atoi(os.Getenv("BENCH_PROGRAMS"))
	if err != nil || n < 1 {
		t.Fatalf("BENCH_PROGRAMS: want a positive count, got %q", os.Getenv("BENCH_PROGRAMS"))
	}
	out, _ := json.Marshal(struct {
		Titles []titleAt `json:"titles"`
	}{uniformTitles(m, seed, n)})
	fmt.Printf("BENCH %s\n", out)
}

// uniformTitles runs n uniform random programs of seed with mutant m (nil:
// none) and returns each title at its first program.
func uniformTitles(m *sim.Mutant, seed uint64, n int) []titleAt {
	w := uniformWeights()
	cfg := sim.Config{Quiet: true, Profile: "mainline", Cache: sim.NewCache(), Mutant: m}
	seen := map[string]bool{}
	var out []titleAt
	start := time.Now()
	for i := range n {
		p := seq.Generate(model, &w, gen.NewRand(seed<<32|uint64(i)))
		res, err := sim.Run(p, cfg)
		if err != nil {
			continue // a simulator bug is the soak's business
		}
		for _, f := range res.Findings {
			if !seen[f.Title] {
				seen[f.Title] = true
				out = append(out, titleAt{f.Title, time.Since(start).Seconds(), i + 1})
			}
		}
	}
	return out
}

// TestUniformTitlesMutant: the harness sees a mutant's finding. Uniform
// programs are the same with and without the mutant, so some seed's
// first programs must give of_fixed_clk's forgotten provider a new title.
func TestUniformTitlesMutant(t *testing.T) {
	m, err := sim.MutantByName("of_fixed_clk/of_clk_del_provider")
	if err != nil {
		t.Fatal(err)
	}
	base, mut := map[string]bool{}, map[string]bool{}
	for _, x := range uniformTitles(nil, 1, 200) {
		base[x.Title] = true
	}
	for _, x := range uniformTitles(m, 1, 200) {
		mut[x.Title] = true
	}
	if !mut["memory leak of of_clk_provider allocated in of_clk_add_hw_provider"] || base["memory leak of of_clk_provider allocated in of_clk_add_hw_provider"] {
		t.Errorf("seed 1, 200 uniform programs: the clock-provider leak with the mutant %v, without %v; want true, false", mut, base)
	}
}
