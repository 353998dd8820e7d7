package prog

import (
	"strings"
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
	apply := NewOp(lookup(t, "of_overlay_fdt_apply"), "ov", Arg{"blob", "o.dtso"})
	rm := NewOp(lookup(t, "of_overlay_remove"), "", Arg{"sched", "after-revert-notify:2"}, Arg{"ov", "ov"})
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
	c.Ops[1].Set("sched", "after-revert-notify")
	c.Ops[1].Del("ov")
	c.Ops[1].Set("ov", "3")
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
		return &Program{
			Ops: []*Op{
				NewOp(Lookup("of_overlay_fdt_apply"), "ov", Arg{"blob", "o.dtso"}),
				NewOp(Lookup("of_overlay_remove"), "", Arg{"ov", "ov"}),
			},
			Files: []File{{Name: "o.dtso", Data: []byte("/plugin/;\n")}},
		}
	}
	tests := []struct {
		name   string
		modify func(p *Program)
		want   string
	}{
		{"nil desc", func(p *Program) { p.Ops[1].Desc = nil }, `op 1 (?): Desc is not an entry of prog.Ops`},
		{"copied desc", func(p *Program) { p.Ops[1].Desc = &d }, `op 1 (of_overlay_remove): Desc is not an entry of prog.Ops`},
		{"nil op", func(p *Program) { p.Ops[0] = nil }, "op 0: nil\n" + `op 1 (of_overlay_remove): ov: unbound name "ov"`},
		{"args out of order", func(p *Program) {
			p.Ops[1].Args = []Arg{{"sched", "after-revert-notify"}, {"ov", "ov"}}
		}, `op 1 (of_overlay_remove): argument ov out of op-table order`},
		{"unknown arg", func(p *Program) { p.Ops[1].Args = append(p.Ops[1].Args, Arg{"x y", "1"}) },
			`op 1 (of_overlay_remove): unknown argument "x y"`},
		{"duplicate arg", func(p *Program) { p.Ops[1].Args = append(p.Ops[1].Args, Arg{"ov", "1"}) },
			`op 1 (of_overlay_remove): duplicate argument ov`},
		{"value with space", func(p *Program) { p.Ops[1].Args[0].Value = "o v" },
			`op 1 (of_overlay_remove): ov: value "o v" contains white space`},
		{"missing arg", func(p *Program) { p.Ops[1].Args = nil }, `op 1 (of_overlay_remove): missing argument ov`},
		{"bad result", func(p *Program) { p.Ops[0].Result = "o v" },
			"op 0 (of_overlay_fdt_apply): bad name \"o v\": want [a-z_][a-z0-9_]*\n" +
				`op 1 (of_overlay_remove): ov: unbound name "ov"`},
		{"bad header comment", func(p *Program) { p.Header = []string{"title"} },
			`header "title": does not start with '#'`},
		{"comment with newline", func(p *Program) { p.Ops[0].Comments = []string{"# a\n# b"} },
			`op 0 (of_overlay_fdt_apply) comment "# a\n# b": has a newline or surrounding white space`},
		{"trailer with space", func(p *Program) { p.Trailer = []string{"# t "} },
			`trailer "# t ": has a newline or surrounding white space`},
		{"kernel with spaces", func(p *Program) { p.Kernel = "v6.8  x=y" },
			`kernel: profile "v6.8  x=y" has extra white space`},
		{"kernel starting with =", func(p *Program) { p.Kernel = "=x" }, `kernel: profile "=x" starts with '='`},
		{"data without newline", func(p *Program) { p.Files[0].Data = []byte("/plugin/;") },
			`file 0: o.dtso: data must be empty or end in exactly one newline`},
		{"data with two newlines", func(p *Program) { p.Files[0].Data = []byte("/plugin/;\n\n") },
			`file 0: o.dtso: data must be empty or end in exactly one newline`},
		{"data with a marker", func(p *Program) { p.Files[0].Data = []byte("a\n-- b.dts --\n") },
			`file 0: o.dtso: line 2 would read as a txtar file marker`},
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

func TestValidateSourceInValidate(t *testing.T) {
	old := ValidateSource
	defer func() { ValidateSource = old }()
	ValidateSource = func(name string, data []byte) (int, int, string, bool) {
		return 2, 0, "bad " + name, strings.Contains(string(data), "ok")
	}
	p := &Program{Files: []File{{Name: "a.dts", Data: []byte("x\ny\n")}, {Name: "b.dtso", Data: []byte("ok\n")}}}
	if err := p.Validate(); err == nil || err.Error() != "file 0: a.dts:2:0: bad a.dts" {
		t.Errorf("Validate = %v", err)
	}
}
