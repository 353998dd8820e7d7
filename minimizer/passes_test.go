package minimizer

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"dangle/dt"
	"dangle/prog"
)

// textPredicate fails a program whose text contains every one of needles
// and that has an op called at; Verdict.Op is that op's 1-based index.
// calls counts the runs.
func textPredicate(at string, calls *int, needles ...string) Predicate {
	return func(p *prog.Program) Verdict {
		if calls != nil {
			*calls++
		}
		text := p.String()
		for _, n := range needles {
			if !strings.Contains(text, n) {
				return Verdict{}
			}
		}
		for i, op := range p.Ops {
			if op.Name() == at {
				return Verdict{Fails: true, Op: i + 1}
			}
		}
		return Verdict{}
	}
}

// runPass runs one pass on p and returns the program it leaves.
func runPass(t *testing.T, fn func(*session), p *prog.Program, pred Predicate) (*prog.Program, *PassStats) {
	t.Helper()
	if err := valid(p); err != nil {
		t.Fatalf("test program: %v\n%s", err, p)
	}
	s := newSession(pred, &Budget{})
	v := pred(p)
	if !v.Fails {
		t.Fatalf("test program does not fail\n%s", p)
	}
	s.cur, s.op = p, v.Op
	s.st = &PassStats{}
	fn(s)
	return s.cur, s.st
}

const overlay = `-- x.dtso --
/dts-v1/;
/plugin/;
&bus { dev@1 { compatible = "a"; }; };
`

func TestPassAfterReport(t *testing.T) {
	p := parseProg(t, "dangle program v1\nov = of_overlay_fdt_apply blob=x.dtso\nof_overlay_remove ov=ov\nflush_workqueue\nof_overlay_remove_all\n"+overlay)
	got, _ := runPass(t, passAfterReport, p, textPredicate("of_overlay_remove", nil))
	if want := "ov = of_overlay_fdt_apply blob=x.dtso; of_overlay_remove ov=ov"; opNames(got) != want {
		t.Errorf("got %q, want %q", opNames(got), want)
	}
	// A teardown finding says nothing about which ops matter.
	teardown := func(p *prog.Program) Verdict { return Verdict{Fails: true, Op: -1} }
	if got, _ := runPass(t, passAfterReport, p, teardown); len(got.Ops) != 4 {
		t.Errorf("teardown finding: ops dropped: %q", opNames(got))
	}
}

func TestPassUnrelated(t *testing.T) {
	var b strings.Builder
	b.WriteString("dangle program v1\n")
	for i := range 40 {
		fmt.Fprintf(&b, "n%d = of_node_get node=/soc/spi@4000\nof_node_put node=n%d\n", i, i)
		if i == 20 {
			b.WriteString("ov = of_overlay_fdt_apply blob=x.dtso\n")
		}
	}
	b.WriteString("of_overlay_remove ov=ov\n" + overlay)
	p := parseProg(t, b.String())
	calls := 0
	got, st := runPass(t, passUnrelated, p, textPredicate("of_overlay_remove", &calls, "of_overlay_fdt_apply"))
	if want := "ov = of_overlay_fdt_apply blob=x.dtso; of_overlay_remove ov=ov"; opNames(got) != want {
		t.Errorf("got %q, want %q", opNames(got), want)
	}
	// The pairs share the node path: one group, gone in one run.
	if st.Runs > 2 {
		t.Errorf("%d runs: want the unrelated pairs removed as one group", st.Runs)
	}
}

func TestComponents(t *testing.T) {
	p := parseProg(t, `dangle program v1
a = of_node_get node=/soc
ov = of_overlay_fdt_apply blob=x.dtso
of_node_put node=a
b = of_node_get node=/chosen
of_overlay_remove ov=ov
ov2 = of_overlay_fdt_apply blob=x.dtso
`+overlay)
	c := components(p)
	same := func(i, j int) bool { return c[i] == c[j] }
	if !same(0, 2) || !same(1, 4) || !same(1, 5) || same(0, 1) || same(3, 0) || same(3, 1) {
		t.Errorf("components %v: want {0,2} {1,4,5} {3}", c)
	}
}

func TestPassOps(t *testing.T) {
	p := parseProg(t, `dangle program v1
a = of_node_get node=/soc
ov = of_overlay_fdt_apply blob=x.dtso
of_node_put node=a
flush_workqueue
of_overlay_remove ov=ov
device_link_wait_removal
`+overlay)
	got, _ := runPass(t, passOps, p, textPredicate("device_link_wait_removal", nil, "of_overlay_remove"))
	if want := "ov = of_overlay_fdt_apply blob=x.dtso; of_overlay_remove ov=ov; device_link_wait_removal"; opNames(got) != want {
		t.Errorf("got %q, want %q", opNames(got), want)
	}
}

func TestPassSched(t *testing.T) {
	p := parseProg(t, "dangle program v1\nov = of_overlay_fdt_apply blob=x.dtso\nof_overlay_remove ov=ov sched=after-revert-notify:3\n"+overlay)
	got, _ := runPass(t, passSched, p, textPredicate("of_overlay_remove", nil))
	if want := "ov = of_overlay_fdt_apply blob=x.dtso; of_overlay_remove ov=ov"; opNames(got) != want {
		t.Errorf("unneeded sched: got %q, want %q", opNames(got), want)
	}
	got, _ = runPass(t, passSched, p, textPredicate("of_overlay_remove", nil, "sched=after-revert-notify"))
	if want := "ov = of_overlay_fdt_apply blob=x.dtso; of_overlay_remove ov=ov sched=after-revert-notify"; opNames(got) != want {
		t.Errorf("needed sched point: got %q, want %q", opNames(got), want)
	}
}

func TestPassWork(t *testing.T) {
	p := parseProg(t, "dangle program v1\nrun_work wq=device_link_wq item=3\nflush_workqueue wq=events\n")
	got, _ := runPass(t, passWork, p, textPredicate("run_work", nil, "events"))
	if want := "run_work; flush_workqueue wq=events"; opNames(got) != want {
		t.Errorf("got %q, want %q", opNames(got), want)
	}
	got, _ = runPass(t, passWork, p, textPredicate("run_work", nil, "item="))
	if want := "run_work item=1; flush_workqueue wq=events"; opNames(got) != want {
		t.Errorf("item needed: got %q, want %q", opNames(got), want)
	}
}

func TestPassFiles(t *testing.T) {
	p := parseProg(t, "dangle program v1\nof_overlay_fdt_apply blob=x.dtso\n"+overlay+"-- y.dtso --\n/dts-v1/;\n/plugin/;\n&bus { };\n")
	got, _ := runPass(t, passFiles, p, textPredicate("of_overlay_fdt_apply", nil))
	if len(got.Files) != 1 || got.Files[0].Name != "x.dtso" {
		t.Errorf("files %v: want only x.dtso", got.Files)
	}
}

// TestHDD: of an overlay with fragments, nodes at three depths,
// properties, string lists and cell arrays, only what the predicate
// needs survives, and what it needs by reference (a label) stays.
func TestHDD(t *testing.T) {
	src := `/dts-v1/;
/plugin/;
&bus {
	keep: a@1 { compatible = "x", "y", "z"; reg = <1>; unused; };
	b@2 {
		c { deep { needle = <&keep 7 8 9>; other = "o"; }; };
		d { };
	};
};
&i2c0 { e@3 { reg = <3>; }; };
&{/} { f { }; };
`
	p := parseProg(t, "dangle program v1\nof_overlay_fdt_apply blob=x.dtso\n-- x.dtso --\n"+src)
	got, _ := runPass(t, passOverlays, p, textPredicate("of_overlay_fdt_apply", nil, "needle", "&keep", "8", `"y"`))
	want := `/dts-v1/;
/plugin/;

&bus {

	keep: a@1 {
		compatible = "y";
	};

	b@2 {

		c {

			deep {
				needle = <&keep 8>;
			};
		};
	};
};
`
	if f := got.File("x.dtso"); string(f.Data) != want {
		t.Errorf("got\n%s\nwant\n%s", f.Data, want)
	}
}

func TestPassBase(t *testing.T) {
	builtin := "dangle program v1\nof_node_get node=/soc\n-- base.dts --\n" + string(prog.DefaultBase)
	p := parseProg(t, builtin)
	got, _ := runPass(t, passBase, p, textPredicate("of_node_get", nil))
	if got.File(prog.DefaultBaseName) != nil {
		t.Error("base.dts kept although the built-in base does as well")
	}
	// A base blob goes the same way.
	tree, _, err := dt.Load("base.dts", prog.DefaultBase, dt.CompileOptions{Symbols: true})
	if err != nil {
		t.Fatal(err)
	}
	p = parseProg(t, "dangle program v1\nof_node_get node=/soc\n-- base.dtb --\n"+string(prog.EncodeBlob(dt.WriteFDT(tree))))
	if got, _ := runPass(t, passBase, p, textPredicate("of_node_get", nil)); len(got.Files) != 0 {
		t.Errorf("base.dtb kept although the built-in base does as well")
	}
	// A base tree the program needs is shrunk like an overlay.
	p = parseProg(t, "dangle program v1\nof_node_get node=/soc\n-- base.dts --\n/dts-v1/;\n/ { soc { needle; x = <1>; }; other { }; };\n")
	got, _ = runPass(t, passBase, p, textPredicate("of_node_get", nil, "needle"))
	if want := "/dts-v1/;\n\n/ {\n\n\tsoc {\n\t\tneedle;\n\t};\n};\n"; string(got.File(prog.DefaultBaseName).Data) != want {
		t.Errorf("got\n%s\nwant\n%s", got.File(prog.DefaultBaseName).Data, want)
	}
}

func TestPassSimplify(t *testing.T) {
	p := parseProg(t, `dangle program v1
myov = of_overlay_fdt_apply blob=x.dtso
unused = of_node_get node=/soc/bus@10000/regulator-vdd
of_overlay_remove ov=myov
-- x.dtso --
/dts-v1/;
/plugin/;
&bus { vdd: regulator-vdd { compatible = "regulator-fixed"; reg = <7>; x = <5 0x10 6>; }; other: o { p = <&other>; }; };
`)
	got, _ := runPass(t, passSimplify, p, textPredicate("of_overlay_remove", nil, "of_node_get", " 0x10 "))
	want := "ov = of_overlay_fdt_apply blob=x.dtso; of_node_get node=/soc/bus@10000/regulator; of_overlay_remove ov=ov"
	if opNames(got) != want {
		t.Errorf("ops %q, want %q", opNames(got), want)
	}
	src := string(got.File("x.dtso").Data)
	if strings.Contains(src, "vdd:") || !strings.Contains(src, "other: o") || !strings.Contains(src, "regulator {") {
		t.Errorf("want the unused label dropped, the used one kept, the name shortened:\n%s", src)
	}
	// Cells go to 0 where the finding allows (the predicate keeps 0x10),
	// never in reg.
	if !strings.Contains(src, "x = <0 0x10 0>;") || !strings.Contains(src, "reg = <7>;") {
		t.Errorf("want x = <0 0x10 0> and reg kept:\n%s", src)
	}
}

func TestMinimizeErrors(t *testing.T) {
	p := parseProg(t, "dangle program v1\nov = of_overlay_fdt_apply blob=x.dtso\nof_overlay_remove ov=ov\n"+overlay)
	never := func(*prog.Program) Verdict { return Verdict{} }
	if _, _, err := Minimize(p, never, Options{}); !errors.Is(err, ErrNoRepro) {
		t.Errorf("original does not fail: err %v, want ErrNoRepro", err)
	}
	// A predicate that fails the first time only: the result does not
	// survive re-verification.
	calls := 0
	once := func(*prog.Program) Verdict { calls++; return Verdict{Fails: calls == 1, Op: 1} }
	if _, _, err := Minimize(p, once, Options{}); !errors.Is(err, ErrNoRepro) || !strings.Contains(err.Error(), "re-verification") {
		t.Errorf("flaky predicate: err %v, want a re-verification ErrNoRepro", err)
	}
}

func TestMinimizeBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("dangle program v1\n")
	for i := range 30 {
		fmt.Fprintf(&b, "flush_workqueue\nn%d = of_node_get node=/soc/n%d\n", i, i)
	}
	b.WriteString("device_link_wait_removal\n")
	p := parseProg(t, b.String())
	calls := 0
	pred := textPredicate("device_link_wait_removal", &calls, "node=/soc/n7\n", "node=/soc/n19\n")
	got, st, err := Minimize(p, pred, Options{Steps: 20})
	if err != nil {
		t.Fatal(err)
	}
	if !st.Exhausted || st.Steps != 21 || calls != 21 {
		t.Errorf("exhausted %v, steps %d, calls %d: want true, 21, 21 (20 + the re-verification)", st.Exhausted, st.Steps, calls)
	}
	if !pred(got).Fails || len(got.Ops) >= len(p.Ops) {
		t.Errorf("budget-limited result does not fail or did not shrink: %d ops", len(got.Ops))
	}
	// With the default budget the same program shrinks to its cause.
	got, st, err = Minimize(p, pred, Options{})
	if err != nil || st.Exhausted {
		t.Fatal(err, st.Exhausted)
	}
	// The bindings nothing uses are gone.
	if want := "of_node_get node=/soc/n7; of_node_get node=/soc/n19; device_link_wait_removal"; opNames(got) != want {
		t.Errorf("got %q, want %q", opNames(got), want)
	}
}

// TestStatsPasses: Stats lists every pass once, in Passes order, and the
// counters add up to the predicate calls.
func TestStatsPasses(t *testing.T) {
	p := parseProg(t, "dangle program v1\nov = of_overlay_fdt_apply blob=x.dtso\nflush_workqueue\nof_overlay_remove ov=ov\n"+overlay)
	calls := 0
	_, st, err := Minimize(p, textPredicate("of_overlay_remove", &calls), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	runs := 0
	for _, ps := range st.Passes {
		names = append(names, ps.Name)
		runs += ps.Runs
	}
	if strings.Join(names, ",") != strings.Join(Passes(), ",") {
		t.Errorf("stats passes %v, want %v", names, Passes())
	}
	// The original and the re-verification are not a pass's runs.
	if runs+2 != calls || st.Steps != calls {
		t.Errorf("pass runs %d + 2, steps %d, predicate calls %d: want equal", runs, st.Steps, calls)
	}
	var b strings.Builder
	st.Print(&b)
	for _, want := range []string{"pass ", "after-report", "simplify", "before: 3 ops", "after:  2 ops, 1 nodes, 0 properties"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("Print lacks %q:\n%s", want, b.String())
		}
	}
}
