package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := mainErr(args, &out, &errb)
	return code, out.String(), errb.String()
}

const cleanProg = `dangle program v1
ov = of_overlay_fdt_apply blob=dev.dtso
of_overlay_remove ov=ov
-- dev.dtso --
/dts-v1/;
/plugin/;
&bus { dev@100 { compatible = "dangle,dev"; reg = <0x100 0x10>; }; };
`

const findingProg = `dangle program v1
ov = of_overlay_fdt_apply blob=b3.dtso
of_overlay_remove ov=ov
-- b3.dtso --
/dts-v1/;
/plugin/;
&i2c1 { status = "okay"; };
`

func TestExitCodes(t *testing.T) {
	clean := write(t, "clean.prog", cleanProg)
	finding := write(t, "finding.prog", findingProg)
	badOp := write(t, "bad.prog", "dangle program v1\nof_overlay_fdt_apply blob=x.dtso\nnot_an_op\n-- x.dtso --\n/dts-v1/;\n/plugin/;\n&bus { };\n")
	badDTS := write(t, "baddts.prog", "dangle program v1\nov = of_overlay_fdt_apply blob=x.dtso\n-- x.dtso --\n/dts-v1/;\n/plugin/;\n&bus { foo = <1 ; };\n")
	for _, tc := range []struct {
		args []string
		code int
		want string // substring of stdout (code 0/1) or stderr (code 2)
	}{
		{[]string{"run", clean}, 0, "no findings"},
		{[]string{"run", finding}, 0, "known: memory leak of property allocated in add_changeset_property — announced by the kernel at apply; -strict reports it"},
		{[]string{"run", "-strict", finding}, 1, "FINDING: memory leak of property allocated in add_changeset_property"},
		{[]string{"run", "-strict", "-kernel", "v5.10", finding}, 1, "kernel v5.10"},
		{[]string{"run", "-strict", clean, finding}, 1, "no findings"},
		{[]string{"run", badOp}, 2, "bad.prog:3: unknown op \"not_an_op\""},
		{[]string{"run", badDTS}, 2, "baddts.prog:6:"},
		{[]string{"run", filepath.Join(t.TempDir(), "missing.prog")}, 2, "no such file"},
		{[]string{"run", "-kernel", "v9.99", clean}, 2, "unknown kernel version"},
		{[]string{"run", "-bogus", clean}, 2, "flag provided but not defined"},
		{[]string{"run"}, 2, "no program files"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"profiles"}, 0, "8917e7385346"},
		{[]string{"ops"}, 0, "of_overlay_remove ov=OVERLAY"},
	} {
		code, out, errs := run(tc.args...)
		got := out
		if tc.code == 2 {
			got = errs
		}
		if code != tc.code || !strings.Contains(got, tc.want) {
			t.Errorf("dangle %s: exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s",
				strings.Join(tc.args, " "), code, tc.code, tc.want, out, errs)
		}
	}
}

// TestTrace: -trace adds the refcount table and the timeline.
func TestTrace(t *testing.T) {
	code, out, _ := run("run", "-trace", write(t, "clean.prog", cleanProg))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{"refcounts (device_node): min max final", "/soc/bus@10000/dev@100", "timeline:", "__of_changeset_entry_destroy"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace output lacks %q:\n%s", want, out)
		}
	}
}

// TestBase: -base replaces the built-in tree; a bad -base is an input error.
func TestBase(t *testing.T) {
	dts := write(t, "board.dts", "/dts-v1/;\n/ { bus: bus { }; };\n")
	prog := write(t, "p.prog", "dangle program v1\nov = of_overlay_fdt_apply blob=o.dtso\nof_overlay_remove ov=ov\n-- o.dtso --\n/dts-v1/;\n/plugin/;\n&bus { status = \"okay\"; };\n")
	code, out, errs := run("run", "-strict", "-base", dts, prog)
	if code != 1 || !strings.Contains(out, "property: /bus/status") || !strings.Contains(out, "-base "+dts) {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = run("run", "-base", write(t, "x.txt", ""), prog)
	if code != 2 || !strings.Contains(errs, "want a .dts or .dtb file") {
		t.Errorf("bad -base: exit %d: %s", code, errs)
	}
	code, _, errs = run("run", "-base", write(t, "bad.dtb", "not a blob"), prog)
	if code != 2 || !strings.Contains(errs, "bad.dtb") {
		t.Errorf("corrupt -base: exit %d: %s", code, errs)
	}
}
