package sim

import (
	"fmt"
	"strings"
	"testing"

	"dangle/sim/deepcopy"
)

// finish runs ops from..end of k's program, the teardown and the
// oracles, and returns what Run would (log, findings, trace).
func finish(k *Kernel, from int, trace bool) string {
	for i := from; i < len(k.prog.Ops); i++ {
		k.Step(i)
	}
	k.Teardown()
	out := k.Log.String() + "\n--- findings\n"
	for _, f := range k.Log.Findings() {
		f := f
		out += f.String() + "\n"
	}
	for _, f := range k.Log.Known() {
		f := f
		out += "known " + f.String() + "\n"
	}
	if trace {
		out += "\n--- trace\n" + k.TraceReport()
	}
	return out
}

// paranoid copies kernels as Clone does, checking that no memory is
// copied twice (a pointer into a container copied on its own).
var paranoid = func() *deepcopy.Copier {
	c := newKernelCopier()
	c.Paranoid = true
	return c
}()

// TestCloneMidRun clones each corpus program's kernel before every op,
// runs the rest on the clone and compares with the run straight through
// (log, findings, trace); the original, run on afterwards, must give
// the same output too: neither copy sees the other's ops.
func TestCloneMidRun(t *testing.T) {
	progs := corpusPrograms(t)
	for _, name := range sortedNames(progs) {
		p := progs[name]
		cfg := Config{Filename: name, Trace: true}
		k, err := New(p, cfg)
		if err != nil {
			t.Fatal(err)
		}
		k.Log.Harness("kernel %s", k.Prof.Name)
		want := finish(k, 0, true)
		for cut := 0; cut <= len(p.Ops); cut++ {
			orig, _ := New(p, cfg)
			orig.Log.Harness("kernel %s", orig.Prof.Name)
			for i := 0; i < cut; i++ {
				orig.Step(i)
			}
			c := paranoid.Copy(orig).(*Kernel)
			if sh := paranoid.SharedMemory(orig, c); len(sh) > 0 {
				t.Fatalf("%s: the clone before op %d shares memory with the original at %v", name, cut+1, sh)
			}
			if got := finish(c, cut, true); got != want {
				t.Errorf("%s: clone before op %d:\n%s", name, cut+1, firstDiff(got, want))
				continue
			}
			if got := finish(orig, cut, true); got != want {
				t.Errorf("%s: original after a clone before op %d ran:\n%s", name, cut+1, firstDiff(got, want))
			}
		}
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %q\nwant: %q", i+1, gl, wl)
		}
	}
	return "(equal)"
}
