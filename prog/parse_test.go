package prog

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const (
	hdr  = "dangle program v1\n"
	ovly = "-- o.dtso --\n/dts-v1/;\n/plugin/;\n&bus { };\n"
	app  = "ov = of_overlay_fdt_apply blob=o.dtso\n"
)

// TestParseErrors checks every class of error Parse reports, with the exact
// file:line of each message.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // the error lines, in order
	}{
		{"empty", "", []string{`t.prog:1: missing header line "dangle program v1"`}},
		{"file marker on line 1", "-- o.dtso --\n", []string{`t.prog:1: missing header line "dangle program v1"`}},
		{"bad header", "dangle program v2\nof_overlay_remove_all\n",
			[]string{`t.prog:1: bad header line "dangle program v2": want "dangle program v1"`}},
		{"header with trailing space", "dangle program v1 \n",
			[]string{`t.prog:1: bad header line "dangle program v1 ": want "dangle program v1"`}},
		{"binary file", "\xd0\x0d\xfe\xed" + strings.Repeat("x", 100) + "\n",
			[]string{`t.prog:1: bad header line "\xd0\r\xfe\xed` + strings.Repeat("x", 56) + `…": want "dangle program v1"`}},
		{"unknown op", hdr + "# c\nof_frobnicate node=/\n", []string{`t.prog:3: unknown op "of_frobnicate"`}},
		{"unknown key", hdr + "of_overlay_remove_all force=1\n",
			[]string{`t.prog:2: of_overlay_remove_all: unknown argument "force"`}},
		{"missing key", hdr + "\nof_overlay_remove\n", []string{`t.prog:3: of_overlay_remove: missing argument ov`}},
		{"missing key, optional present", hdr + "of_overlay_remove sched=after-revert-notify\n",
			[]string{`t.prog:2: of_overlay_remove: missing argument ov`}},
		{"duplicate key", hdr + app + "of_overlay_remove ov=ov ov=ov\n" + ovly,
			[]string{`t.prog:3: of_overlay_remove: duplicate argument ov`}},
		{"not key=value", hdr + "of_overlay_remove ov\n",
			[]string{`t.prog:2: of_overlay_remove: argument "ov" is not key=value`}},
		{"empty key", hdr + "of_overlay_remove ov=1 =x\n",
			[]string{`t.prog:2: of_overlay_remove: argument "=x" is not key=value`}},
		{"empty value", hdr + "of_overlay_remove ov=\n", []string{`t.prog:2: of_overlay_remove: ov: empty value`}},
		{"missing op after binding", hdr + "x =\n", []string{`t.prog:2: missing op after "x" =`}},
		{"unbound name", hdr + "of_overlay_remove ov=ov\n",
			[]string{`t.prog:2: of_overlay_remove: ov: unbound name "ov"`}},
		{"use before own binding", hdr + "n = of_node_get node=n\n",
			[]string{`t.prog:2: of_node_get: node: unbound name "n"`}},
		{"wrong type of bound name", hdr + "nb = of_overlay_notifier_register action=keep-overlay\nof_overlay_remove ov=nb\n",
			[]string{`t.prog:3: of_overlay_remove: ov: "nb" has type notifier, want overlay`}},
		{"wrong type after shadowing", hdr + app + "ov = of_node_get node=/soc\nof_overlay_remove ov=ov\n" + ovly,
			[]string{`t.prog:4: of_overlay_remove: ov: "ov" has type node, want overlay`}},
		{"node name of wrong type", hdr + app + "of_node_put node=ov\n" + ovly,
			[]string{`t.prog:3: of_node_put: node: "ov" has type overlay, want node`}},
		{"notifier by number", hdr + "overlay_notifier_deref nb=1\n",
			[]string{`t.prog:2: overlay_notifier_deref: nb: bad value "1": want a name of type notifier`}},
		{"negative overlay id", hdr + "of_overlay_remove ov=-1\n",
			[]string{`t.prog:2: of_overlay_remove: ov: bad value "-1": want a name of type overlay or an overlay id`}},
		{"overlay id overflow", hdr + "of_overlay_remove ov=4294967296\n",
			[]string{`t.prog:2: of_overlay_remove: ov: bad overlay id "4294967296": want a decimal integer`}},
		{"overlay id leading zero", hdr + "of_overlay_remove ov=07\n",
			[]string{`t.prog:2: of_overlay_remove: ov: bad overlay id "07": want a decimal integer`}},
		{"relative node path", hdr + "of_node_get node=soc/bus\n",
			[]string{`t.prog:2: of_node_get: node: bad value "soc/bus": want an absolute node path or a name of type node`}},
		{"bad node path", hdr + "of_node_get node=/soc//bus\nof_node_get node=/soc/\nof_node_get node=/a{b}\n",
			[]string{
				`t.prog:2: of_node_get: node: bad node path "/soc//bus"`,
				`t.prog:3: of_node_get: node: bad node path "/soc/"`,
				`t.prog:4: of_node_get: node: bad node path "/a{b}"`,
			}},
		{"result on op without result", hdr + "x = of_overlay_remove_all\n",
			[]string{`t.prog:2: of_overlay_remove_all: returns nothing to bind to "x"`}},
		{"bad binding name", hdr + "Ov = of_overlay_fdt_apply blob=o.dtso\n" + ovly,
			[]string{`t.prog:2: of_overlay_fdt_apply: bad name "Ov": want [a-z_][a-z0-9_]*`}},
		{"bad enum", hdr + "nb = of_overlay_notifier_register action=keep\n",
			[]string{`t.prog:2: of_overlay_notifier_register: action: bad value "keep": want one of keep-overlay, fail-pre-apply, fail-post-apply, fail-pre-remove`}},
		{"bad sched point", hdr + app + "of_overlay_remove ov=ov sched=before-destroy\n" + ovly,
			[]string{`t.prog:3: of_overlay_remove: sched: unknown sched point "before-destroy": want one of after-revert-notify`}},
		{"empty sched point", hdr + app + "of_overlay_remove ov=ov sched=after-revert-notify,\n" + ovly,
			[]string{`t.prog:3: of_overlay_remove: sched: unknown sched point "": want one of after-revert-notify`}},
		{"duplicate sched point", hdr + app + "of_overlay_remove ov=ov sched=after-revert-notify:1,after-revert-notify\n" + ovly,
			[]string{`t.prog:3: of_overlay_remove: sched: duplicate sched point "after-revert-notify"`}},
		{"sched count zero", hdr + app + "of_overlay_remove ov=ov sched=after-revert-notify:0\n" + ovly,
			[]string{`t.prog:3: of_overlay_remove: sched: bad count "0" for sched point "after-revert-notify": want an integer >= 1`}},
		{"sched count not a number", hdr + app + "of_overlay_remove ov=ov sched=after-revert-notify:x\n" + ovly,
			[]string{`t.prog:3: of_overlay_remove: sched: bad count "x" for sched point "after-revert-notify": want an integer >= 1`}},
		{"missing file", hdr + "ov = of_overlay_fdt_apply blob=nope.dtso\n" + ovly,
			[]string{`t.prog:2: of_overlay_fdt_apply: blob: no file "nope.dtso" in the archive`}},
		{"duplicate file", hdr + app + ovly + ovly,
			[]string{`t.prog:7: duplicate file "o.dtso" (first at line 3)`}},
		{"bad file suffix", hdr + "-- o.dtso.txt --\n",
			[]string{`t.prog:2: bad file name "o.dtso.txt": want [A-Za-z0-9_][A-Za-z0-9_.,+-]* ending in .dts or .dtso or .dtb or .dtbo`}},
		{"bad file name", hdr + "-- my overlay.dtso --\n-- .dtso --\n-- sub/o.dtso --\n",
			[]string{
				`t.prog:2: bad file name "my overlay.dtso": want [A-Za-z0-9_][A-Za-z0-9_.,+-]* ending in .dts or .dtso or .dtb or .dtbo`,
				`t.prog:3: bad file name ".dtso": want [A-Za-z0-9_][A-Za-z0-9_.,+-]* ending in .dts or .dtso or .dtb or .dtbo`,
				`t.prog:4: bad file name "sub/o.dtso": want [A-Za-z0-9_][A-Za-z0-9_.,+-]* ending in .dts or .dtso or .dtb or .dtbo`,
			}},
		{"kernel twice", hdr + "kernel v6.8\n# c\nkernel v6.9\n",
			[]string{`t.prog:4: duplicate kernel line (first at line 2)`}},
		{"kernel after ops", hdr + "of_overlay_remove_all\nkernel v6.8\n",
			[]string{`t.prog:3: kernel line after the first op`}},
		{"kernel after a broken op", hdr + "of_frobnicate\nkernel v6.8\n",
			[]string{`t.prog:2: unknown op "of_frobnicate"`, `t.prog:3: kernel line after the first op`}},
		{"kernel without profile", hdr + "kernel\n", []string{`t.prog:2: kernel: missing profile`}},
		{"kernel with #", hdr + "kernel v6.8 #latest\n", []string{`t.prog:2: kernel: profile "v6.8 #latest" contains '#'`}},
		{"broken binding does not cascade", hdr + "x = of_frobnicate\nof_overlay_remove ov=x\nx = of_overlay_remove_all\nof_overlay_remove ov=x\n",
			[]string{`t.prog:2: unknown op "of_frobnicate"`, `t.prog:4: of_overlay_remove_all: returns nothing to bind to "x"`}},
		{"all errors in one pass", hdr + "of_frobnicate\nkernel v6.8\nof_overlay_remove ov=ov\n" + ovly + "-- o.dtso --\n-- x.txt --\n",
			[]string{
				`t.prog:2: unknown op "of_frobnicate"`,
				`t.prog:3: kernel line after the first op`,
				`t.prog:4: of_overlay_remove: ov: unbound name "ov"`,
				`t.prog:9: duplicate file "o.dtso" (first at line 5)`,
				`t.prog:10: bad file name "x.txt": want [A-Za-z0-9_][A-Za-z0-9_.,+-]* ending in .dts or .dtso or .dtb or .dtbo`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse("t.prog", []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded, want errors:\n%s\nprinted:\n%s", strings.Join(tt.want, "\n"), p.Print())
			}
			if p != nil {
				t.Errorf("Parse returned a program with an error")
			}
			if got := err.Error(); got != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", got, strings.Join(tt.want, "\n"))
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.File != "t.prog" || pe.Line < 1 {
				t.Errorf("errors.As(*Error) = %+v", pe)
			}
			if n := len(Errors(err)); n != len(tt.want) {
				t.Errorf("Errors: %d, want %d", n, len(tt.want))
			}
		})
	}
}

func TestParseTooManyErrors(t *testing.T) {
	in := hdr + strings.Repeat("of_frobnicate\n", 3*maxErrors)
	_, err := Parse("t.prog", []byte(in))
	errs := Errors(err)
	if len(errs) != maxErrors+1 || errs[maxErrors].Msg != "too many errors" {
		t.Fatalf("got %d errors, last %v", len(errs), errs[len(errs)-1])
	}
}

// TestParseModel checks what Parse builds: comment attachment, kernel
// normalization, argument order, file lines and data normalization.
func TestParseModel(t *testing.T) {
	p, err := ParseFile("testdata/features.prog")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Header, []string{"# title: every feature of the format", "# A header may run over several lines."}; !equalStrings(got, want) {
		t.Errorf("Header = %q, want %q", got, want)
	}
	if p.Title() != "every feature of the format" {
		t.Errorf("Title = %q", p.Title())
	}
	if len(p.Ops[0].Comments) != 2 || p.Ops[0].Line != 7 {
		t.Errorf("op 0: comments %q, line %d", p.Ops[0].Comments, p.Ops[0].Line)
	}
	if got := p.Ops[3].Comments; !equalStrings(got, []string{"# leading white space is dropped"}) {
		t.Errorf("op 3 comments = %q", got)
	}
	rm := p.Ops[6]
	if rm.String() != "of_overlay_remove ov=ov2 sched=after-revert-notify:3" {
		t.Errorf("op 6 = %q (args must be in op-table order)", rm)
	}
	if a := rm.Arg("sched"); a == nil || len(a.Sched) != 1 || a.Sched[0] != (SchedItem{Point: 0, Count: 3}) {
		t.Errorf("Arg(sched) = %+v", a)
	}
	if a := rm.Arg("ov"); a == nil || a.Ref == nil || a.Ref.Label != "ov2" || p.Index(a.Ref) >= 6 {
		t.Errorf("Arg(ov) does not link to the op binding ov2: %+v", a)
	}
	if a := rm.Arg("nope"); a != nil {
		t.Errorf("Arg(nope) found")
	}
	if got, want := p.Trailer, []string{"# trailing comments are kept", "#   after the last op"}; !equalStrings(got, want) {
		t.Errorf("Trailer = %q, want %q", got, want)
	}
	a := p.File("a.dtso")
	if a == nil || a.Line != 45 || !bytes.HasSuffix(a.Data, []byte("};\n};\n")) {
		t.Errorf("a.dtso = %+v", a)
	}
	if f := p.File("unreferenced.dtso"); f == nil || f.Data != nil {
		t.Errorf("unreferenced.dtso = %+v", f)
	}
	if name, data := p.Base(); name != DefaultBaseName || !bytes.Equal(data, p.File("base.dts").Data) {
		t.Errorf("Base() = %s, %q", name, data)
	}

	p, err = ParseFile("testdata/crlf-kernel.prog")
	if err != nil {
		t.Fatal(err)
	}
	if p.Kernel != "v6.8+wait-early devlink_wait=none" || p.Ops[0].Label != "ov" ||
		!equalStrings(p.Ops[0].Comments, []string{"# a kernel line ends the header"}) {
		t.Errorf("crlf-kernel: %+v", p)
	}
	if name, data := p.Base(); name != DefaultBaseName || !bytes.Equal(data, DefaultBase) || len(data) == 0 {
		t.Errorf("Base() = %s, %d bytes", name, len(data))
	}
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n") && len(a) == len(b)
}

// TestSourceErrors checks that DTS syntax errors are reported at the
// .prog line (and column) that holds them, naming the archive file, and that a compile error (an
// undefined label) is left to the simulator.
func TestSourceErrors(t *testing.T) {
	in := hdr + app + // lines 1-2
		"-- o.dtso --\n/dts-v1/;\n/plugin/;\n&bus { BAD };\n" + // marker 3, BAD on 6
		"-- base.dts --\n/dts-v1/;\n/ { p = <1; };\n" // marker 7, error on 9
	_, err := Parse("t.prog", []byte(in))
	want := "t.prog:6:12: o.dtso: expected '=', ';' or '{' after \"BAD\", found \"}\"\nt.prog:9:11: base.dts: unterminated cell array: expected '>', found \";\""
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
	p, err := Parse("t.prog", []byte(hdr+app+ovly+"-- base.dts --\n/dts-v1/;\n/ { };\n&nolabel { };\n"))
	if err != nil {
		t.Fatalf("a compile error must not fail Parse: %v", err)
	}
	if _, err := p.File("base.dts").Tree(); err == nil || !strings.Contains(err.Error(), "nolabel") {
		t.Errorf("Tree() = %v, want the undefined label", err)
	}
}

// TestTreeMemo checks that a source is compiled once and recompiled when
// its data changes.
func TestTreeMemo(t *testing.T) {
	p, err := Parse("t.prog", []byte(hdr+app+ovly))
	if err != nil {
		t.Fatal(err)
	}
	f := p.File("o.dtso")
	t1, err := f.Tree()
	if err != nil || t1 == nil {
		t.Fatalf("Tree() = %v, %v", t1, err)
	}
	if t2, _ := f.Tree(); t2 != t1 {
		t.Errorf("second Tree() compiled again")
	}
	if t3, _ := p.Clone().File("o.dtso").Tree(); t3 != t1 {
		t.Errorf("Clone lost the compiled tree")
	}
	f.Data = []byte("/dts-v1/;\n/plugin/;\n&bus { x; };\n")
	if t4, _ := f.Tree(); t4 == t1 || t4 == nil {
		t.Errorf("Tree() after a change of Data = %p, want a new tree", t4)
	}
}

// TestTreeMemoMemory checks what the memo keeps of a large source (issue
// 14 item 8): not a second copy of its text, and not its syntax tree once
// it is compiled.
func TestTreeMemoMemory(t *testing.T) {
	p, err := Parse("t.prog", []byte(hdr+app+ovly))
	if err != nil {
		t.Fatal(err)
	}
	f := p.File("o.dtso")
	if f.dts == nil || f.dts.ast == nil {
		t.Fatal("Parse did not keep the parsed source")
	}
	if &f.dts.data[0] != &f.Data[0] {
		t.Error("the memo holds a copy of the file's data")
	}
	if _, err := f.Tree(); err != nil {
		t.Fatal(err)
	}
	if f.dts.ast != nil {
		t.Error("the syntax tree is kept after the compile")
	}
	if _, err := f.Tree(); err != nil || f.Compiled() == nil {
		t.Errorf("Tree() after the syntax tree was dropped: %v", err)
	}
}

// TestParseSharesFileData: a file that already ends in one newline is the
// input's own memory (a 50 MB program is not held twice, issue 14 item
// 8), capped so that appending to it leaves the next file alone; a file
// whose end needs normalizing is a copy.
func TestParseSharesFileData(t *testing.T) {
	data := []byte("dangle program v1\nof_node_get node=/soc\n-- a.dtso --\n/dts-v1/;\n/ { };\n-- b.dtso --\n/dts-v1/;\n/ { };\r\n\n")
	p, err := Parse("f.prog", data)
	if err != nil {
		t.Fatal(err)
	}
	a, b := p.Files[0].Data, p.Files[1].Data
	if string(a) != "/dts-v1/;\n/ { };\n" || string(b) != "/dts-v1/;\n/ { };\n" {
		t.Fatalf("files %q %q", a, b)
	}
	at := bytes.Index(data, []byte("/dts-v1/;"))
	if &a[0] != &data[at] {
		t.Errorf("a.dtso was copied")
	}
	if cap(a) != len(a) {
		t.Errorf("a.dtso has cap %d, len %d: an append would write into b.dtso's marker", cap(a), len(a))
	}
	if bt := bytes.LastIndex(data, []byte("/dts-v1/;")); &b[0] == &data[bt] {
		t.Errorf("b.dtso (ending in \\r\\n\\n) shares the input")
	}
}

// TestReleaseText: a compiled source's text can be dropped and its tree
// stays; a source that has not compiled, or failed to, keeps its text.
func TestReleaseText(t *testing.T) {
	p, err := Parse("f.prog", []byte(hdr+app+ovly+"-- bad.dtso --\n/dts-v1/;\n/plugin/;\n&bus { a: n1 { }; a: n2 { }; };\n"))
	if err != nil {
		t.Fatal(err)
	}
	f, bad := &p.Files[0], &p.Files[1]
	if f.ReleaseText() {
		t.Fatalf("released before compiling")
	}
	c := p.Clone() // shares the memo
	tree, err := f.Tree()
	if err != nil || tree == nil {
		t.Fatalf("compile: %v", err)
	}
	if !f.ReleaseText() || f.Data != nil {
		t.Fatalf("not released: %q", f.Data)
	}
	if got, err := f.Tree(); got != tree || err != nil || f.Compiled() != tree {
		t.Errorf("after ReleaseText: Tree %p %v, Compiled %p, want %p", got, err, f.Compiled(), tree)
	}
	if string(c.Files[0].Data) != ovly[len("-- o.dtso --\n"):] || c.Files[0].Compiled() != tree {
		t.Errorf("the clone lost its text (%q) or its tree", c.Files[0].Data)
	}
	if _, err := bad.Tree(); err == nil {
		t.Fatalf("bad.dtso compiled")
	}
	if bad.ReleaseText() || len(bad.Data) == 0 {
		t.Errorf("a file that failed to compile lost its text")
	}
}
