package sim

import (
	"slices"
	"strings"
	"testing"

	"dangle/prog"
	"dangle/sim/canon"
)

// TestHandlersMatchOpTable: the op table is the single source of truth, so
// every op has a handler, found by its OpID, and handlers has no entry
// beyond the table. An op acting on node='s device must have that
// argument.
func TestHandlersMatchOpTable(t *testing.T) {
	if len(handlers) != len(prog.Ops) {
		t.Errorf("%d handlers for %d ops", len(handlers), len(prog.Ops))
	}
	for i, d := range prog.Ops {
		if int(d.ID) != i {
			t.Errorf("op %s has ID %d at index %d", d.Name, d.ID, i)
		}
		if i >= len(handlers) || handlers[i].fn == nil {
			t.Errorf("op %s has no handler in sim", d.Name)
			continue
		}
		if handlers[i].needDevice {
			if a := d.Arg("node"); a == nil || a.Kind != prog.KindNode {
				t.Errorf("op %s acts on node='s device but has no node argument", d.Name)
			}
		}
	}
}

// TestSlotTypes: every result type has its slot type (how Encode
// describes a slot), and every op binding a result binds one.
func TestSlotTypes(t *testing.T) {
	for ty := prog.Type(1); int(ty) < prog.NumTypes; ty++ {
		if slotTypes[ty].describe == nil {
			t.Errorf("result type %s has no slot type in sim", ty)
		}
		if ty.String() == "any" || ty.Prefix() == "v" {
			t.Errorf("result type %d has no name or prefix in prog", ty)
		}
	}
}

// TestSlotsBound runs a program that uses every result type and checks
// each op with a result bound its slot with a value its type describes.
func TestSlotsBound(t *testing.T) {
	src := prog.Version + "\nkernel v6.8+gpiod-ref\n" +
		"ov = of_overlay_fdt_apply blob=o.dtso\n" +
		"n = of_node_get node=/soc\n" +
		"nb = of_overlay_notifier_register action=keep-overlay\n" +
		"dev = get_device node=/soc/i2c@3000\n" +
		"l = device_link_add consumer=/soc/i2c@3000 supplier=/soc/power-controller flags=DL_FLAG_STATELESS\n" +
		"-- o.dtso --\n/dts-v1/;\n/plugin/;\n&bus { };\n"
	p, err := prog.Parse("t.prog", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	k, err := New(p, Config{Filename: "t.prog"})
	if err != nil {
		t.Fatal(err)
	}
	k.RunOps()
	seen := map[prog.Type]bool{}
	for i, op := range p.Ops {
		v := k.slots[i]
		if v == nil {
			t.Errorf("op %d (%s) bound nothing:\n%s", i, op.Name(), k.Log.String())
			continue
		}
		seen[op.Result()] = true
		var b canon.Buf
		if slotTypes[op.Result()].describe(&b, v); len(b.B) == 0 {
			t.Errorf("op %d: empty description", i)
		}
	}
	if len(seen) != 5 {
		t.Errorf("types seen: %v", seen)
	}
	// The references ops 1 (n) and 3 (dev) took are held by their slots.
	for slot, holder := range map[int]string{1: "program ref n (op 2)", 3: "program ref dev (op 4)"} {
		if got, ok := k.HolderSlot(holder); !ok || got != slot {
			t.Errorf("HolderSlot(%q) = %d, %v; want %d", holder, got, ok, slot)
		}
	}
	if _, ok := k.HolderSlot("unbind_store"); ok {
		t.Errorf("HolderSlot of a kernel holder")
	}
}

// TestSourcesCompiledOnce: a program's overlay and base sources are
// compiled once, by prog, and every run of the program (with or without
// a Cache) uses that tree instead of compiling again.
func TestSourcesCompiledOnce(t *testing.T) {
	p := corpusPrograms(t)["../corpus/b1-reg-expander.prog"]
	var f *prog.File
	for i := range p.Files {
		if p.Files[i].Name != prog.DefaultBaseName && !prog.IsBlob(p.Files[i].Name) {
			f = &p.Files[i]
		}
	}
	if f == nil {
		t.Fatal("b1 has no overlay source")
	}
	var trees []any
	for _, cache := range []*Cache{nil, NewCache(), nil} {
		k, err := New(p, Config{Filename: "b1", Quiet: true, Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		trees = append(trees, k.blobs[f.Name])
	}
	want := f.Compiled()
	if want == nil {
		t.Fatal("prog kept no compiled tree")
	}
	for i, tr := range trees {
		if tr != any(want) {
			t.Errorf("run %d compiled %s again", i, f.Name)
		}
	}
}

// TestBuiltProgramLogsAsPrinted: a program built in memory with
// unlabelled, linked results (as a generator builds them) logs exactly
// as its printed text does when parsed and run: the log's names are the
// ones Print chose, and links resolve to the same slots.
func TestBuiltProgramLogsAsPrinted(t *testing.T) {
	src := prog.Version + "\nkernel v6.8+gpiod-ref\n-- o.dtso --\n/dts-v1/;\n/plugin/;\n&bus { };\n"
	base, err := prog.Parse("t.prog", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	op := func(name, label string, args ...prog.Arg) *prog.Op {
		return prog.NewOp(prog.Lookup(name), label, args...)
	}
	enum := func(opName, key, v string) prog.Arg {
		return prog.EnumArg(key, slices.Index(prog.Lookup(opName).Arg(key).Values, v))
	}
	p := base.Clone()
	apply := op("of_overlay_fdt_apply", "", prog.FileArg("blob", "o.dtso"))
	apply2 := op("of_overlay_fdt_apply", "ov", prog.FileArg("blob", "o.dtso"))
	n1 := op("of_node_get", "", prog.PathArg("node", "/soc"))
	n2 := op("of_node_get", "np", prog.RefArg("node", n1))
	nb := op("of_overlay_notifier_register", "", enum("of_overlay_notifier_register", "action", prog.NotifyKeepOverlay))
	dev := op("get_device", "", prog.PathArg("node", "/soc/i2c@3000"))
	for _, o := range []*prog.Op{apply, apply2, n1, n2, nb, dev,
		op("of_node_put", "", prog.RefArg("node", n1)),
		op("of_node_put", "", prog.RefArg("node", n2)),
		op("put_device", "", prog.RefArg("dev", dev)),
		op("of_overlay_notifier_unregister", "", prog.RefArg("nb", nb)),
		op("of_overlay_remove", "", prog.RefArg("ov", apply2)),
		op("of_overlay_remove", "", prog.RefArg("ov", apply)),
	} {
		if err := prog.InsertOp(p, len(p.Ops), o); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	text := p.Print()
	q, err := prog.Parse("t.prog", text)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	a, err := Run(p, Config{Filename: "t.prog", Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(q, Config{Filename: "t.prog", Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	if a.Log != b.Log || a.Trace != b.Trace {
		t.Errorf("built program logs:\n%s\nits printed text logs:\n%s", a.Log, b.Log)
	}
	for _, want := range []string{"returned 0, ov2 = 1", "of_overlay_remove ov=ov2\n", "of_node_put node=np2\n", "program ref np2 (op 3)"} {
		if !strings.Contains(a.Log+a.Trace, want) {
			t.Errorf("log lacks %q:\n%s%s", want, a.Log, a.Trace)
		}
	}
}
