package fuzz

import (
	"os"
	"sort"
	"strconv"
	"testing"

	"dangle/prog/gen"
	"dangle/prog/seq"
	"dangle/sim"
)

// TestGeneratedMainline: programs seq.Generate writes run on mainline
// with no primary finding (sim.Primary) but known ones, API misuse, a
// cited kernel bug (sim.KernelBugs) or mainlineExpected — and an
// unexplained rest of at most 0.1% of the programs, each title logged with a replay seed. DANGLE_GEN_SEEDS=N sets the seed count (default 200;
// the acceptance run is 10000); DANGLE_GEN_SEED=S replays one seed.
func TestGeneratedMainline(t *testing.T) {
	from, to := uint64(0), uint64(200)
	if s := os.Getenv("DANGLE_GEN_SEEDS"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		to = n
	}
	if s := os.Getenv("DANGLE_GEN_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		from, to = n, n+1
	}
	r := NewRunner("FuzzLifecycle", Env{Kernel: "mainline"})
	// overlays the kernel accepts: the reject classes leave partly
	// built changesets that of_overlay_remove cannot revert (the
	// kernel says so at of_overlay_fdt_apply's error path), tested
	// apart in prog/gen and sim
	r.Weights.Gen.Reject = [gen.NumRejects]int{gen.Valid: 1}
	r.Weights.FileApply = 1
	// well-behaved callers: no consumer misuse (a double put is the
	// program's bug, chosen on purpose where the swarm enables it)
	r.Weights.Misuse = 0
	titles := map[string]int{}
	first := map[string]uint64{}
	causes := map[string]int{}
	clean, ops, unexplained := 0, 0, 0
	for seed := from; seed < to; seed++ {
		p := seq.Generate(r.Model, &r.Weights, gen.NewRand(seed))
		ops += len(p.Ops)
		fails, err := r.RunProg(p, nil)
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, p)
		}
		if len(fails) == 0 {
			clean++
			continue
		}
		// the one finding RunProg files (sim.Primary): a cited kernel
		// bug (sim.KernelBugs, with the traced replay's log as evidence)
		// or one of mainlineExpected
		res, err := sim.Run(p, sim.Config{Filename: "generated.prog", Profile: "mainline"})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if kb := sim.CiteBug(p, res.Log, &fails[0].Finding); kb != nil {
			causes[kb.ID]++
			continue
		}
		counted := false
		for _, f := range fails {
			if _, ok := mainlineExpected[f.Finding.Title]; ok {
				causes[f.Finding.Title]++
				continue
			}
			if !counted {
				unexplained++
				counted = true
			}
			if titles[f.Finding.Title] == 0 {
				first[f.Finding.Title] = seed
			}
			titles[f.Finding.Title]++
		}
	}
	n := int(to - from)
	t.Logf("%d programs (%.1f ops each): %d (%.1f%%) without a finding that counts; %d (%.2f%%) with a finding not explained below",
		n, float64(ops)/float64(n), clean, 100*float64(clean)/float64(n), unexplained, 100*float64(unexplained)/float64(n))
	var keys []string
	for k := range causes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		why := mainlineExpected[k]
		for _, kb := range sim.KernelBugs {
			if kb.ID == k {
				why = "cited kernel bug: " + kb.Where
				if kb.Hazard {
					why = "hazard of a modelled driver: " + kb.Where
				}
			}
		}
		t.Logf("%5d× %s — %s", causes[k], k, why)
	}
	keys = keys[:0]
	for k := range titles {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%5d× %s — unexplained (first: DANGLE_GEN_SEED=%d go test ./fuzz -run TestGeneratedMainline -v)", titles[k], k, first[k])
	}
	// The unexplained rest (0.2% of 10,000 seeds when this was written:
	// model bugs or kernel bugs not yet triaged, listed in the log) must
	// not grow: a generator or model change that raises it is a defect.
	// Since the triage of issues 10/12 every primary finding is a cited
	// kernel bug or hazard, API misuse or a listed model false positive,
	// but for 2 of 10,000 seeds (2026-12-02: 8108 and one more, a "memory
	// leak in of_changeset_destroy" held by an i2c client after the
	// program's of_platform_populate/depopulate of a base i2c adapter, not
	// yet traced): at most 0.1%, none in the default 200 seeds.
	if limit := n / 1000; unexplained > limit {
		t.Errorf("%d programs with unexplained findings, more than 0.1%% (%d)", unexplained, limit)
	}
	if testing.Verbose() && to-from == 1 {
		t.Logf("program:\n%s", seq.Generate(r.Model, &r.Weights, gen.NewRand(from)))
	}
}

// mainlineExpected are the findings generated programs may raise on
// mainline that are neither a cited kernel bug (sim.KernelBugs) nor API
// misuse (sim.Primary), and why.
var mainlineExpected = map[string]string{
	// MODEL FALSE POSITIVE, not a kernel finding (the leak oracle's to
	// fix; h-gen's sim/gen_test.go classifies it the same): a base power
	// domain disabled and enabled again probes again, and the genpd
	// provider its new probe registers is in use at teardown, not leaked
	"memory leak of of_genpd_provider allocated in genpd_add_provider": "MODEL FALSE POSITIVE (leak oracle): re-probed base power domain's genpd provider",
}
