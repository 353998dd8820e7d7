package prog

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func lookup(t *testing.T, name string) *OpDesc {
	t.Helper()
	d := Lookup(name)
	if d == nil {
		t.Fatalf("no op %s", name)
	}
	return d
}

// TestBuild builds a program in memory the way the minimizer and the fuzz
// decoder will, and checks it validates and round-trips through text.
func TestBuild(t *testing.T) {
	p := &Program{
		Kernel: "v6.8",
		Files:  []File{{Name: "o.dtso", Data: []byte("/dts-v1/;\n/plugin/;\n&bus { };\n")}},
	}
	apply := NewOp(lookup(t, "of_overlay_fdt_apply"), "ov", FileArg("blob", "o.dtso"))
	rm := NewOp(lookup(t, "of_overlay_remove"), "", SchedArg("sched", SchedItem{Point: 0, Count: 2}), RefArg("ov", apply))
	rm.Comments = []string{"# remove it"}
	p.Ops = []*Op{apply, rm}
	if rm.Args[0].Key != "ov" {
		t.Errorf("NewOp did not sort args: %v", rm.Args)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	q, err := Parse("built.prog", p.Print())
	if err != nil {
		t.Fatalf("%v\n%s", err, p.Print())
	}
	if diff := cmp.Diff(p, q, cmpProg...); diff != "" {
		t.Errorf("parse(print(p)) != p:\n%s", diff)
	}

	// Without a kernel line, the first op's comments still round-trip.
	p.Kernel = ""
	p.Ops[0].Comments = []string{"# first"}
	q, err = Parse("built.prog", p.Print())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, q, cmpProg...); diff != "" {
		t.Errorf("no kernel: parse(print(p)) != p:\n%s\n%s", diff, p.Print())
	}

	// Set, Del and Clone.
	c := p.Clone()
	if c.Ops[1].Args[0].Ref != c.Ops[0] {
		t.Errorf("Clone did not relink to the copied op")
	}
	c.Ops[1].Set(SchedArg("sched", SchedItem{}))
	c.Ops[1].Del("ov")
	c.Ops[1].Set(IntArg("ov", 3))
	c.Files[0].Data[0] = 'X'
	c.Ops[0].Comments[0] = "# changed"
	if got := c.Ops[1].String(); got != "of_overlay_remove ov=3 sched=after-revert-notify" {
		t.Errorf("after Set/Del: %s", got)
	}
	if p.Ops[1].String() != "of_overlay_remove ov=ov sched=after-revert-notify:2" ||
		p.Files[0].Data[0] != '/' || p.Ops[0].Comments[0] != "# first" {
		t.Errorf("Clone shares state with the original:\n%s", p.Print())
	}
	if c.Ops[0].Desc != p.Ops[0].Desc {
		t.Errorf("Clone copied Desc")
	}
}

func TestValidateErrors(t *testing.T) {
	d := *Lookup("of_overlay_remove") // a copy, not the table entry
	good := func() *Program {
		apply := NewOp(Lookup("of_overlay_fdt_apply"), "ov", FileArg("blob", "o.dtso"))
		return &Program{
			Ops: []*Op{
				apply,
				NewOp(Lookup("of_overlay_remove"), "", RefArg("ov", apply)),
			},
			Files: []File{{Name: "o.dtso", Data: []byte("/dts-v1/;\n/plugin/;\n&bus { };\n")}},
		}
	}
	tests := []struct {
		name   string
		modify func(p *Program)
		want   string
	}{
		{"nil desc", func(p *Program) { p.Ops[1].Desc = nil }, `op 1 (?): Desc is not an entry of prog.Ops`},
		{"copied desc", func(p *Program) { p.Ops[1].Desc = &d }, `op 1 (of_overlay_remove): Desc is not an entry of prog.Ops`},
		{"nil op", func(p *Program) { p.Ops[0] = nil }, "op 0: nil\n" + `op 1 (of_overlay_remove): ov: links to an op that is not in the program`},
		{"args out of order", func(p *Program) {
			p.Ops[1].Args = []Arg{SchedArg("sched", SchedItem{}), RefArg("ov", p.Ops[0])}
		}, `op 1 (of_overlay_remove): argument ov out of op-table order`},
		{"unknown arg", func(p *Program) { p.Ops[1].Args = append(p.Ops[1].Args, IntArg("x y", 1)) },
			`op 1 (of_overlay_remove): unknown argument "x y"`},
		{"duplicate arg", func(p *Program) { p.Ops[1].Args = append(p.Ops[1].Args, IntArg("ov", 1)) },
			`op 1 (of_overlay_remove): duplicate argument ov`},
		{"missing arg", func(p *Program) { p.Ops[1].Args = nil }, `op 1 (of_overlay_remove): missing argument ov`},
		{"bad result", func(p *Program) { p.Ops[0].Label = "o v" },
			"op 0 (of_overlay_fdt_apply): bad name \"o v\": want [a-z_][a-z0-9_]*"},
		{"label on op without result", func(p *Program) { p.Ops[1].Label = "x" },
			`op 1 (of_overlay_remove): returns nothing to bind to "x"`},
		{"link to a later op", func(p *Program) { p.Ops[0], p.Ops[1] = p.Ops[1], p.Ops[0] },
			`op 0 (of_overlay_remove): ov: links to op 1, which is not before it`},
		{"link to itself", func(p *Program) {
			p.Ops[1].Desc = Lookup("of_node_get")
			p.Ops[1].Args = []Arg{RefArg("node", p.Ops[1])}
		},
			`op 1 (of_node_get): node: links to op 1, which is not before it`},
		{"link of the wrong type", func(p *Program) {
			p.Ops[1] = NewOp(Lookup("of_node_put"), "", RefArg("node", p.Ops[0]))
		}, `op 1 (of_node_put): node: links to op 0 (of_overlay_fdt_apply), of type overlay, want node`},
		{"ref without a link", func(p *Program) { p.Ops[1] = NewOp(Lookup("put_device"), "", IntArg("dev", 0)) },
			`op 1 (put_device): dev: no link to an op of type device`},
		{"stray field", func(p *Program) { p.Ops[1].Args[0].Path = "/soc" },
			`op 1 (of_overlay_remove): ov: Path set on a ref argument`},
		{"overlay id out of range", func(p *Program) { p.Ops[1].Args[0] = IntArg("ov", MaxOverlayID+1) },
			`op 1 (of_overlay_remove): ov: overlay id 65 out of range 0..64`},
		{"int out of range", func(p *Program) { p.Ops[1] = NewOp(Lookup("run_work"), "", IntArg("item", 0)) },
			`op 1 (run_work): item: value 0 out of range 1..8`},
		{"enum out of range", func(p *Program) { p.Ops[1] = NewOp(Lookup("run_work"), "", EnumArg("wq", 2)) },
			`op 1 (run_work): wq: enum index 2 out of range 0..1`},
		{"bad path", func(p *Program) { p.Ops[1] = NewOp(Lookup("of_node_get"), "", PathArg("node", "soc")) },
			`op 1 (of_node_get): node: bad node path "soc"`},
		{"missing file", func(p *Program) { p.Ops[0].Args[0].File = "x.dtso" },
			`op 0 (of_overlay_fdt_apply): blob: no file "x.dtso" in the archive`},
		{"empty sched", func(p *Program) { p.Ops[1].Set(SchedArg("sched")) },
			`op 1 (of_overlay_remove): sched: empty sched list`},
		{"bad sched point", func(p *Program) { p.Ops[1].Set(SchedArg("sched", SchedItem{Point: 1})) },
			`op 1 (of_overlay_remove): sched: sched point 1 out of range (of_overlay_remove has 1)`},
		{"duplicate sched point", func(p *Program) { p.Ops[1].Set(SchedArg("sched", SchedItem{}, SchedItem{Count: 2})) },
			`op 1 (of_overlay_remove): sched: duplicate sched point "after-revert-notify"`},
		{"bad header comment", func(p *Program) { p.Header = []string{"title"} },
			`header "title": does not start with '#'`},
		{"comment with newline", func(p *Program) { p.Ops[0].Comments = []string{"# a\n# b"} },
			`op 0 (of_overlay_fdt_apply) comment "# a\n# b": has a newline or surrounding white space`},
		{"trailer with space", func(p *Program) { p.Trailer = []string{"# t "} },
			`trailer "# t ": has a newline or surrounding white space`},
		{"kernel with spaces", func(p *Program) { p.Kernel = "v6.8  x=y" },
			`kernel: profile "v6.8  x=y" has extra white space`},
		{"kernel starting with =", func(p *Program) { p.Kernel = "=x" }, `kernel: profile "=x" starts with '='`},
		{"data without newline", func(p *Program) { p.Files[0].Data = []byte("/dts-v1/;\n/plugin/;\n&bus { };") },
			`file 0: o.dtso: data must be empty or end in exactly one newline`},
		{"data with two newlines", func(p *Program) { p.Files[0].Data = []byte("/dts-v1/;\n/plugin/;\n&bus { };\n\n") },
			`file 0: o.dtso: data must be empty or end in exactly one newline`},
		{"data with a marker", func(p *Program) { p.Files[0].Data = []byte("a\n-- b.dts --\n") },
			"file 0: o.dtso: line 2 would read as a txtar file marker\n" +
				`file 0: o.dtso:1:1: expected /dts-v1/; at the start of the file, found identifier "a"`},
		{"duplicate file", func(p *Program) { p.Files = append(p.Files, p.Files[0]) },
			`file 1: duplicate file "o.dtso" (first is file 0)`},
		{"bad file name", func(p *Program) { p.Files = append(p.Files, File{Name: "x.bin"}) },
			`file 1: bad file name "x.bin": want [A-Za-z0-9_][A-Za-z0-9_.,+-]* ending in .dts or .dtso or .dtb or .dtbo`},
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("good program: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := good()
			tt.modify(p)
			err := p.Validate()
			if err == nil {
				t.Fatalf("Validate succeeded, want %s", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Validate:\n%s\nwant:\n%s", err, tt.want)
			}
			p.Print() // must not panic on an invalid program
		})
	}
}

func TestValidateSourceSyntax(t *testing.T) {
	p := &Program{Files: []File{{Name: "a.dts", Data: []byte("/dts-v1/;\n/ { p = <1; };\n")}, {Name: "b.dtso", Data: []byte("/dts-v1/;\n/plugin/;\n&bus { };\n")}}}
	if err := p.Validate(); err == nil || err.Error() != "file 0: a.dts:2:11: unterminated cell array: expected '>', found \";\"" {
		t.Errorf("Validate = %v", err)
	}
}
