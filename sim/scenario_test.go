package sim

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"dangle/prog"
)

// TestScenarios runs the datadriven scenario files in testdata/: each
// "run" directive's input is a program, its expected output the
// kernel-style log and findings under each profile named by kernel=(…).
// With "restore", the live tree after the last op is compared with the
// tree before the first op. With "strict", known findings count as
// findings (dangle run -strict); without it they are listed after the
// findings, as dangle run prints them. Regenerate with -rewrite and review the diff.
func TestScenarios(t *testing.T) {
	datadriven.Walk(t, "testdata/scenarios", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "run":
				return runScenario(t, d)
			}
			t.Fatalf("%s: unknown directive %q", d.Pos, d.Cmd)
			return ""
		})
	})
}

func runScenario(t *testing.T, d *datadriven.TestData) string {
	p, err := prog.Parse(d.Pos, []byte(d.Input+"\n"))
	if err != nil {
		return fmt.Sprintf("parse error: %v\n", err)
	}
	kernels := []string{""}
	trace, restore, strict := false, false, false
	for _, a := range d.CmdArgs {
		switch a.Key {
		case "kernel":
			kernels = a.Vals
		case "trace":
			trace = true
		case "restore":
			restore = true
		case "strict":
			strict = true
		default:
			t.Fatalf("%s: unknown argument %q", d.Pos, a.Key)
		}
	}
	var b strings.Builder
	for _, kern := range kernels {
		if len(kernels) > 1 {
			fmt.Fprintf(&b, "=== kernel %s\n", kern)
		}
		b.WriteString(runText(t, p, kern, trace, restore, strict))
	}
	return b.String()
}

// runText runs p and renders what "dangle run" prints.
func runText(t *testing.T, p *prog.Program, kern string, trace, restore, strict bool) string {
	var b strings.Builder
	k, err := New(p, Config{Filename: "scenario", Profile: kern, Trace: trace, Strict: strict})
	if err != nil {
		return fmt.Sprintf("error: %v\n", err)
	}
	before := k.DumpTree()
	k.RunOps()
	after := k.DumpTree()
	k.Teardown()
	b.WriteString(k.Log.String())
	if restore {
		if before == after {
			b.WriteString("tree restored exactly\n")
		} else {
			b.WriteString("tree differs after the last op:\n")
			b.WriteString(lineDiff(before, after))
		}
	}
	if trace {
		b.WriteString(k.TraceReport())
	}
	fs := k.Log.Findings()
	for i := range fs {
		b.WriteString(fs[i].String())
	}
	if len(fs) == 0 {
		b.WriteString("no findings\n")
	}
	for _, f := range k.Log.Known() {
		b.WriteString(f.KnownString())
	}
	return b.String()
}

// lineDiff lists the lines only in a (-) and only in b (+), in order.
func lineDiff(a, b string) string {
	as, bs := strings.Split(a, "\n"), strings.Split(b, "\n")
	inA, inB := map[string]int{}, map[string]int{}
	for _, l := range as {
		inA[l]++
	}
	for _, l := range bs {
		inB[l]++
	}
	var out strings.Builder
	for _, l := range as {
		if inB[l] == 0 {
			fmt.Fprintf(&out, "- %s\n", l)
		}
	}
	for _, l := range bs {
		if inA[l] == 0 {
			fmt.Fprintf(&out, "+ %s\n", l)
		}
	}
	return out.String()
}
