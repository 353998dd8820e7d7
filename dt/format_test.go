package dt

import (
	"strings"
	"testing"
)

func TestFormatCanonical(t *testing.T) {
	in := `// header comment
/dts-v1/; // after header
/plugin/;

/* before memreserve */
r: /memreserve/ 0x1000 (4096 * 2); // mem trailing

// before first block
&i2c1 { // on the brace line
	/* leading for prop */
	status = "okay"; /* trailing */
	x = a: <1 b: 0x02 'c' &lbl &{/p/q} (1+2*3) c:>,[00 1f],"s\n\x01",&lbl d:;
	lbl: a:b: sub@1 {
		// only comment
	};
	/delete-node/ old;
	/omit-if-no-ref/ o: kept { };
	// end of i2c1
};
/delete-node/ &gone;
/omit-if-no-ref/ &maybe;
l: &{/x} {
	/delete-property/ p;
};
// the end
`
	want := `// header comment
/dts-v1/; // after header
/plugin/;

/* before memreserve */
r: /memreserve/ 0x1000 (4096 * 2); // mem trailing

// before first block
&i2c1 {
	// on the brace line
	/* leading for prop */
	status = "okay"; /* trailing */
	x = a: <1 b: 0x02 'c' &lbl &{/p/q} (1 + 2 * 3) c:>, [00 1f], "s\n\x01", &lbl d:;

	lbl: a: b: sub@1 {
		// only comment
	};

	/delete-node/ old;

	/omit-if-no-ref/ o: kept {
	};

	// end of i2c1
};

/delete-node/ &gone;

/omit-if-no-ref/ &maybe;

l: &{/x} {
	/delete-property/ p;
};

// the end
`
	f, err := Parse("in.dts", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	got := string(Format(f))
	if got != want {
		t.Errorf("Format:\n%s\nwant:\n%s", got, want)
	}
	f2, err := Parse("out.dts", []byte(got))
	if err != nil {
		t.Fatal(err)
	}
	if same, d := sameFile(f, f2); !same {
		t.Errorf("round trip:\n%s", d)
	}
}

func TestParseAST(t *testing.T) {
	src := `/dts-v1/;
/ {
	a: b: p = "x", <0x10 &l>, /bits/ 8 [01];
};
`
	// /bits/ applies to <…> only: this is a syntax error in dtc too.
	if _, err := Parse("t.dts", []byte(src)); err == nil {
		t.Fatal("want an error for /bits/ before a byte string")
	}
	src = `/dts-v1/;
/ {
	a: b: p = "x", <0x10 &l>, /bits/ 16 <(1 << 2)>;
	l: n@1 { };
};
`
	f, err := Parse("t.dts", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	root := f.Nodes[0]
	if root.Name != "/" || len(root.Props) != 1 || len(root.Children) != 1 {
		t.Fatalf("root: %+v", root)
	}
	p := root.Props[0]
	if strings.Join(p.Labels, ",") != "a,b" || p.Name != "p" || len(p.Values) != 3 {
		t.Fatalf("prop: %+v", p)
	}
	if v := p.Values[0]; v.Kind != StringValue || v.Str != "x" {
		t.Errorf("value 0: %+v", v)
	}
	if v := p.Values[1]; v.Kind != CellsValue || v.Cells[0].Expr.Lit != "0x10" || v.Cells[1].Ref != "l" {
		t.Errorf("value 1: %+v", v)
	}
	if v := p.Values[2]; v.Bits != 16 || v.Cells[0].Expr.Op != "()" || v.Cells[0].Expr.X.Op != "<<" {
		t.Errorf("value 2: %+v", v)
	}
	if p.Pos != (Pos{3, 2}) || p.Values[1].Cells[1].Pos != (Pos{3, 23}) {
		t.Errorf("positions: %v %v", p.Pos, p.Values[1].Cells[1].Pos)
	}
	if n := root.Children[0]; n.Name != "n@1" || n.Labels[0] != "l" {
		t.Errorf("child: %+v", n)
	}
}

func TestFormatHandBuilt(t *testing.T) {
	// A program building a File need not add parentheses: Format does,
	// where dtc's grammar needs them.
	sum := &Expr{Op: "+", X: Num(1, false), Y: &Expr{Op: "*", X: Num(2, false), Y: Num(3, false)}}
	neg := &Expr{Op: "-", X: Num(1, false)}
	f := &File{Plugin: true, Nodes: []*NodeDef{{
		Ref: "i2c0",
		Props: []*PropDef{
			{Name: "status", Values: []*Value{{Kind: StringValue, Str: "okay"}}},
			{Name: "v", Values: []*Value{{Kind: CellsValue, Cells: []*Cell{{Expr: sum}, {Expr: neg}, {Expr: Num(255, true)}, {Ref: "ext"}}}}},
		},
		Children: []*NodeDef{{Name: "dev@50", Labels: []string{"dev"}}},
	}}}
	want := `/dts-v1/;
/plugin/;

&i2c0 {
	status = "okay";
	v = <(1 + 2 * 3) (-1) 0xff &ext>;

	dev: dev@50 {
	};
};
`
	if got := string(Format(f)); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	tree, err := Compile(f, CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v := tree.Find("/fragment@0/__overlay__").Prop("v")
	cells, _ := v.U32s()
	if len(cells) != 4 || cells[0] != 7 || cells[1] != 0xffffffff || cells[2] != 0xff || cells[3] != 0xffffffff {
		t.Errorf("cells %#x", cells)
	}
}

func TestTreeHelpers(t *testing.T) {
	tree, _, err := Load("t.dts", []byte(`/dts-v1/;
/ {
	compatible = "a,b", "c";
	cells = <1 2 0xffffffff>;
	odd = [01 02 03];
	bool;
	nonul = [41 42];
	l: node@1 {
		reg = <1>;
	};
};
`), CompileOptions{Symbols: true})
	if err != nil {
		t.Fatal(err)
	}
	root := tree.Root
	if s, ok := root.Prop("compatible").String(); !ok || s != "a,b" {
		t.Errorf("String = %q, %v", s, ok)
	}
	if got := root.Prop("compatible").Strings(); strings.Join(got, "|") != "a,b|c" {
		t.Errorf("Strings = %q", got)
	}
	if got := root.Prop("nonul").Strings(); got != nil {
		t.Errorf("Strings of unterminated = %q", got)
	}
	if _, ok := root.Prop("nonul").String(); ok {
		t.Error("String of unterminated value: ok")
	}
	if c, ok := root.Prop("cells").U32s(); !ok || len(c) != 3 || c[2] != 0xffffffff {
		t.Errorf("U32s = %v, %v", c, ok)
	}
	if _, ok := root.Prop("odd").U32s(); ok {
		t.Error("U32s of 3 bytes: ok")
	}
	if c, ok := root.Prop("bool").U32s(); !ok || len(c) != 0 {
		t.Errorf("U32s of empty = %v, %v", c, ok)
	}
	n, path := tree.Label("l")
	if n == nil || path != "/node@1" || n != tree.Find("/node@1") {
		t.Errorf("Label = %v, %q", n, path)
	}
	if s, _ := tree.Find("/__symbols__").Prop("l").String(); s != "/node@1" {
		t.Errorf("__symbols__ l = %q", s)
	}

	c := tree.Clone()
	c.Find("/node@1").Prop("reg").Value[3] = 9
	c.Root.Children[0].Labels[0] = "changed"
	if tree.Find("/node@1").Prop("reg").Value[3] != 1 || tree.Root.Children[0].Labels[0] != "l" {
		t.Error("Clone shares memory with the original")
	}
}
