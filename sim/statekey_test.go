package sim_test

import (
	"bytes"
	"flag"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"dangle/fuzz"
	"dangle/prog"
	"dangle/prog/gen"
	"dangle/prog/seq"
	"dangle/sim"
	"dangle/sim/canon"
	"dangle/sim/profile"
)

var keySeed = flag.Uint64("statekey.seed", 0, "first seed of TestStateKeyClasses's generated programs (0: a fixed default)")

// keyClasses checks that StateKey partitions states as their text
// does: it records each state's text under its key and each key under
// its text, and fails on a key shared by two texts or a text with two
// keys. Its buffer is reused from state to state, as the search reuses
// one, so each check also compares that render with Encode's into a
// fresh buffer: the sorted sections must not depend on what the buffer
// held before or on the order Go iterates the maps they sort.
type keyClasses struct {
	t      *testing.T
	byKey  map[[32]byte]string
	byText map[string][32]byte
	buf    canon.Buf
}

func newKeyClasses(t *testing.T) *keyClasses {
	return &keyClasses{t: t, byKey: map[[32]byte]string{}, byText: map[string][32]byte{}}
}

// check records k's state in the classes; where names the state in a
// failure.
func (c *keyClasses) check(k *sim.Kernel, where func() string) {
	c.t.Helper()
	enc := k.Encode()
	key := k.StateKey(&c.buf)
	if !bytes.Equal(c.buf.B, []byte(enc)) {
		c.t.Fatalf("%s: the state rendered into a reused buffer differs from a fresh render:\n%s", where(), firstLineDiff(string(c.buf.B), enc))
	}
	if text, ok := c.byKey[key]; ok && text != enc {
		c.t.Fatalf("%s: two texts share a key:\n%s", where(), firstLineDiff(text, enc))
	}
	if k2, ok := c.byText[enc]; ok && k2 != key {
		c.t.Fatalf("%s: one text has two keys", where())
	}
	c.byKey[key], c.byText[enc] = enc, key
}

func firstLineDiff(a, b string) string {
	la, lb := bytes.Split([]byte(a), []byte("\n")), bytes.Split([]byte(b), []byte("\n"))
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y []byte
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if !bytes.Equal(x, y) {
			return fmt.Sprintf("line %d:\n  got:  %s\n  want: %s", i+1, x, y)
		}
	}
	return "(same lines)"
}

// runChecked steps p's ops on prof, checking the state before the first
// op and after each one (every: else only the last), and with clones a
// clone's state at every op (which must be its original's text); a
// simulator panic ends the program (it is reported by the tests of the
// model, not here) and is counted.
func runChecked(c *keyClasses, name string, p *prog.Program, prof string, cache *sim.Cache, every, clones bool) (states int, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			panicked = true
		}
	}()
	k, err := sim.New(p, sim.Config{Filename: name, Profile: prof, Quiet: true, Cache: cache})
	if err != nil {
		c.t.Fatalf("%s on %s: %v", name, prof, err)
	}
	for i := 0; ; i++ {
		at := i
		if every || i == len(p.Ops) {
			c.check(k, func() string { return fmt.Sprintf("%s on %s after %d ops", name, prof, at) })
			states++
		}
		if clones {
			cl := k.Clone()
			c.check(cl, func() string { return fmt.Sprintf("%s on %s, clone after %d ops", name, prof, at) })
			if got, want := cl.Encode(), k.Encode(); got != want {
				c.t.Fatalf("%s on %s after %d ops: the clone's state differs:\n%s", name, prof, at, firstLineDiff(got, want))
			}
		}
		if i == len(p.Ops) {
			return states, false
		}
		k.Step(i)
	}
}

// TestStateKeyClasses: StateKey's classes are the state text's (equal
// keys exactly for equal texts), the text does not depend on the
// buffer's history or map order (keyClasses), and a clone's text is its
// original's: over every corpus program on every profile, at every op
// and on a clone at every op, every scenario program on its kernels at
// every op, and over 2000 programs generated from seeds (seq.Generate,
// as FuzzLifecycle decodes them) on mainline and v6.8, at every op for
// one in ten of them and at the end for the rest.
func TestStateKeyClasses(t *testing.T) {
	c := newKeyClasses(t)
	files, err := filepath.Glob("../corpus/*.prog")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus programs: %v", err)
	}
	sort.Strings(files)
	corpusStates := 0
	for _, f := range files {
		p, err := prog.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, prof := range profile.Names() {
			n, _ := runChecked(c, f, p, prof, nil, true, true)
			corpusStates += n
		}
	}

	// the scenario programs on their kernels: lockdep cycles, held
	// locks, devres groups, the hazards the corpus does not reach
	scenarioStates := 0
	datadriven.Walk(t, "testdata/scenarios", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			p, err := prog.Parse(d.Pos, []byte(d.Input+"\n"))
			if d.Cmd != "run" || err != nil {
				return d.Expected // a parse error's scenario: no state
			}
			kernels := []string{""}
			for _, a := range d.CmdArgs {
				if a.Key == "kernel" {
					kernels = a.Vals
				}
			}
			for _, kern := range kernels {
				n, _ := runChecked(c, d.Pos, p, kern, nil, true, false)
				scenarioStates += n
			}
			return d.Expected // checked above; the output is TestScenarios'
		})
	})

	from := *keySeed
	if from == 0 {
		from = 20261202
	}
	const programs = 2000
	t.Logf("generated programs from seed %d (replay: go test ./sim -run TestStateKeyClasses -statekey.seed %d)", from, from)
	r := fuzz.NewRunner("FuzzLifecycle", fuzz.Env{Kernel: "mainline"})
	genStates, panics := 0, 0
	for seed := from; seed < from+programs; seed++ {
		p := seq.Generate(r.Model, &r.Weights, gen.NewRand(seed))
		prof := "mainline"
		if seed%2 == 1 {
			prof = "v6.8"
		}
		n, panicked := runChecked(c, fmt.Sprintf("generated seed %d", seed), p, prof, r.Cache, seed%10 == 0, false)
		genStates += n
		if panicked {
			panics++
		}
	}
	t.Logf("%d corpus states (and as many clones), %d scenario states, %d generated states (%d programs ended by a simulator panic), %d distinct", corpusStates, scenarioStates, genStates, panics, len(c.byKey))
	if len(c.byKey) < 100 {
		t.Fatalf("only %d distinct states: the comparison covers too little", len(c.byKey))
	}
}

// TestStateKeyManyLinks: a state with more device links than
// Core.AppendState collects by a linear scan (it switches to a set)
// lists each link once: ten devices, a stateless link from each to
// every later one (45 links, each on both its devices' lists).
func TestStateKeyManyLinks(t *testing.T) {
	const n = 10
	var ops, nodes strings.Builder
	ops.WriteString("dangle program v1\nkernel mainline\nov = of_overlay_fdt_apply blob=many.dtso\n")
	nodes.WriteString("-- many.dtso --\n/dts-v1/;\n/plugin/;\n&bus {\n")
	node := func(i int) string { return fmt.Sprintf("/soc/bus@10000/test@%x", 0x100*(i+1)) }
	for i := 0; i < n; i++ {
		fmt.Fprintf(&nodes, "\ttest@%x { compatible = \"dangle,devres-test\"; reg = <0x%x 0x10>; };\n", 0x100*(i+1), 0x100*(i+1))
		for j := i + 1; j < n; j++ {
			fmt.Fprintf(&ops, "l%d_%d = device_link_add consumer=%s supplier=%s flags=DL_FLAG_STATELESS\n", i, j, node(j), node(i))
		}
	}
	nodes.WriteString("};\n")
	p, err := prog.Parse("many.prog", []byte(ops.String()+nodes.String()))
	if err != nil {
		t.Fatal(err)
	}
	c := newKeyClasses(t)
	if _, panicked := runChecked(c, "many.prog", p, "mainline", nil, true, false); panicked {
		t.Fatal("the simulator panicked")
	}
	k, _ := sim.New(p, sim.Config{Filename: "many.prog", Quiet: true})
	k.RunOps()
	// the program's links and the base tree's boot-time ones
	got := 0
	for _, l := range strings.Split(k.Encode(), "\n") {
		if strings.HasPrefix(l, "link ") && strings.Contains(l, ".test--platform:") {
			got++
		}
	}
	if got != n*(n-1)/2 {
		t.Fatalf("%d links between the test devices, want %d:\n%s", got, n*(n-1)/2, k.Encode())
	}
}
