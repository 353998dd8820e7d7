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

// TestCommandLine: the command-line edges of issue 14 item 6.
func TestCommandLine(t *testing.T) {
	clean := write(t, "clean.prog", cleanProg)
	finding := write(t, "finding.prog", findingProg)
	badKernel := write(t, "k.prog", "dangle program v1\n# a comment\nkernel v9.1\nof_overlay_remove_all\n")
	lex := write(t, "lex.prog", "dangle program v1\nov = of_overlay_fdt_apply blob=x.dtso\n-- x.dtso --\n/dts-v1/;\n/plugin/;\n&bus { foo = \"abc; };\n")
	inc := write(t, "inc.prog", "dangle program v1\nov = of_overlay_fdt_apply blob=x.dtso\n-- x.dtso --\n/dts-v1/;\n/plugin/;\n#include <dt-bindings/gpio/gpio.h>\n&bus { };\n")
	both := write(t, "both.prog", "dangle program v1\nof_overlay_remove_all\n-- base.dts --\n/dts-v1/;\n/ { };\n-- base.dtb --\n"+string(base64Lines([]byte("x"))))
	rootPuts := write(t, "root.prog", "dangle program v1\n"+strings.Repeat("of_node_put node=/\n", 6))
	for _, tc := range []struct {
		name string
		args []string
		code int
		out  string // substring of stdout
		err  string // substring of stderr
	}{
		{"-h exits 0 with the flags", []string{"run", "-h"}, 0, "-kernel PROFILE", ""},
		{"new -h", []string{"new", "-h"}, 0, "-o OUT.prog", ""},
		{"flags after files", []string{"run", finding, "-kernel", "v5.10", "-strict"}, 1, "kernel v5.10", ""},
		{"-- ends the flags", []string{"run", "--", clean}, 0, "no findings", ""},
		{"a bad flag after a file", []string{"run", clean, "-bogus"}, 2, "", "flag provided but not defined: -bogus"},
		{"kernel line names file:line", []string{"run", badKernel}, 2, "", "k.prog:3: kernel: unknown kernel version \"v9.1\""},
		{"lexer errors name the archive file", []string{"run", lex}, 2, "", "lex.prog:6:14: x.dtso: unterminated string"},
		{"#include without -I: a hint", []string{"run", inc}, 2, "", "run with -I DIR"},
		{"base.dts and base.dtb", []string{"run", both}, 2, "", "both base.dtb and base.dts"},
		{"the root node prints as /", []string{"run", rootPuts}, 1, "kind: kernel-error, at op 6\n  object: /\n", ""},
		{"drivers", []string{"drivers"}, 0, "nxp,pca9534 nxp,pca9535 nxp,pca9555 ti,tca6416  i2c       pca953x", ""},
	} {
		code, out, errs := run(tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errs, tc.err) {
			t.Errorf("%s: dangle %s: exit %d, want %d with stdout %q, stderr %q\nstdout:\n%s\nstderr:\n%s",
				tc.name, strings.Join(tc.args, " "), code, tc.code, tc.out, tc.err, out, errs)
		}
	}
}

// TestBaseErrors: a bad -base is reported once, naming the file, however
// many programs run; an overlay given as -base is refused.
func TestBaseErrors(t *testing.T) {
	clean := write(t, "clean.prog", cleanProg)
	bad := write(t, "bad.dts", "/dts-v1/;\n/ { a = \"x; };\n")
	code, _, errs := run("run", "-base", bad, clean, clean)
	if code != 2 || strings.Count(errs, "bad.dts") != 1 || !strings.HasPrefix(errs, "dangle run: -base: "+bad+":2:") {
		t.Errorf("bad -base: exit %d:\n%s", code, errs)
	}
	plugin := write(t, "ov.dts", "/dts-v1/;\n/plugin/;\n&bus { };\n")
	code, _, errs = run("run", "-base", plugin, clean)
	if code != 2 || !strings.Contains(errs, "is an overlay (its source says /plugin/;), not a base tree") {
		t.Errorf("overlay source as -base: exit %d:\n%s", code, errs)
	}
	blob := write(t, "ov.dtb", string(mustRead(t, "testdata/status.dtbo")))
	code, _, errs = run("run", "-base", blob, clean)
	if code != 2 || !strings.Contains(errs, "is an overlay (its root holds only fragments") {
		t.Errorf("overlay blob as -base: exit %d:\n%s", code, errs)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOpErrorSummary: after the ops, a line says which ops returned an
// error, with the first kernel message of each.
func TestOpErrorSummary(t *testing.T) {
	p := write(t, "e.prog", "dangle program v1\nov = of_overlay_fdt_apply blob=x.dtso\nof_overlay_remove ov=ov\nrun_work\n-- x.dtso --\n/dts-v1/;\n/plugin/;\n&nolabel { status = \"okay\"; };\n")
	_, out, _ := run("run", p)
	want := "2 of 3 ops returned an error: op 1 of_overlay_fdt_apply -EINVAL (OF: resolver: node label 'nolabel' not found in live devicetree symbols table), op 3 run_work -ENOENT\n"
	if !strings.Contains(out, want) {
		t.Errorf("no summary %q in:\n%s", want, out)
	}
	// a corrupt .dtbo: the kernel's line, dangle's note, the summary
	bad := write(t, "bad.prog", "dangle program v1\nov = of_overlay_fdt_apply blob=o.dtbo\n-- o.dtbo --\n"+string(base64Lines([]byte("not a blob, but long enough for a header...."))))
	_, out, _ = run("run", bad)
	for _, want := range []string{
		"  OF: overlay: Invalid overlay_fdt header\nnote: o.dtbo is corrupt: offset 0x0: bad magic 0x6e6f7420, want 0xd00dfeed",
		"1 of 1 ops returned an error: op 1 of_overlay_fdt_apply -EINVAL (OF: overlay: Invalid overlay_fdt header)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("corrupt blob: no %q in:\n%s", want, out)
		}
	}
	_, out, _ = run("run", write(t, "clean.prog", cleanProg))
	if strings.Contains(out, "returned an error") {
		t.Errorf("summary for a clean run:\n%s", out)
	}
}

// TestProfilesAligned: every column of the profiles table starts where its
// heading does, and no line ends in white space.
func TestProfilesAligned(t *testing.T) {
	_, out, _ := run("profiles")
	head, rest, _ := strings.Cut(out, "\n")
	rows := strings.Split(strings.Split(rest, "\n\n")[0], "\n")
	if len(rows) < 10 {
		t.Fatalf("%d rows:\n%s", len(rows), out)
	}
	for _, col := range []string{"devlink_wait", "pm_detach", "cset_err_msg"} {
		i := strings.Index(head, col)
		for _, r := range rows {
			if len(r) <= i || r[i-1] != ' ' || r[i] == ' ' {
				t.Errorf("column %s (at %d) misaligned in %q", col, i, r)
			}
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimRight(l, " \t") != l {
			t.Errorf("trailing white space: %q", l)
		}
	}
}

// TestFlagSets: "dangle ops" shows a flag set as FLAGS with its values
// listed apart, so '|' never both separates alternatives and joins flags;
// a program may give the flags in any order (printed in the table's).
func TestFlagSets(t *testing.T) {
	_, out, _ := run("ops")
	if !strings.Contains(out, "flags=FLAGS\n") || !strings.Contains(out, "    FLAGS: one of 0, DL_FLAG_STATELESS, ") ||
		strings.Contains(out, "flags=0|") || strings.Contains(out, "flags=nonexclusive|") {
		t.Errorf("ambiguous flags in dangle ops:\n%s", out)
	}
	link := func(flags string) string {
		return "dangle program v1\nl = device_link_add consumer=/soc/i2c@3000 supplier=/soc/gpio@2000 flags=" + flags + "\ndevice_link_del link=l\n"
	}
	_, a, errA := run("run", write(t, "a.prog", link("DL_FLAG_STATELESS|DL_FLAG_AUTOREMOVE_CONSUMER")))
	code, b, errB := run("run", write(t, "b.prog", link("DL_FLAG_AUTOREMOVE_CONSUMER|DL_FLAG_STATELESS")))
	_, a, _ = strings.Cut(a, "\n")
	_, b, _ = strings.Cut(b, "\n")
	// the same run, the flags printed in the table's order
	if code == 2 || a != b || !strings.Contains(b, "flags=DL_FLAG_STATELESS|DL_FLAG_AUTOREMOVE_CONSUMER\n") {
		t.Errorf("flag order matters: exit %d %s%s\n%s\nvs\n%s", code, errA, errB, a, b)
	}
	if code, _, errs := run("run", write(t, "c.prog", link("DL_FLAG_STATELESS|DL_FLAG_STATELESS"))); code != 2 || !strings.Contains(errs, "bad value") {
		t.Errorf("a repeated flag: exit %d %s", code, errs)
	}
}
