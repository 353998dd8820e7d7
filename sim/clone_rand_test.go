package sim

import (
	"flag"
	"math/rand"
	"testing"

	"dangle/prog"
	"dangle/sim/profile"
)

var cloneSeed = flag.Int64("clone.seed", 0, "seed of TestCloneRandom (0: a fixed default)")

// randomProgram builds a random op sequence from p's ops: each step
// removes an op (with its users), or inserts a copy of an op at a random
// position after everything it links to.
func randomProgram(rng *rand.Rand, p *prog.Program) *prog.Program {
	q := p.Clone()
	for n := rng.Intn(8); n > 0; n-- {
		if len(q.Ops) > 0 && rng.Intn(3) == 0 {
			prog.RemoveOp(q, rng.Intn(len(q.Ops)))
			continue
		}
		if len(q.Ops) == 0 {
			break
		}
		op := q.Ops[rng.Intn(len(q.Ops))].Clone()
		op.Label = ""
		first := 0
		for _, a := range op.Args {
			if j := q.Index(a.Ref); j >= first {
				first = j + 1
			}
		}
		_ = prog.InsertOp(q, first+rng.Intn(len(q.Ops)-first+1), op)
	}
	return q
}

// TestCloneRandom checks Clone and Encode on random op sequences built
// from the corpus programs' ops, on random profiles: a kernel cloned at
// a random point and run to the end gives what a straight run gives; the
// original is untouched by the clone's ops (same Encode, same log) and
// also finishes as a straight run; the clone encodes as the original at
// the point of cloning; and a kernel from a Snapshot taken there also
// finishes as a straight run.
func TestCloneRandom(t *testing.T) {
	seed := *cloneSeed
	if seed == 0 {
		seed = 20261201
	}
	t.Logf("seed %d (replay: go test ./sim -run TestCloneRandom -clone.seed %d)", seed, seed)
	rng := rand.New(rand.NewSource(seed))
	progs := corpusPrograms(t)
	names := sortedNames(progs)
	kernels := profile.Names()
	for iter := 0; iter < 60; iter++ {
		name := names[rng.Intn(len(names))]
		p := randomProgram(rng, progs[name])
		cfg := Config{Filename: name, Profile: kernels[rng.Intn(len(kernels))], Trace: true}
		straight, err := New(p, cfg)
		if err != nil {
			t.Fatal(err)
		}
		straight.Log.Harness("kernel %s", straight.Prof.Name)
		want := finish(straight, 0, true)

		orig, _ := New(p, cfg)
		orig.Log.Harness("kernel %s", orig.Prof.Name)
		cut := rng.Intn(len(p.Ops) + 1)
		for i := 0; i < cut; i++ {
			orig.Step(i)
		}
		before, beforeLog := orig.Encode(), orig.Log.String()
		c := orig.Clone()
		if sh := paranoid.SharedMemory(orig, c); len(sh) > 0 {
			t.Fatalf("iteration %d (%s on %s, cut %d): the clone shares memory with the original at %v", iter, name, cfg.Profile, cut, sh)
		}
		if got := c.Encode(); got != before {
			t.Fatalf("iteration %d (%s on %s, cut %d): the clone encodes differently:\n%s", iter, name, cfg.Profile, cut, firstDiff(got, before))
		}
		snap := orig.Snapshot()
		if got := finish(snap.Kernel(), cut, true); got != want {
			t.Fatalf("iteration %d (%s on %s, cut %d): a kernel from a snapshot runs differently from a straight run:\n%s", iter, name, cfg.Profile, cut, firstDiff(got, want))
		}
		if got := finish(c, cut, true); got != want {
			t.Fatalf("iteration %d (%s on %s, cut %d): clone run differs from a straight run:\n%s\nprogram:\n%s", iter, name, cfg.Profile, cut, firstDiff(got, want), p)
		}
		if got := orig.Encode(); got != before {
			t.Fatalf("iteration %d (%s on %s, cut %d): running the clone changed the original's state:\n%s", iter, name, cfg.Profile, cut, firstDiff(got, before))
		}
		if got := orig.Log.String(); got != beforeLog {
			t.Fatalf("iteration %d: running the clone changed the original's log", iter)
		}
		if got := finish(orig, cut, true); got != want {
			t.Fatalf("iteration %d (%s on %s, cut %d): original run differs from a straight run:\n%s", iter, name, cfg.Profile, cut, firstDiff(got, want))
		}
	}
}
