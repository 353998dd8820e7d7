package sim

import (
	"strings"
	"testing"

	"dangle/prog"
	"dangle/sim/report"
)

func titles(fs []report.Finding) string {
	var s []string
	for _, f := range fs {
		s = append(s, string(f.Kind)+" "+f.Title)
	}
	return strings.Join(s, "\n")
}

// StepOp runs a program's ops one by one on a kernel built without them
// to the state and findings of the program run straight through; a
// clone taken before each op and stepped on its own ends alike, and the
// original's program does not see the clone's ops.
func TestStepOpMatchesProgram(t *testing.T) {
	progs := corpusPrograms(t)
	for _, name := range sortedNames(progs) {
		p := progs[name]
		want, err := New(p, Config{Filename: name, Quiet: true})
		if err != nil {
			t.Fatal(err)
		}
		want.RunOps()
		wantState := want.Encode()
		want.Teardown()
		bare := &prog.Program{Kernel: p.Kernel, Files: p.Files}
		k, err := New(bare, Config{Filename: name, Quiet: true})
		if err != nil {
			t.Fatal(err)
		}
		for i, op := range p.Ops {
			c := k.Clone()
			if slot, err := k.StepOp(op); err != nil || slot != i {
				t.Fatalf("%s: op %d: slot %d, %v", name, i, slot, err)
			}
			for _, op := range p.Ops[i:] {
				if _, err := c.StepOp(op); err != nil {
					t.Fatalf("%s: clone: %v", name, err)
				}
			}
			if got := c.Encode(); got != wantState {
				t.Errorf("%s: clone before op %d: state differs", name, i)
			}
			if len(k.Ops()) != i+1 {
				t.Fatalf("%s: the clone's ops reached the original: %d ops", name, len(k.Ops()))
			}
		}
		if got := k.Encode(); got != wantState {
			t.Errorf("%s: state differs:\n%s\nvs\n%s", name, got, wantState)
		}
		k.Teardown()
		if g, w := titles(k.Log.Findings()), titles(want.Log.Findings()); g != w {
			t.Errorf("%s: findings:\n%s\nvs\n%s", name, g, w)
		}
		if g, w := titles(k.Log.Known()), titles(want.Log.Known()); g != w {
			t.Errorf("%s: known:\n%s\nvs\n%s", name, g, w)
		}
	}
}

// A malformed op is an error naming what is wrong, and the kernel is
// left as it was.
func TestStepOpErrors(t *testing.T) {
	p := corpusPrograms(t)["../corpus/b1-reg-expander.prog"]
	k, err := New(&prog.Program{Kernel: p.Kernel, Files: p.Files}, Config{Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	apply := prog.NewOp(prog.Lookup("of_overlay_fdt_apply"), "", prog.FileArg("blob", "reg-expander.dtso"))
	get := prog.NewOp(prog.Lookup("of_node_get"), "", prog.PathArg("node", "/soc"))
	if _, err := k.StepOp(apply); err != nil {
		t.Fatal(err)
	}
	before := k.Encode()
	for _, tc := range []struct {
		op   *prog.Op
		want string
	}{
		{nil, "not an op"},
		{prog.NewOp(prog.Lookup("of_overlay_remove"), "", prog.RefArg("ov", get)), "has not run"},
		{prog.NewOp(prog.Lookup("of_node_put"), "", prog.RefArg("node", apply)), "wants a node"},
		{prog.NewOp(prog.Lookup("of_overlay_remove"), "", prog.IntArg("nosuch", 1)), `no argument "nosuch"`},
	} {
		_, err := k.StepOp(tc.op)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want an error with %q, got %v", tc.want, err)
		}
	}
	if len(k.Ops()) != 1 || k.Encode() != before {
		t.Errorf("a refused op changed the kernel")
	}
	// the remove links to the apply it ran: the overlay goes
	if _, err := k.StepOp(prog.NewOp(prog.Lookup("of_overlay_remove"), "", prog.RefArg("ov", apply))); err != nil {
		t.Fatal(err)
	}
	if d, live := k.Handle(0); live || d != "overlay id 0" {
		t.Errorf("after the remove: %q live=%v", d, live)
	}
}
