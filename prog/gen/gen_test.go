package gen

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"dangle/dt"
)

// testCatalog is a small catalog of the real one's shapes, so the
// package is tested without the simulator (sim/gen_test.go runs the
// generator against the real catalog and model).
func testCatalog() *Catalog {
	return &Catalog{Drivers: []Driver{
		{Name: "simple-pm-bus", Compatibles: []string{"simple-bus", "simple-mfd"}, Bus: BusPlatform, Binding: Binding{
			Node: "bus", Provides: []Kind{KindSimpleBus},
			Props: []Prop{{Name: "#address-cells", Value: "<1>"}, {Name: "#size-cells", Value: "<1>"}}}},
		{Name: "i2c", Compatibles: []string{"dangle,i2c-controller"}, Bus: BusPlatform, Binding: Binding{
			Node: "i2c", Provides: []Kind{KindI2CBus},
			Props:    []Prop{{Name: "#address-cells", Value: "<1>"}, {Name: "#size-cells", Value: "<0>"}},
			Supplies: []Supply{{Prop: "clocks", Provider: KindClock}}}},
		{Name: "clk", Compatibles: []string{"fixed-clock"}, Bus: BusPlatform, Binding: Binding{
			Node: "clock", NoReg: true, Provides: []Kind{KindClock},
			Props: []Prop{{Name: "#clock-cells", Value: "<0>"}}}},
		{Name: "reg", Compatibles: []string{"regulator-fixed"}, Bus: BusPlatform, Binding: Binding{
			Node: "regulator", NoReg: true, Provides: []Kind{KindRegulator},
			Props: []Prop{{Name: "regulator-name", Value: `"$name"`}}}},
		{Name: "expander", Compatibles: []string{"nxp,pca9534"}, Bus: BusI2C, Binding: Binding{
			Node: "gpio", Provides: []Kind{KindGPIO}, GPIOLines: 8,
			Props:    []Prop{{Name: "gpio-controller"}, {Name: "#gpio-cells", Value: "<2>"}},
			Supplies: []Supply{{Prop: "vcc-supply", Provider: KindRegulator}}}},
		{Name: "eeprom", Compatibles: []string{"atmel,24c32"}, Bus: BusI2C, Binding: Binding{
			Node: "eeprom", Supplies: []Supply{{Prop: "wp-gpios", Provider: KindGPIO}}}},
		{Name: "leds", Compatibles: []string{"gpio-leds"}, Bus: BusPlatform, Binding: Binding{
			Node: "leds", NoReg: true,
			Child: &Binding{Node: "led", Supplies: []Supply{{Prop: "gpios", Provider: KindGPIO, Required: true}}}}},
	}}
}

// testBase is prog/base.dts, cut down, as sim.GenBase describes it.
func testBase() *Base {
	id := &Window{Size: 1 << 32}
	return &Base{Nodes: []Node{
		{Path: "/", Provides: []Kind{KindSimpleBus}, AddrCells: 1, SizeCells: 1, Window: id},
		{Path: "/clock-24m", Labels: []string{"clk24m"}, Compatible: "fixed-clock", Provides: []Kind{KindClock}, AddrCells: -1, SizeCells: -1, Phandle: true},
		{Path: "/soc", Labels: []string{"soc"}, Compatible: "simple-bus", Provides: []Kind{KindSimpleBus}, AddrCells: 1, SizeCells: 1, Window: id, Phandle: true},
		{Path: "/soc/gpio@2000", Labels: []string{"gpio0"}, Compatible: "dangle,gpio-controller", Provides: []Kind{KindGPIO}, GPIOLines: 32,
			AddrCells: -1, SizeCells: -1, Addr: 0x2000, HasAddr: true, Phandle: true, Props: []string{"compatible", "reg", "gpio-controller"}},
		{Path: "/soc/i2c@3000", Labels: []string{"i2c0"}, Compatible: "dangle,i2c-controller", Provides: []Kind{KindI2CBus},
			AddrCells: 1, SizeCells: 0, Addr: 0x3000, HasAddr: true, Phandle: true},
		{Path: "/soc/i2c@3000/gpio@20", Compatible: "nxp,pca9534", Provides: []Kind{KindGPIO}, GPIOLines: 8, AddrCells: -1, SizeCells: -1, Addr: 0x20, HasAddr: true},
		{Path: "/soc/i2c@5000", Labels: []string{"i2c1"}, Compatible: "dangle,i2c-controller", Status: "disabled", Provides: []Kind{KindI2CBus},
			AddrCells: 1, SizeCells: 0, Addr: 0x5000, HasAddr: true, Phandle: true},
		{Path: "/soc/bus@10000", Labels: []string{"bus"}, Compatible: "simple-bus", Provides: []Kind{KindSimpleBus}, AddrCells: 1, SizeCells: 1,
			Window: &Window{Child: 0, CPU: 0x10000, Size: 0x10000}, Phandle: true},
	}, GPIOUses: []GPIOUse{{"/soc/gpio@2000", 0}}}
}

// zeros is an exhausted choice stream.
type zeros struct{ calls int }

func (z *zeros) Intn(n int) int {
	if n < 1 {
		panic(fmt.Sprintf("Intn(%d)", n))
	}
	z.calls++
	return 0
}

// checked wraps a Choices and fails on a bad argument.
type checked struct {
	t *testing.T
	c Choices
}

func (c checked) Intn(n int) int {
	if n < 1 {
		c.t.Fatalf("Intn(%d)", n)
	}
	v := c.c.Intn(n)
	if v < 0 || v >= n {
		c.t.Fatalf("Intn(%d) = %d", n, v)
	}
	return v
}

func compile(t *testing.T, ov *Overlay) *dt.Tree {
	t.Helper()
	tree, _, err := dt.Load("ov.dtso", ov.Source, dt.CompileOptions{Symbols: true})
	if err != nil {
		t.Fatalf("overlay %d (%v) does not compile: %v\n%s", ov.Seq, ov.Reject, err, ov.Source)
	}
	return tree
}

// stack generates up to n overlays on one state, applying the valid ones.
func stack(t *testing.T, seed uint64, n int, sw func(*Catalog, Choices) *Swarm) (*State, []*Overlay) {
	cat := testCatalog()
	st := NewState(cat, testBase())
	c := checked{t, NewRand(seed)}
	w := DefaultWeights()
	s := FullSwarm(cat)
	if sw != nil {
		s = sw(cat, c)
	}
	var out []*Overlay
	for range n {
		ov := st.Generate(c, &w, s)
		if ov.Reject == Valid {
			st.Apply(ov)
		}
		out = append(out, ov)
	}
	return st, out
}

func TestDeterministic(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		_, a := stack(t, seed, 3, func(c *Catalog, ch Choices) *Swarm { return NewSwarm(ch, c) })
		_, b := stack(t, seed, 3, func(c *Catalog, ch Choices) *Swarm { return NewSwarm(ch, c) })
		for i := range a {
			if !bytes.Equal(a[i].Source, b[i].Source) {
				t.Fatalf("seed %d overlay %d differs between runs:\n%s\n---\n%s", seed, i, a[i].Source, b[i].Source)
			}
		}
	}
}

// TestExhausted: a stream of zeros (an exhausted fuzzer input) gives a
// small valid overlay, every time, with few decisions.
func TestExhausted(t *testing.T) {
	cat := testCatalog()
	z := &zeros{}
	sw := NewSwarm(z, cat)
	if !slices.Equal(sw.Drivers, FullSwarm(cat).Drivers) || sw.Frags != FullSwarm(cat).Frags {
		t.Errorf("zeros should enable everything: %+v", sw)
	}
	st := NewState(cat, testBase())
	w := NewWeights(z)
	if w != DefaultWeights() {
		t.Errorf("zeros should choose the default weights: %+v", w)
	}
	for i := range 3 {
		ov := st.Generate(z, &w, sw)
		if ov.Reject != Valid || len(ov.Fragments) != 1 || len(ov.Drivers) != 1 {
			t.Errorf("overlay %d: reject %v, %d fragments, drivers %v:\n%s", i, ov.Reject, len(ov.Fragments), ov.Drivers, ov.Source)
		}
		compile(t, ov)
		st.Apply(ov)
	}
	if z.calls > 200 {
		t.Errorf("%d decisions for three plain overlays", z.calls)
	}
}

// TestCompiles: every overlay, valid or not, is valid DTS with unique
// labels, and the compiled overlay has the fragments the record says.
func TestCompiles(t *testing.T) {
	for seed := uint64(0); seed < 300; seed++ {
		_, ovs := stack(t, seed, 3, nil)
		for _, ov := range ovs {
			tree := compile(t, ov)
			n := 0
			for _, ch := range tree.Root.Children {
				if ch.Child("__overlay__") != nil {
					n++
				}
			}
			if n != len(ov.Fragments) {
				t.Fatalf("seed %d overlay %d: %d fragments compiled, %d recorded\n%s", seed, ov.Seq, n, len(ov.Fragments), ov.Source)
			}
		}
	}
}

// TestInvariants: across stacked valid overlays, new nodes never take a
// live path, labels are unique, GPIO lines are requested once, and
// supplier links point at providers of the right kind that are live or
// in the same overlay.
func TestInvariants(t *testing.T) {
	for seed := uint64(0); seed < 300; seed++ {
		st := NewState(testCatalog(), testBase())
		c := checked{t, NewRand(seed)}
		w := DefaultWeights()
		sw := FullSwarm(st.cat)
		for range 4 {
			v := st.view()
			ov := st.Generate(c, &w, sw)
			if ov.Reject != Valid {
				continue
			}
			added := map[string]*Node{}
			for i, n := range ov.Nodes {
				if v.byPath[n.Path] != nil || added[n.Path] != nil {
					t.Fatalf("seed %d overlay %d: node %s already exists\n%s", seed, ov.Seq, n.Path, ov.Source)
				}
				added[n.Path] = &ov.Nodes[i]
				for _, l := range n.Labels {
					if v.labels[l] != nil {
						t.Fatalf("seed %d: label %s redefined", seed, l)
					}
				}
			}
			mine := map[GPIOUse]bool{}
			for _, u := range ov.GPIOUses {
				if v.gpioUsed[u.Provider][u.Line] || mine[u] {
					t.Fatalf("seed %d overlay %d: line %d of %s requested twice", seed, ov.Seq, u.Line, u.Provider)
				}
				mine[u] = true
			}
			for _, l := range ov.Links {
				p := added[l.Provider]
				if p == nil {
					if vn := v.byPath[l.Provider]; vn != nil {
						p = &vn.Node
					}
				}
				if p == nil || len(p.Provides) == 0 {
					t.Fatalf("seed %d overlay %d: link %+v to a non-provider\n%s", seed, ov.Seq, l, ov.Source)
				}
				if (l.From == FromBase || l.From == FromEarlier) != (added[l.Provider] == nil) {
					t.Fatalf("seed %d: link %+v: origin does not match", seed, l)
				}
			}
			st.Apply(ov)
		}
	}
}

// TestSwarm: a valid overlay uses only the swarm's drivers and, where a
// target allows one, its fragment kinds.
func TestSwarm(t *testing.T) {
	cat := testCatalog()
	for seed := uint64(0); seed < 200; seed++ {
		sw := FullSwarm(cat)
		for i := range sw.Drivers {
			sw.Drivers[i] = cat.Drivers[i].Name != "leds" && cat.Drivers[i].Name != "eeprom"
		}
		sw.Frags[FragTarget] = false
		st := NewState(cat, testBase())
		w := DefaultWeights()
		for range 3 {
			ov := st.Generate(NewRand(seed), &w, sw)
			if ov.Reject != Valid {
				continue
			}
			for _, d := range ov.Drivers {
				if d == "leds" || d == "eeprom" {
					t.Fatalf("seed %d: disabled driver %s generated", seed, d)
				}
			}
			if slices.Contains(ov.Fragments, FragTarget) {
				t.Fatalf("seed %d: disabled fragment kind generated:\n%s", seed, ov.Source)
			}
			st.Apply(ov)
		}
	}
}

// TestStacking: later overlays build on earlier ones (targets, labels),
// and Remove takes an overlay's nodes and labels away again.
func TestStacking(t *testing.T) {
	onTop := 0
	for seed := uint64(0); seed < 200; seed++ {
		st, ovs := stack(t, seed, 3, nil)
		for _, ov := range ovs[1:] {
			if ov.Reject != Valid {
				continue
			}
			for _, l := range ov.Links {
				if l.From == FromEarlier {
					onTop++
				}
			}
			for _, n := range ov.Nodes {
				for _, e := range st.Applied() {
					if e.Seq < ov.Seq && strings.HasPrefix(n.Path, pathOf(e)) {
						onTop++
					}
				}
			}
		}
		for _, ov := range st.Applied() {
			st.Remove(ov)
		}
		v := st.view()
		if len(v.nodes) != len(testBase().Nodes) {
			t.Fatalf("seed %d: %d nodes after removing every overlay", seed, len(v.nodes))
		}
	}
	if onTop == 0 {
		t.Error("no overlay built on an earlier one")
	}
}

func pathOf(ov *Overlay) string {
	if len(ov.Nodes) == 0 {
		return "\x00"
	}
	return ov.Nodes[0].Path + "/"
}

// TestRejectClasses: each class is chosen, reported, and leaves its
// mark in the source.
func TestRejectClasses(t *testing.T) {
	cat := testCatalog()
	marks := map[Reject]string{RejectDupNode: "dup-o", RejectDupProp: "dangle,dup-o", RejectUnresolved: "missing",
		RejectNoTarget: "missing-o", RejectCells: "-cells = <", RejectPhandle: "dangle,self", RejectLabel: ": node-o"}
	for r := Reject(1); r < NumRejects; r++ {
		w := DefaultWeights()
		w.Reject = [NumRejects]int{}
		w.Reject[r] = 1
		for seed := uint64(0); seed < 20; seed++ {
			st := NewState(cat, testBase())
			ov := st.Generate(NewRand(seed), &w, FullSwarm(cat))
			if ov.Reject != r || !strings.Contains(string(ov.Source), marks[r]) {
				t.Fatalf("class %v, seed %d: got %v\n%s", r, seed, ov.Reject, ov.Source)
			}
			compile(t, ov)
			if len(ov.Nodes) != 0 {
				t.Fatalf("class %v: a rejected overlay records nodes", r)
			}
		}
	}
}

// TestNoSymbols: on a tree without __symbols__ (and so without labels)
// valid overlays carry no label and no reference, which the kernel would
// refuse.
func TestNoSymbols(t *testing.T) {
	cat := testCatalog()
	base := testBase()
	base.NoSymbols = true
	for i := range base.Nodes {
		base.Nodes[i].Labels = nil
	}
	w := DefaultWeights()
	for seed := uint64(0); seed < 200; seed++ {
		st := NewState(cat, base)
		for range 3 {
			ov := st.Generate(NewRand(seed), &w, FullSwarm(cat))
			if ov.Reject != Valid {
				continue
			}
			if tree := compile(t, ov); tree.Find("/__symbols__") != nil || tree.Find("/__fixups__") != nil || tree.Find("/__local_fixups__") != nil {
				t.Fatalf("seed %d: labels or references without live symbols:\n%s", seed, ov.Source)
			}
			st.Apply(ov)
		}
	}
}

// TestAnyWeights: whatever the weights (zero, huge, lopsided), the
// generator terminates, stays within its bounds and writes valid DTS —
// as it must when a fuzzer's bytes choose them later.
func TestAnyWeights(t *testing.T) {
	cat := testCatalog()
	for seed := uint64(0); seed < 300; seed++ {
		r := NewRand(seed)
		w := NewWeights(r)
		st := NewState(cat, testBase())
		c := checked{t, r}
		sw := NewSwarm(c, cat)
		for range 3 {
			ov := st.Generate(c, &w, sw)
			compile(t, ov)
			if len(ov.Fragments) == 0 {
				t.Fatalf("seed %d: no fragment", seed)
			}
			if n := len(ov.Drivers); n > max(w.MaxNodes, 0) {
				t.Fatalf("seed %d: %d device nodes, MaxNodes %d", seed, n, w.MaxNodes)
			}
			if ov.Reject == Valid {
				st.Apply(ov)
			}
		}
	}
}

// TestConsumerNodes: a consumer fragment adds a disabled node without a
// compatible (no device: a test module's lines) naming one free line of
// a provider by a ConsumerCons "<con>-gpios", recorded with its props.
func TestConsumerNodes(t *testing.T) {
	cat := testCatalog()
	w := DefaultWeights()
	w.Action = [NumActions]int{ActConsumer: 1}
	seen := 0
	for seed := uint64(0); seed < 50; seed++ {
		st := NewState(cat, testBase())
		ov := st.Generate(checked{t, NewRand(seed)}, &w, FullSwarm(cat))
		compile(t, ov)
		for _, n := range ov.Nodes {
			if !strings.Contains(n.Path, "gpio-consumer") {
				continue
			}
			seen++
			con := slices.IndexFunc(n.Props, func(p string) bool { return strings.HasSuffix(p, "-gpios") })
			if n.Compatible != "" || n.Status != "disabled" || con < 0 ||
				!slices.Contains(ConsumerCons, strings.TrimSuffix(n.Props[con], "-gpios")) {
				t.Fatalf("seed %d: consumer node %+v:\n%s", seed, n, ov.Source)
			}
		}
		if len(ov.GPIOUses) == 0 && ov.Reject == Valid {
			t.Fatalf("seed %d: no line used:\n%s", seed, ov.Source)
		}
	}
	if seen == 0 {
		t.Fatal("no consumer node")
	}
}
