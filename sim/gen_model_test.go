package sim

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dangle/prog"
	"dangle/prog/gen"
	"dangle/sim/drivers"
)

// The generator's inputs (GenCatalog, GenBase) and its output on other
// trees and for each reject class; gen_test.go has the acceptance runs.

// TestGenBoards: the generator on real boards' trees (../shared/boards):
// 2-cell addresses, deep buses, no catalog controllers, and a blob
// without __symbols__ (am335x-boneblack), where valid overlays must
// carry no labels.
func TestGenBoards(t *testing.T) {
	dir := boardsDir(t)
	w := gen.DefaultWeights()
	for _, b := range []string{"k3-am625-beagleplay.dtb", "bcm2711-rpi-4-b.dtb", "am335x-boneblack.dtb"} {
		data, err := os.ReadFile(filepath.Join(dir, b))
		if err != nil {
			t.Fatal(err)
		}
		src := &Source{Name: b, Data: data}
		tree, err := LoadTree(src)
		if err != nil {
			t.Fatal(err)
		}
		cat := GenCatalog()
		m := &genModel{cat: cat, base: GenBase(tree, cat)}
		cache := NewCache()
		nodes := 0
		for seed := uint64(0); seed < 40; seed++ {
			r := m.generate(seed, &w)
			p := genProgram(seed, r.valid)
			res, err := Run(p, Config{Filename: "generated", Base: src, Cache: cache})
			if err != nil {
				t.Fatalf("%s seed %d: %v", b, seed, err)
			}
			rets := returns(res.Log)
			for _, op := range genOps(len(r.valid)) {
				if rets[op] != "0" {
					t.Fatalf("%s seed %d: op %d returned %s\n%s\n%s", b, seed, op, rets[op], p, res.Log)
				}
			}
			for _, f := range res.Findings {
				if _, ok := expectedFinding(f, p, r.valid); !ok {
					t.Fatalf("%s seed %d: finding %q\n%s\n%s", b, seed, f.Title, p, res.Log)
				}
			}
			for _, ov := range r.valid {
				nodes += len(ov.Nodes)
			}
		}
		if nodes == 0 {
			t.Errorf("%s: no node generated", b)
		}
		t.Logf("%s: %d nodes in 40 seeds", b, nodes)
	}
}

// TestGenRejects: each reject class, forced, is refused on mainline with
// the kernel's message for it (the phandle and label classes fail with
// -EINVAL silently: add_changeset_node, and the __symbols__ update).
func TestGenRejects(t *testing.T) {
	m := newGenModel(t)
	msgs := map[gen.Reject]string{
		gen.RejectDupNode:    "OF: overlay: ERROR: multiple fragments add and/or delete node ",
		gen.RejectDupProp:    "OF: overlay: ERROR: multiple fragments add, update, and/or delete property ",
		gen.RejectUnresolved: "not found in live devicetree symbols table",
		gen.RejectNoTarget:   "OF: overlay: find target, node: ",
		gen.RejectCells:      "OF: overlay: ERROR: changing value of #",
	}
	cache := NewCache()
	for r := gen.Reject(1); r < gen.NumRejects; r++ {
		w := gen.DefaultWeights()
		w.Reject = [gen.NumRejects]int{}
		w.Reject[r] = 1
		for seed := uint64(0); seed < 25; seed++ {
			c := gen.NewRand(seed)
			sw := gen.NewSwarm(c, m.cat)
			st := gen.NewState(m.cat, m.base)
			ov := st.Generate(c, &w, sw)
			if ov.Reject != r {
				t.Fatalf("%v seed %d: generated %v", r, seed, ov.Reject)
			}
			p := genProgram(seed, []*gen.Overlay{ov})
			res, err := Run(p, Config{Filename: "generated", Cache: cache})
			if err != nil {
				t.Fatal(err)
			}
			ret := returns(res.Log)[1]
			if !strings.HasPrefix(ret, "-E") || !strings.Contains(res.Log, msgs[r]) {
				t.Fatalf("%v seed %d: apply returned %s:\n%s\n%s", r, seed, ret, p, res.Log)
			}
		}
	}
}

// TestGenBase: the description of the built-in base tree, field by
// field where the generator depends on it.
func TestGenBase(t *testing.T) {
	m := newGenModel(t)
	byPath := map[string]gen.Node{}
	for _, n := range m.base.Nodes {
		byPath[n.Path] = n
	}
	check := func(path string, ok func(gen.Node) bool, what string) {
		t.Helper()
		if n, found := byPath[path]; !found || !ok(n) {
			t.Errorf("%s: want %s, got %+v", path, what, n)
		}
	}
	check("/", func(n gen.Node) bool {
		return slices.Equal(n.Provides, []gen.Kind{gen.KindSimpleBus}) && *n.Window == gen.Window{Size: 1 << 32}
	}, "a platform bus, identity")
	check("/soc", func(n gen.Node) bool {
		return *n.Window == gen.Window{Size: 1 << 32} && slices.Equal(n.Labels, []string{"soc"})
	}, "identity ranges, label soc")
	check("/soc/bus@10000", func(n gen.Node) bool { return *n.Window == gen.Window{Child: 0, CPU: 0x10000, Size: 0x10000} }, "window 0 -> 0x10000")
	check("/soc/gpio@2000", func(n gen.Node) bool {
		return slices.Equal(n.Provides, []gen.Kind{gen.KindGPIO}) && n.GPIOLines == 32 && n.HasAddr && n.Addr == 0x2000 && n.Phandle
	}, "a 32-line gpio provider at 0x2000")
	check("/soc/i2c@3000", func(n gen.Node) bool {
		return slices.Equal(n.Provides, []gen.Kind{gen.KindI2CBus}) && n.AddrCells == 1 && n.SizeCells == 0 && n.Window == nil
	}, "an i2c bus, cells 1/0, no window")
	check("/soc/i2c@5000", func(n gen.Node) bool { return n.Status == "disabled" }, "disabled")
	check("/clock-24m", func(n gen.Node) bool { return slices.Equal(n.Provides, []gen.Kind{gen.KindClock}) && !n.HasAddr }, "a clock without reg")
	if m.base.NoSymbols || len(m.base.GPIOUses) != 0 {
		t.Errorf("NoSymbols %v, GPIOUses %v", m.base.NoSymbols, m.base.GPIOUses)
	}
	// a consumer's line is recorded (the B4 base tree)
	src, _ := os.ReadFile("../corpus/b4-nvmem-wp-double-put.prog")
	p, err := prog.Parse("b4", src)
	if err != nil {
		t.Fatal(err)
	}
	name, data := p.Base()
	b, err := GenBaseOf(&Source{Name: name, Data: data}, m.cat)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.GPIOUses, []gen.GPIOUse{{Provider: "/soc/i2c@3000/gpio@20", Line: 3}}) {
		t.Errorf("GPIOUses of the B4 base: %v", b.GPIOUses)
	}
}

// TestGenCatalog: every driver model declares its binding (a model
// without one would be unreachable by generation), and every supply
// points at a kind some model provides.
func TestGenCatalog(t *testing.T) {
	cat := GenCatalog()
	if len(cat.Drivers) != len(drivers.Catalog()) {
		for _, d := range drivers.Catalog() {
			if d.Binding == nil {
				t.Errorf("driver %s has no Binding", d.Name)
			}
		}
	}
	provided := map[gen.Kind]bool{}
	for _, d := range cat.Drivers {
		for _, k := range d.Provides {
			provided[k] = true
		}
	}
	for _, d := range cat.Drivers {
		for b := &d.Binding; b != nil; b = b.Child {
			for _, s := range b.Supplies {
				if !provided[s.Provider] {
					t.Errorf("%s: supply %s wants %q, which no driver provides", d.Name, s.Prop, s.Provider)
				}
			}
		}
	}
}
