package explore

import (
	"os"
	"strings"
	"testing"

	"dangle/prog"
	"dangle/sim"
	"dangle/sim/report"
)

func tree(t *testing.T, name string) *prog.Program {
	t.Helper()
	path := "../corpus/" + name
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := prog.Parse(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, cfg Config) *Result {
	t.Helper()
	res, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// found returns the finding of title, or nil.
func found(res *Result, title string) *Found {
	for i := range res.Found {
		if res.Found[i].Finding.Title == title {
			return &res.Found[i]
		}
	}
	return nil
}

// replay checks that dangle run on the printed program gives the title.
func replay(t *testing.T, f *Found) {
	t.Helper()
	text := f.Program.Print()
	p, err := prog.Parse("found.prog", text)
	if err != nil {
		t.Fatalf("printed program does not parse: %v\n%s", err, text)
	}
	r, err := sim.Run(p, sim.Config{Filename: "found.prog", Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range r.Findings {
		if g.Title == f.Finding.Title {
			return
		}
	}
	t.Errorf("replaying the program of %q does not raise it:\n%s", f.Finding.Title, text)
}

const b1Title = "memory leak in of_changeset_destroy"

// The v6.8 B1 and B2 findings, with programs no longer than the corpus
// seeds (2 and 4 ops), replayable with dangle run.
func TestFindsB1B2OnV68(t *testing.T) {
	for _, tc := range []struct {
		tree string
		seed int // ops of the hand-minimal corpus seed
	}{{"b1-reg-expander.prog", 2}, {"b2-depopulate-remove.prog", 4}} {
		t.Run(tc.tree, func(t *testing.T) {
			res := run(t, Config{Tree: tree(t, tc.tree), TreeName: tc.tree, Profile: "v6.8", Depth: 3, Workers: 2})
			f := found(res, b1Title)
			if f == nil {
				t.Fatalf("%q not found:\n%s", b1Title, res.Statement())
			}
			if f.Depth > tc.seed {
				t.Errorf("program of %d ops, the corpus seed has %d", f.Depth, tc.seed)
			}
			if f.Cause != "" {
				t.Errorf("the kernel's own bug explained away: %s", f.Cause)
			}
			replay(t, f)
		})
	}
}

// On mainline the B1/B2 trees give only findings the program itself
// causes (a node reference held across the removal), each explained by
// replaying without the op that took it; an
// alphabet without reference-taking ops gives none, and says so.
func TestMainlineB1B2(t *testing.T) {
	for _, name := range []string{"b1-reg-expander.prog", "b2-depopulate-remove.prog"} {
		t.Run(name, func(t *testing.T) {
			res := run(t, Config{Tree: tree(t, name), TreeName: name, Profile: "mainline", Depth: 3, Workers: 2})
			for _, f := range res.Found {
				if f.Cause == "" {
					t.Errorf("unexplained finding %q:\n%s", f.Finding.Title, f.Program.Print())
				}
			}
			// reported as misuse, and the bound speaks of kernel findings
			st := res.Statement()
			if len(res.Found) == 0 || res.KernelFindings() != 0 || strings.Contains(st, "found: ") ||
				!strings.Contains(st, "misuse: ") || !strings.Contains(st, "no kernel finding up to depth 3 on profile mainline") {
				t.Errorf("statement:\n%s", st)
			}
			ops := []string{"of_overlay_fdt_apply", "of_overlay_remove", "of_platform_populate",
				"of_platform_depopulate", "device_release_driver", "device_attach", "run_work"}
			res = run(t, Config{Tree: tree(t, name), TreeName: name, Profile: "mainline", Depth: 4, Ops: ops})
			if len(res.Found) != 0 || !strings.Contains(res.Statement(), "no finding up to depth 4 on profile mainline") {
				t.Errorf("want no finding:\n%s", res.Statement())
			}
		})
	}
}

// The dt-fixup catalog driver's release takes of_mutex from
// device_link_wq: explore finds the flush under of_mutex on mainline and
// no deadlock on v6.8+wait-unlocked.
func TestDeadlock(t *testing.T) {
	const title = "deadlock: flush_workqueue(device_link_wq) under of_mutex"
	tr := tree(t, "dt-fixup-deadlock.prog")
	res := run(t, Config{Tree: tr, TreeName: "dt-fixup", Profile: "mainline", Depth: 2})
	f := found(res, title)
	if f == nil {
		t.Fatalf("%q not found:\n%s", title, res.Statement())
	}
	replay(t, f)
	res = run(t, Config{Tree: tr, TreeName: "dt-fixup", Profile: "v6.8+wait-unlocked", Depth: 3})
	for _, f := range res.Found {
		if f.Finding.Kind == report.Deadlock {
			t.Errorf("v6.8+wait-unlocked: %q", f.Finding.Title)
		}
	}
}

// render is everything a run prints but the timing.
func render(res *Result) string {
	var b strings.Builder
	for _, f := range res.Found {
		b.Write(f.Program.Print())
	}
	b.WriteString(res.Statement())
	return b.String()
}

// The result does not depend on the worker count, with sleep sets and
// kernel copies too.
func TestWorkersDeterministic(t *testing.T) {
	tr := tree(t, "b2-depopulate-remove.prog")
	for _, mode := range []Config{{}, {POR: true}, {Branch: BranchCopy}} {
		var want string
		for _, w := range []int{1, 2, 5} {
			cfg := mode
			cfg.Tree, cfg.TreeName, cfg.Profile, cfg.Depth, cfg.Workers = tr, "b2", "v6.8", 3, w
			got := render(run(t, cfg))
			if w == 1 {
				want = got
			} else if got != want {
				t.Errorf("por=%v branch=%v: workers=%d differs from workers=1:\n%s\nvs\n%s", mode.POR, mode.Branch, w, got, want)
			}
		}
	}
}

// -max-states stops the search with "in the N states explored", never
// "up to depth".
func TestMaxStates(t *testing.T) {
	res := run(t, Config{Tree: tree(t, "b1-reg-expander.prog"), TreeName: "b1", Profile: "mainline", Depth: 6, MaxStates: 5,
		Ops: []string{"of_overlay_fdt_apply", "of_overlay_remove", "run_work", "device_release_driver", "device_attach"}})
	st := res.Statement()
	if res.Stopped != "max-states" || res.States != 5 || !strings.Contains(st, "no finding in the 5 states explored") || strings.Contains(st, "up to depth") {
		t.Errorf("statement:\n%s", st)
	}
}

// State hashing merges paths to equal states: fewer states, the same
// titles.
func TestHashingMergesStates(t *testing.T) {
	tr := tree(t, "b1-reg-expander.prog")
	titles := func(r *Result) string {
		var s []string
		for _, f := range r.Found {
			s = append(s, f.Finding.Title)
		}
		return strings.Join(s, "\n")
	}
	h := run(t, Config{Tree: tr, TreeName: "b1", Profile: "v6.8", Depth: 3})
	n := run(t, Config{Tree: tr, TreeName: "b1", Profile: "v6.8", Depth: 3, NoHash: true})
	if h.States >= n.States {
		t.Errorf("hashing: %d states, without: %d", h.States, n.States)
	}
	if titles(h) != titles(n) {
		t.Errorf("titles differ:\n%s\nvs\n%s", titles(h), titles(n))
	}
}

// Every order of deferred work is a path: on B2's tree the link release
// work run before the removal (run_work) is a letter, and a state with
// pending work enables one letter per pending item.
func TestWorkItemsAreLetters(t *testing.T) {
	tr := tree(t, "b2-depopulate-remove.prog")
	x := &explorer{cfg: Config{Profile: "v6.8"}, tree: tr}
	var err error
	if x.alpha, err = newAlphabet(tr, "v6.8", DefaultOps); err != nil {
		t.Fatal(err)
	}
	w := newWorker(x)
	a := x.alpha
	pick := func(next []letter, name, arg string) letter {
		for _, l := range next {
			op := a.templates[l.t]
			if op.desc.Name == name && (arg == "" || op.node == arg) {
				return l
			}
		}
		t.Fatalf("no letter %s %s", name, arg)
		return letter{}
	}
	c, _ := w.branch(nil, func(stateKey) bool { return false })
	path := []letter{pick(c.next, "of_overlay_fdt_apply", "")}
	c, _ = w.branch(path, func(stateKey) bool { return false })
	path = append(path, pick(c.next, "of_platform_populate", "/soc/bus@10000/host@2000"))
	c, _ = w.branch(path, func(stateKey) bool { return false })
	path = append(path, pick(c.next, "of_platform_depopulate", "/soc/bus@10000/host@2000"))
	c, _ = w.branch(path, func(stateKey) bool { return false })
	var items []int
	for _, l := range c.next {
		if tp := a.templates[l.t]; tp.desc.Name == "run_work" {
			items = append(items, tp.item)
		}
	}
	if len(items) < 1 || items[0] != 1 {
		t.Fatalf("run_work letters after depopulate: %v", items)
	}
}

// Known findings are listed apart, and count with Strict.
func TestKnownAndStrict(t *testing.T) {
	const known = "memory leak of property allocated in dup_and_fixup_symbol_prop"
	tr := tree(t, "b1-reg-expander.prog")
	res := run(t, Config{Tree: tr, TreeName: "b1", Profile: "mainline", Depth: 1})
	if found(res, known) != nil || strings.Join(res.Known, "\n") != known {
		t.Errorf("not strict: known %q\n%s", res.Known, res.Statement())
	}
	res = run(t, Config{Tree: tr, TreeName: "b1", Profile: "mainline", Depth: 1, Strict: true})
	if found(res, known) == nil || len(res.Known) != 0 {
		t.Errorf("strict: known %q\n%s", res.Known, res.Statement())
	}
}

// The end of a path puts what the program still holds before the
// teardown: the printed program of an end-of-path finding on a path that
// took a node reference ends with its of_node_put, and replays.
func TestClosersEndThePath(t *testing.T) {
	res := run(t, Config{Tree: tree(t, "b1-reg-expander.prog"), TreeName: "b1", Profile: "mainline", Depth: 3})
	f := found(res, "memory leak of device_node allocated in add_changeset_node")
	if f == nil || !f.AtEnd {
		t.Fatalf("no end-of-path finding:\n%s", res.Statement())
	}
	ops := f.Program.Ops
	if len(ops) != f.Depth+1 || ops[len(ops)-1].Name() != "of_node_put" || ops[len(ops)-1].Arg("node").Ref == nil {
		t.Errorf("want the path and an of_node_put of its handle:\n%s", f.Program.Print())
	}
	replay(t, f)
}

// B4's tree (a base tree without overlays: its GPIO consumers and their
// providers) gives B4 on v6.1 in one op, as the corpus seed, and nothing
// on mainline.
func TestB4Tree(t *testing.T) {
	tr := tree(t, "b4-nvmem-wp-double-put.prog")
	res := run(t, Config{Tree: tr, TreeName: "b4", Profile: "v6.1", Depth: 1})
	f := found(res, "double gpiod_put from devm_gpiod_release")
	if f == nil || f.Depth != 1 || f.Cause != "" {
		t.Fatalf("B4 not found in one op:\n%s", res.Statement())
	}
	replay(t, f)
	res = run(t, Config{Tree: tr, TreeName: "b4", Profile: "mainline", Depth: 3})
	if len(res.Found) != 0 {
		t.Errorf("mainline:\n%s", res.Statement())
	}
}

// Branching by copying the parent's kernel (BranchCopy) gives what
// replaying every path from a fresh boot (BranchReplay) gives: the same
// programs, the same statement, the same state and transition counts
// (BranchAuto mixes the two by depth).
func TestCopyMatchesReplay(t *testing.T) {
	for _, tc := range []struct {
		tree, profile string
		depth         int
	}{
		{"b1-reg-expander.prog", "mainline", 4}, {"b1-reg-expander.prog", "v6.8", 3},
		{"b2-depopulate-remove.prog", "mainline", 4}, {"b2-depopulate-remove.prog", "v6.8", 3},
		{"b4-nvmem-wp-double-put.prog", "v6.1", 3}, {"dt-fixup-deadlock.prog", "mainline", 3},
	} {
		tr := tree(t, tc.tree)
		cfg := Config{Tree: tr, TreeName: tc.tree, Profile: tc.profile, Depth: tc.depth, Workers: 2, Branch: BranchReplay}
		want := run(t, cfg)
		cfg.Branch = BranchCopy
		got := run(t, cfg)
		if g, w := render(got), render(want); g != w {
			t.Errorf("%s on %s: copying differs from replaying:\n%s\nvs\n%s", tc.tree, tc.profile, g, w)
		}
	}
}

// A title found first as program misuse is recorded again, as the
// kernel's own, when a path taking no reference of its own raises it: a
// kernel bug does not hide behind the misuse that found its title first.
func TestMisuseDoesNotHideKernelFinding(t *testing.T) {
	tr := tree(t, "b1-reg-expander.prog")
	x := &explorer{cfg: Config{Profile: "mainline", TreeName: "b1"}, tree: tr, seen: map[string]bool{},
		misuse: map[string]bool{}, res: &Result{Profile: "mainline"}}
	var err error
	if x.alpha, err = newAlphabet(tr, "mainline", DefaultOps); err != nil {
		t.Fatal(err)
	}
	tmpl := func(name string) int32 {
		for i, tp := range x.alpha.templates {
			if tp.desc.Name == name && tp.args == nil == (name == "of_overlay_remove") {
				return int32(i)
			}
		}
		t.Fatalf("no template %s", name)
		return 0
	}
	at := func(ls ...letter) *state {
		s := &state{}
		for i, l := range ls {
			s = &state{parent: s, l: l, depth: i + 1}
		}
		return s
	}
	apply, get := letter{t: tmpl("of_overlay_fdt_apply"), ref: -1}, letter{t: tmpl("of_node_get"), ref: -1}
	remove := letter{t: tmpl("of_overlay_remove"), ref: 0}
	f := report.Finding{Title: b1Title, Kind: report.KernelError, Op: 3}
	var path []letter
	x.note(f, at(apply, get, remove), &path, nil, false)
	path = nil
	x.note(f, at(apply, get, remove), &path, nil, false) // misuse again: not recorded twice
	if len(x.res.Found) != 1 || !x.res.Found[0].Misuse() {
		t.Fatalf("want one misuse finding:\n%s", x.res.Statement())
	}
	path = nil
	x.note(f, at(apply, remove), &path, nil, false)
	if len(x.res.Found) != 2 || x.res.Found[1].Misuse() || x.res.KernelFindings() != 1 {
		t.Fatalf("want the path without a reference recorded as the kernel's:\n%s", x.res.Statement())
	}
	path = nil
	x.note(f, at(apply, remove), &path, nil, false)
	if len(x.res.Found) != 2 {
		t.Errorf("a kernel finding recorded twice:\n%s", x.res.Statement())
	}
}
