package minimizer

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"dangle/prog"
)

const linked = `dangle program v1
ov = of_overlay_fdt_apply blob=x.dtso
np = of_node_get node=/soc
of_node_put node=np
of_overlay_remove ov=ov
ov = of_overlay_fdt_apply blob=x.dtso
of_overlay_remove ov=ov
-- x.dtso --
/dts-v1/;
/plugin/;
&bus { };
`

func parseProg(t *testing.T, text string) *prog.Program {
	t.Helper()
	p, err := prog.Parse("t.prog", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func opNames(p *prog.Program) string {
	var s []string
	names := p.Names()
	for i := range p.Ops {
		s = append(s, p.OpString(i, names))
	}
	return strings.Join(s, "; ")
}

func TestDeps(t *testing.T) {
	p := parseProg(t, linked)
	want := [][]int{nil, nil, {1}, {0}, nil, {4}} // the second "ov" shadows the first
	for i := range p.Ops {
		got := deps(p, i)
		if len(got) != len(want[i]) || (len(got) > 0 && got[0] != want[i][0]) {
			t.Errorf("deps(op %d) = %v, want %v", i, got, want[i])
		}
	}
}

func TestRemoveOpsDropsUsers(t *testing.T) {
	p := parseProg(t, linked)
	got := removeOps(p, []bool{true, true})
	if want := "ov = of_overlay_fdt_apply blob=x.dtso; of_overlay_remove ov=ov"; opNames(got) != want {
		t.Errorf("got %q, want %q", opNames(got), want)
	}
	if err := got.Validate(); err != nil {
		t.Error(err)
	}
	if len(p.Ops) != 6 {
		t.Error("removeOps modified its input")
	}
}

func TestRebind(t *testing.T) {
	p := parseProg(t, linked)
	got := rebind(p, []string{"a", "b", "", "", "c", ""})
	want := "a = of_overlay_fdt_apply blob=x.dtso; b = of_node_get node=/soc; of_node_put node=b; of_overlay_remove ov=a; c = of_overlay_fdt_apply blob=x.dtso; of_overlay_remove ov=c"
	if got == nil || opNames(got) != want {
		t.Fatalf("got %v, want %q", got, want)
	}
	// Naming both overlays "ov" keeps each use on its own op (links are
	// pointers; printing renames the shadowed one); dropping a used
	// label gives it a canonical name; the same label twice cannot
	// capture a use.
	if got := rebind(p, []string{"ov", "np", "", "", "ov", ""}); got.Validate() != nil {
		t.Errorf("shadowing rename: %v", got.Validate())
	}
	if got := opNames(rebind(p, []string{"", "np", "", "", "ov", ""})); !strings.Contains(got, "of_overlay_remove ov=ov2") && !strings.Contains(got, "of_overlay_remove ov=ov;") {
		t.Errorf("dropped label: %q", got)
	}
	q := parseProg(t, "dangle program v1\na = of_node_get node=/soc\nb = of_node_get node=/soc/bus@10000\nof_node_put node=a\n")
	c := rebind(q, []string{"a", "a", ""})
	if c.Ops[2].Args[0].Ref != c.Ops[0] {
		t.Error("a relabel moved a use to another op")
	}
}

// TestNoSimImport: the minimizer takes its predicate as a function and
// never imports the simulator (architecture §1). Tests may.
func TestNoSimImport(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == "dangle/sim" || strings.HasPrefix(path, "dangle/sim/") {
				t.Errorf("%s imports %s", e.Name(), path)
			}
		}
	}
}
