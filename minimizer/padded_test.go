package minimizer

// These tests drive the minimizer with the real simulator as predicate.
// Only the tests import sim: the package itself takes its predicate as a
// function (TestNoSimImport).

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"dangle/dt"
	"dangle/prog"
	"dangle/sim"
)

// seedPredicate is simPredicate for the seed's first "# expect:" title,
// required during an op when the seed raises it during one.
func seedPredicate(t testing.TB, seed *prog.Program) Predicate {
	// strict: a known finding (B3's) is minimized as any other
	res, err := sim.Run(seed, sim.Config{Quiet: true, Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	title := expectTitle(seed)
	for _, f := range res.Findings {
		if title == "" {
			title = f.Title // no expect line: the first finding, as dangle minimize
		}
		if f.Title == title {
			return simPredicate(title, f.Op > 0)
		}
	}
	t.Fatalf("seed does not raise %q", title)
	return nil
}

// simPredicate is dangle minimize's predicate: a finding titled title,
// raised during an op if atOp.
func simPredicate(title string, atOp bool) Predicate {
	cfg := sim.Config{Quiet: true, Strict: true, Cache: sim.NewCache()}
	return func(c *prog.Program) Verdict {
		res, err := sim.Run(c, cfg)
		if err != nil {
			return Verdict{}
		}
		for _, f := range res.Findings {
			if f.Title == title && (!atOp || f.Op > 0) {
				return Verdict{Fails: true, Op: f.Op}
			}
		}
		return Verdict{}
	}
}

// expectTitle returns the title of the first "# expect:" header line
// that names a finding raised ("TITLE" or "known TITLE", see
// corpus/README.md), or "".
func expectTitle(p *prog.Program) string {
	for _, h := range p.Header {
		if s, ok := strings.CutPrefix(h, "# expect:"); ok {
			s = strings.TrimSpace(s)
			if s == "clean" || strings.HasPrefix(s, "not ") {
				continue
			}
			return strings.TrimPrefix(s, "known ")
		}
	}
	return ""
}

func loadSeed(t testing.TB, name string) *prog.Program {
	t.Helper()
	p, err := prog.ParseFile("../corpus/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// padOps are unrelated op groups: reference pairs on base nodes, flushes,
// devres on a device the bug does not involve. %d is the group number,
// %g a devres group id and action number derived from it (within the op
// table's ranges).
var padOps = [][]string{
	{"np%d = of_node_get node=/soc/spi@4000", "of_node_put node=np%d"},
	{"dev%d = get_device node=/soc/spi@4000", "put_device dev=dev%d"},
	{"flush_workqueue wq=events"},
	{"devres_open_group node=/soc/spi@4000 id=%g", "devm_add_action node=/soc/spi@4000 action=%g", "devres_release_group node=/soc/spi@4000 id=%g"},
	{"nq%d = of_node_get node=/clock-24m", "of_node_put node=nq%d"},
	{"run_work wq=events"},
}

// padSeed returns the padding PRNG seed: $DANGLE_PAD_SEED, or def.
func padSeed(t testing.TB, def uint64) uint64 {
	if v := os.Getenv("DANGLE_PAD_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("DANGLE_PAD_SEED: %v", err)
		}
		return n
	}
	return def
}

// pad returns p with at least n unrelated ops, groups of padOps drawn
// with the seeded PRNG, each line of a group placed at a random point
// (in order; a get and its put may straddle the bug's ops), nine in ten
// before the bug's last op; every node of its sources gets extra
// properties, and extra nodes come in a new top-level block of each
// overlay and under the root of a base.dts.
func pad(t testing.TB, p *prog.Program, n int, seed uint64) *prog.Program {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0))
	slots := make([][]string, len(p.Ops)+1) // slots[k]: padding before bug op k
	for added, g := 0, 0; added < n; g++ {
		grp := padOps[rng.IntN(len(padOps))]
		k := rng.IntN(len(p.Ops)) // at or before the last bug op
		if rng.IntN(10) == 0 {
			k = len(p.Ops)
		}
		for _, l := range grp {
			l = strings.ReplaceAll(l, "%g", fmt.Sprint(g%prog.MaxDevresID+1))
			slots[k] = append(slots[k], strings.ReplaceAll(l, "%d", fmt.Sprint(g)))
			added++
			k += rng.IntN(len(slots) - k)
		}
	}
	var lines []string
	names := p.Names()
	for k := range slots {
		lines = append(lines, slots[k]...)
		if k < len(p.Ops) {
			lines = append(lines, p.OpString(k, names))
		}
	}
	var b strings.Builder
	b.WriteString(prog.Version + "\n")
	for _, h := range p.Header {
		b.WriteString(h + "\n")
	}
	if p.Kernel != "" {
		b.WriteString("kernel " + p.Kernel + "\n")
	}
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	for _, f := range p.Files {
		fmt.Fprintf(&b, "-- %s --\n%s", f.Name, padSource(t, f))
	}
	q, err := prog.Parse("padded.prog", []byte(b.String()))
	if err != nil {
		t.Fatalf("padded program: %v\n%s", err, b.String())
	}
	return q
}

func padSource(t testing.TB, f prog.File) []byte {
	df, err := dt.Parse(f.Name, f.Data)
	if err != nil {
		t.Fatal(err)
	}
	k := 0
	walkNodes(df.Nodes, func(n *dt.NodeDef) {
		if n.Delete {
			return
		}
		k++
		n.Props = append(n.Props,
			&dt.PropDef{Name: fmt.Sprintf("dangle,pad-%d", k), Values: []*dt.Value{{Kind: dt.CellsValue, Cells: []*dt.Cell{{Expr: dt.Num(1, false)}, {Expr: dt.Num(2, false)}}}}},
			&dt.PropDef{Name: fmt.Sprintf("pad-names-%d", k), Values: []*dt.Value{{Kind: dt.StringValue, Str: "a"}, {Kind: dt.StringValue, Str: "b"}}})
	})
	var extra []*dt.NodeDef
	for i := range 4 {
		extra = append(extra, &dt.NodeDef{Name: fmt.Sprintf("pad-%d", i),
			Props:    []*dt.PropDef{{Name: "pad-value", Values: []*dt.Value{{Kind: dt.StringValue, Str: "x"}}}, {Name: "pad-flag"}},
			Children: []*dt.NodeDef{{Name: "inner", Props: []*dt.PropDef{{Name: "pad-cells", Values: []*dt.Value{{Kind: dt.CellsValue, Cells: []*dt.Cell{{Expr: dt.Num(3, false)}}}}}}}}})
	}
	if df.Plugin {
		df.Nodes = append(df.Nodes, &dt.NodeDef{Ref: "/", Children: extra})
	} else {
		df.Nodes[0].Children = append(df.Nodes[0].Children, extra...)
	}
	return dt.Format(df)
}

var paddedSeeds = []string{
	"b1-reg-expander.prog",
	"b2-depopulate-remove.prog",
	"b3-base-prop-leak.prog",
	"b4-nvmem-wp-double-put.prog",
	"b5-gpiochip-remove-requested.prog",
	"b6-gpiod-double-put.prog",
	"b7-input-unbind.prog",
	"remove-all-aliasing.prog",
}

// TestPaddedPrograms: each corpus bug (B1-B7 and the remove_all
// aliasing) plus >= 100 unrelated ops and extra nodes and properties
// minimizes, in under 2 s, to no more than the hand-written seed's op,
// node and property counts, and to no more than the size the seed itself
// minimizes to; the result is 1-minimal.
func TestPaddedPrograms(t *testing.T) { testPadded(t, false) }

// TestPaddedTeardown is TestPaddedPrograms with the predicate Go's
// fuzzer and rapid's shrinker use: the title anywhere, the teardown
// included. The results are also at most teardownOps ops.
func TestPaddedTeardown(t *testing.T) { testPadded(t, true) }

// teardownOps are the op counts Go's byte minimizer reaches on the
// padded programs (BENCHMARKS.md, table 3), for the bugs where ours
// reaches them too with the same predicate; b5's 2 ops come from a
// different overlay (the decoder's bytes changed, see table 3).
var teardownOps = map[string]int{
	"b1-reg-expander.prog": 1, "b2-depopulate-remove.prog": 1, "b3-base-prop-leak.prog": 1,
	"b4-nvmem-wp-double-put.prog": 1, "b7-input-unbind.prog": 1,
}

// maxPaddedRuns bounds the program runs one padded minimization may
// take (the largest today is under 200).
const maxPaddedRuns = 1000

func testPadded(t *testing.T, teardown bool) {
	rs := padSeed(t, 1)
	t.Logf("padding seed %d; replay: DANGLE_PAD_SEED=%d go test ./minimizer -run %s -v", rs, rs, t.Name())
	for _, name := range paddedSeeds {
		t.Run(strings.TrimSuffix(name, ".prog"), func(t *testing.T) {
			seed := loadSeed(t, name)
			pred := seedPredicate(t, seed)
			if teardown {
				pred = simPredicate(expectTitle(seed), false)
			}
			padded := pad(t, seed, 100, rs)
			if n := len(padded.Ops) - len(seed.Ops); n < 100 {
				t.Fatalf("only %d padding ops", n)
			}
			start := time.Now()
			got, st, err := Minimize(padded, pred, Options{})
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			fromSeed, _, err := Minimize(seed, pred, Options{})
			if err != nil {
				t.Fatal(err)
			}
			seedSize, want := SizeOf(seed), SizeOf(fromSeed)
			t.Logf("%s: padded %v -> %v in %v (%d runs); seed %v minimizes to %v",
				name, st.Before, st.After, elapsed.Round(time.Millisecond), st.Steps, seedSize, want)
			// As small as the seed's own minimum: as many ops, and as
			// many nodes and properties together (the remove_all seed's
			// overlay keeps a node where the padded one keeps a padding
			// property: two 1-minimal results of one size).
			if st.After.Ops > want.Ops || st.After.Nodes+st.After.Props > want.Nodes+want.Props {
				t.Errorf("padded result %v, want no larger than the seed's minimum %v\n%s", st.After, want, got)
			}
			if st.After.Ops > seedSize.Ops || st.After.Nodes > seedSize.Nodes || st.After.Props > seedSize.Props {
				t.Errorf("padded result %v exceeds the hand-minimal seed %v", st.After, seedSize)
			}
			if n, ok := teardownOps[name]; teardown && ok && st.After.Ops > n {
				t.Errorf("teardown predicate: %d ops, want at most %d (Go's byte minimizer's)\n%s", st.After.Ops, n, got)
			}
			// The "under 2 s" of issue 11 is a speed claim, measured by
			// BenchmarkMinimizePadded and make bench's table 3, not
			// asserted here on a shared machine; the number of program
			// runs is deterministic and bounds it (about 0.6 ms a run).
			if st.Steps > maxPaddedRuns {
				t.Errorf("took %d runs, want at most %d", st.Steps, maxPaddedRuns)
			}
			if st.Exhausted {
				t.Error("budget exhausted")
			}
			checkProgramOneMinimal(t, got, pred)
			checkDTC(t, got)
		})
	}
}

// checkProgramOneMinimal removes each op (with the ops using its result),
// each node and each property of p in turn and checks that the finding
// goes away (or the candidate is not well formed).
func checkProgramOneMinimal(t *testing.T, p *prog.Program, pred Predicate) {
	t.Helper()
	if !pred(p).Fails {
		t.Fatal("result does not fail")
	}
	still := func(what string, c *prog.Program) {
		if valid(c) == nil && pred(c).Fails {
			t.Errorf("not 1-minimal: still fails without %s\n%s", what, c)
		}
	}
	for i := range p.Ops {
		drop := make([]bool, len(p.Ops))
		drop[i] = true
		still(fmt.Sprintf("op %d (%s)", i+1, p.Ops[i]), removeOps(p, drop))
	}
	for _, f := range p.Files {
		if !isSource(f.Name) {
			continue
		}
		df := parseFile(p, f.Name)
		var items []any
		walkNodes(df.Nodes, func(n *dt.NodeDef) {
			items = append(items, n)
			for _, pr := range n.Props {
				items = append(items, pr)
			}
		})
		for i := range items {
			g := parseFile(p, f.Name)
			var gi []any
			walkNodes(g.Nodes, func(n *dt.NodeDef) {
				gi = append(gi, n)
				for _, pr := range n.Props {
					gi = append(gi, pr)
				}
			})
			prune(g, map[any]bool{gi[i]: true})
			what := "a node"
			if pr, ok := gi[i].(*dt.PropDef); ok {
				what = "property " + pr.Name
			} else {
				what = "node " + gi[i].(*dt.NodeDef).Name + string(gi[i].(*dt.NodeDef).Ref)
			}
			still(f.Name+": "+what, withFile(p, f.Name, dt.Format(g)))
		}
	}
}

// TestPadShape guards the padded programs: most padding sits before the
// bug's last op (where dropping the ops after the report cannot reach
// it), and the padded program still fails.
func TestPadShape(t *testing.T) {
	seed := loadSeed(t, "b1-reg-expander.prog")
	p := pad(t, seed, 100, padSeed(t, 1))
	last := -1
	for i, op := range p.Ops {
		if op.Name() == "of_overlay_remove" {
			last = i
		}
	}
	if last < 60 {
		t.Errorf("of_overlay_remove is op %d of %d: want most padding before it\n%s", last+1, len(p.Ops), p)
	}
	if !seedPredicate(t, seed)(p).Fails {
		t.Errorf("padded program does not fail\n%s", p)
	}
}

// checkDTC compiles every device-tree source of p with dtc -@, as the
// program format promises (skipped without dtc).
func checkDTC(t *testing.T, p *prog.Program) {
	t.Helper()
	dtc, err := exec.LookPath("dtc")
	if err != nil {
		return
	}
	dir := t.TempDir()
	for _, f := range p.Files {
		if !isSource(f.Name) {
			continue
		}
		src := filepath.Join(dir, f.Name)
		if err := os.WriteFile(src, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(dtc, "-q", "-@", "-I", "dts", "-O", "dtb", "-o", os.DevNull, src).CombinedOutput(); err != nil {
			t.Errorf("%s: dtc: %v\n%s\n%s", f.Name, err, out, f.Data)
		}
	}
}
