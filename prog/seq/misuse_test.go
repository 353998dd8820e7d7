package seq_test

import (
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"dangle/fuzz"
	"dangle/prog"
	"dangle/prog/seq"
	"dangle/sim"
	"dangle/sim/report"
)

// releasedBy names the argument each releasing op gives up: after it
// the handle is dead (this test's own list, not the builder's).
var releasedBy = map[string]string{
	"of_node_put": "node", "put_device": "dev", "gpiod_put": "desc",
	"device_link_del": "link", "of_overlay_notifier_unregister": "nb",
}

// deadUses lists the ops of p acting on a handle the program gave up or
// never held: a reference argument naming a released handle (overlay
// ids aside: the kernel looks them up), an of_node_put of a path (a
// reference never taken), a device_link_del of a managed link (the
// driver core's).
func deadUses(p *prog.Program) []int {
	dead := map[*prog.Op]bool{}
	var out []int
	for i, op := range p.Ops {
		bad := false
		for _, a := range op.Args {
			if a.Ref != nil && a.Ref.Result() != prog.TypeOverlay && dead[a.Ref] {
				bad = true
			}
		}
		if op.Name() == "of_node_put" && op.Arg("node").Ref == nil {
			bad = true
		}
		if op.Name() == "device_link_del" {
			if l := op.Arg("link").Ref; l != nil && !strings.Contains(prog.DeviceLinkFlags[l.Arg("flags").Int], "STATELESS") {
				bad = true
			}
		}
		if bad {
			out = append(out, i)
		}
		if key, ok := releasedBy[op.Name()]; ok {
			if a := op.Arg(key); a != nil && a.Ref != nil {
				dead[a.Ref] = true
			}
		}
	}
	return out
}

// TestMisuseOnlyByChoice: over many random inputs, Decode acts on a dead
// handle only at the ops that took the misuse choice, only where the
// swarm enabled it, and never with misuse off (Weights.Misuse 0); the
// programs without such ops raise no ownership finding (a double put, a
// put by a non-owner, an over-put) at a put on mainline. The misuse choice is
// reachable: some programs take it.
func TestMisuseOnlyByChoice(t *testing.T) {
	m := fuzz.NewModel()
	n := 2000
	if testing.Short() {
		n = 400
	}
	seed := rand.Uint64()
	if s := os.Getenv("DANGLE_MISUSE_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("seed %d; replay: DANGLE_MISUSE_SEED=%d go test ./prog/seq -run TestMisuseOnlyByChoice", seed, seed)
	r := rand.New(rand.NewPCG(seed, 2))
	off := seq.DefaultWeights()
	off.Misuse = 0
	cache := sim.NewCache()
	taken, ran := 0, 0
	for i := range n {
		b := make([]byte, r.IntN(400))
		for j := range b {
			b[j] = byte(r.Uint32())
			if r.IntN(3) == 0 {
				b[j] %= 4
			}
		}
		if r.IntN(2) == 0 && len(b) > 3 {
			b[2], b[3] = 0, 99 // the full swarm, misuse on
		}
		for _, w := range []seq.Weights{seq.DefaultWeights(), seq.GPIOWeights(), off} {
			p, info := seq.DecodeInfo(m, &w, b)
			dead := deadUses(p)
			for _, j := range dead {
				if !slices.Contains(info.Misused, j) {
					t.Fatalf("input %d (seed %d): op %d acts on a dead handle without the misuse choice (misused %v):\n%s", i, seed, j+1, info.Misused, p)
				}
			}
			if len(info.Misused) > 0 && (!info.Misuse || w.Misuse == 0) {
				t.Fatalf("input %d (seed %d): misuse taken with the swarm's misuse off:\n%s", i, seed, p)
			}
			taken += len(info.Misused)
			if len(info.Misused) > 0 || ran >= n/4 {
				continue
			}
			ran++
			res, err := sim.Run(p, sim.Config{Filename: "decoded.prog", Profile: "mainline", Quiet: true, Cache: cache})
			if err != nil {
				continue
			}
			for _, f := range res.Findings {
				// at a put (an overlay removal's ownership findings are
				// the kernel's: of_overlay_remove_all's idr bug)
				if f.Kind == report.Ownership && f.Op > 0 && releasedBy[p.Ops[f.Op-1].Name()] != "" {
					t.Fatalf("input %d (seed %d): %q at op %d with no misuse choice:\n%s", i, seed, f.Title, f.Op, p)
				}
			}
		}
	}
	t.Logf("%d misuse choices over %d inputs; %d programs run on mainline", taken, n, ran)

	// B6's double put encodes with the misuse choice at its second put,
	// and not at all with misuse off
	b6, err := prog.ParseFile("../../corpus/b6-gpiod-double-put.prog")
	if err != nil {
		t.Fatal(err)
	}
	w := seq.DefaultWeights()
	b, err := seq.Encode(m, &w, b6)
	if err != nil {
		t.Fatal(err)
	}
	if p, info := seq.DecodeInfo(m, &w, b); !info.Misuse || !slices.Equal(info.Misused, []int{3}) || p.String() != seq.Canonical(b6).String() {
		t.Errorf("b6: misuse %v at ops %v, want op index 3:\n%s", info.Misuse, info.Misused, p)
	}
	if _, err := seq.Encode(m, &off, b6); err == nil {
		t.Errorf("b6 encodes with misuse off")
	}
}
