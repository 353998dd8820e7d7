package prog

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// shape renders p's ops with links as op indices and results by the
// names Print gives them: two programs with the same shape print alike
// and link alike.
func shape(p *Program) string {
	names := p.Names()
	var b strings.Builder
	for i, op := range p.Ops {
		fmt.Fprintf(&b, "%d: %s %q", i, op.Name(), names[i])
		for _, a := range op.Args {
			fmt.Fprintf(&b, " %s={ref:%d int:%d path:%q file:%q sched:%v}", a.Key, p.Index(a.Ref), a.Int, a.Path, a.File, a.Sched)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// checkTyped checks the typed invariants of a valid program: it
// validates, every link points to an earlier op of the argument's type,
// every linked result has a name, and parse(print(p)) has the same
// shape and prints the same text. parsed says p came from Parse, so
// every label is kept as the name.
func checkTyped(t *testing.T, p *Program, parsed bool) {
	t.Helper()
	if err := p.Validate(); err != nil {
		t.Fatalf("Validate: %v\n%s", err, p.Print())
	}
	names := p.Names()
	for i, op := range p.Ops {
		for _, j := range p.Links(i) {
			if j < 0 || j >= i || !slices.Contains(Uses(p, j), i) {
				t.Fatalf("op %d: Links %v, Uses(%d) = %v", i, p.Links(i), j, Uses(p, j))
			}
		}
		if parsed && names[i] != op.Label {
			t.Fatalf("op %d: parsed label %q printed as %q", i, op.Label, names[i])
		}
		for _, a := range op.Args {
			if a.Ref == nil {
				continue
			}
			j := p.Index(a.Ref)
			if j < 0 || j >= i || names[j] == "" {
				t.Fatalf("op %d: %s links to op %d named %q", i, a.Key, j, names[j])
			}
			if !slices.Contains(Uses(p, j), i) {
				t.Fatalf("Uses(%d) = %v lacks %d", j, Uses(p, j), i)
			}
		}
	}
	text := p.Print()
	q, err := Parse("t.prog", text)
	if err != nil {
		t.Fatalf("parsing printed program: %v\n%s", err, text)
	}
	if a, b := shape(p), shape(q); a != b {
		t.Fatalf("parse(print(p)) has another shape:\n%s\nwant:\n%s\ntext:\n%s", b, a, text)
	}
	if text2 := q.Print(); !bytes.Equal(text, text2) {
		t.Fatalf("print not idempotent:\n%s\nthen:\n%s", text, text2)
	}
}

// randomProgram builds a valid program of n ops the way a generator
// would: each argument a random value of its kind, links to a random
// earlier op of the right type, labels from a small set (so they shadow
// each other) or none.
func randomProgram(r *rand.Rand, n int) *Program {
	p := &Program{Files: []File{{Name: "o.dtso", Data: []byte("/dts-v1/;\n/plugin/;\n&bus { };\n")}}}
	labels := []string{"", "", "a", "b", "ov", "np"}
	for len(p.Ops) < n {
		d := &Ops[r.IntN(len(Ops))]
		op := NewOp(d, "")
		if d.Result != TypeNone {
			op.Label = labels[r.IntN(len(labels))]
		}
		for _, ad := range d.Args {
			if ad.Optional && r.IntN(2) == 0 {
				continue
			}
			a := Arg{Key: ad.Key}
			switch ad.Kind {
			case KindFile:
				a.File = "o.dtso"
			case KindRef, KindNode:
				var cands []*Op
				for _, e := range p.Ops {
					if e.Result() == ad.Type {
						cands = append(cands, e)
					}
				}
				switch {
				case len(cands) > 0 && r.IntN(4) > 0:
					a.Ref = cands[r.IntN(len(cands))]
				case ad.Kind == KindNode:
					a.Path = []string{"/", "/soc", "/soc/i2c@3000"}[r.IntN(3)]
				case ad.Type == TypeOverlay:
					a.Int = ad.Min + r.IntN(ad.Max-ad.Min+1)
				default:
					a.Ref = nil
				}
				if ad.Kind == KindRef && a.Ref == nil && ad.Type != TypeOverlay {
					op = nil // no op to link to: pick another op
				}
			case KindInt:
				a.Int = ad.Min + r.IntN(ad.Max-ad.Min+1)
			case KindEnum:
				a.Int = r.IntN(len(ad.Values))
			case KindSched:
				a.Sched = []SchedItem{{Point: r.IntN(len(d.Sched)), Count: r.IntN(3)}}
			}
			if op == nil {
				break
			}
			op.Args = append(op.Args, a)
		}
		if op != nil {
			p.Ops = append(p.Ops, op)
		}
	}
	return p
}

// seed returns the base seed of the randomized tests: DANGLE_SEED, else 1.
func seed(t *testing.T) uint64 {
	if s := os.Getenv("DANGLE_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("DANGLE_SEED: %v", err)
		}
		return n
	}
	return 1
}

// TestRandomPrograms: generated programs validate and round-trip through
// text with their links; RemoveOp and InsertOp keep them valid.
func TestRandomPrograms(t *testing.T) {
	base := seed(t)
	for i := uint64(0); i < 300; i++ {
		s := base + i
		t.Run(strconv.FormatUint(s, 10), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("replay: DANGLE_SEED=%d go test ./prog -run 'TestRandomPrograms/%d$'", s, s)
				}
			}()
			r := rand.New(rand.NewPCG(s, 0))
			p := randomProgram(r, 1+r.IntN(12))
			checkTyped(t, p, false)

			c := p.Clone()
			i := r.IntN(len(c.Ops))
			victim := c.Ops[i]
			users := Uses(c, i)
			removed := RemoveOp(c, i)
			if removed[0] != i || len(removed) < 1+len(users) {
				t.Fatalf("RemoveOp(%d) removed %v; users %v", i, removed, users)
			}
			for _, op := range c.Ops {
				for _, a := range op.Args {
					if a.Ref == victim {
						t.Fatalf("a user of the removed op is left")
					}
				}
			}
			checkTyped(t, c, false)
			if s1, s2 := shape(p), p.Print(); s1 == "" || len(s2) == 0 {
				t.Fatalf("RemoveOp on a clone changed the original")
			}

			// Insert a copy of a random op at a random place at or after
			// its links: valid; before a link: rejected, p unchanged.
			src := p.Ops[r.IntN(len(p.Ops))].Clone()
			src.Label = ""
			min := 0
			for _, a := range src.Args {
				if j := p.Index(a.Ref); j+1 > min {
					min = j + 1
				}
			}
			at := min + r.IntN(len(p.Ops)-min+1)
			q := p.Clone()
			// relink src to q's ops
			for k := range src.Args {
				if j := p.Index(src.Args[k].Ref); j >= 0 {
					src.Args[k].Ref = q.Ops[j]
				}
			}
			if err := InsertOp(q, at, src); err != nil {
				t.Fatalf("InsertOp(%d) with links before %d: %v", at, min, err)
			}
			checkTyped(t, q, false)
			if min > 0 {
				before := len(q.Ops)
				if err := InsertOp(q, min-1, src.Clone()); err == nil {
					t.Fatalf("InsertOp before a link succeeded")
				}
				if len(q.Ops) != before {
					t.Fatalf("a failed InsertOp changed the program")
				}
			}
		})
	}
}

// TestNames pins canonical names: unlabelled used results get the type's
// prefix, numbered past names in use; a shadowed label is renamed.
func TestNames(t *testing.T) {
	get := Lookup("of_node_get")
	put := Lookup("of_node_put")
	apply := Lookup("of_overlay_fdt_apply")
	rm := Lookup("of_overlay_remove")
	a := NewOp(get, "", PathArg("node", "/soc"))
	b := NewOp(get, "np", PathArg("node", "/"))
	c := NewOp(apply, "", FileArg("blob", "o.dtso"))
	d := NewOp(apply, "", FileArg("blob", "o.dtso")) // unused: no name
	p := &Program{
		Ops: []*Op{a, b, c, d,
			NewOp(put, "", RefArg("node", a)),
			NewOp(put, "", RefArg("node", b)),
			NewOp(rm, "", RefArg("ov", c))},
		Files: []File{{Name: "o.dtso", Data: []byte("/dts-v1/;\n/plugin/;\n&bus { };\n")}},
	}
	want := "np2 = of_node_get node=/soc\nnp = of_node_get node=/\nov = of_overlay_fdt_apply blob=o.dtso\n" +
		"of_overlay_fdt_apply blob=o.dtso\nof_node_put node=np2\nof_node_put node=np\nof_overlay_remove ov=ov\n"
	if got := string(p.Print()); !strings.HasSuffix(got, want+"-- o.dtso --\n/dts-v1/;\n/plugin/;\n&bus { };\n") {
		t.Errorf("Print:\n%s\nwant ops:\n%s", got, want)
	}
	checkTyped(t, p, false)

	// Shadowing: both labelled n, the put links to the first.
	a.Label, b.Label = "n", "n"
	p.Ops = []*Op{a, b, NewOp(put, "", RefArg("node", a)), NewOp(put, "", RefArg("node", b))}
	if got := strings.Join(p.Names(), ","); got != "np,n,," {
		t.Errorf("Names with a shadowed use = %s, want np,n,,", got)
	}
	checkTyped(t, p, false)
	if got := p.OpString(2, nil); got != "of_node_put node=np" {
		t.Errorf("OpString = %s", got)
	}
}

// TestShadowingParse: a rebound name links each use to the binding it
// sees, and printing keeps the user's names.
func TestShadowingParse(t *testing.T) {
	in := hdr + "n = of_node_get node=/soc\nof_node_put node=n\nn = of_node_get node=n\nof_node_put node=n\n"
	p, err := Parse("t.prog", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if p.Ops[1].Args[0].Ref != p.Ops[0] || p.Ops[2].Args[0].Ref != p.Ops[0] || p.Ops[3].Args[0].Ref != p.Ops[2] {
		t.Errorf("links: %s", shape(p))
	}
	if got := string(p.Print()); got != in {
		t.Errorf("Print:\n%s\nwant:\n%s", got, in)
	}
	if got := Uses(p, 0); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("Uses(0) = %v", got)
	}
	if got := RemoveOp(p, 0); !slices.Equal(got, []int{0, 1, 2, 3}) {
		t.Errorf("RemoveOp(0) removed %v, want all (3 uses 2 uses 0)", got)
	}
}

// TestRanges: ints outside the op table's range are rejected by Parse.
func TestRanges(t *testing.T) {
	for in, want := range map[string]string{
		"run_work item=9\n":                      "t.prog:2: run_work: item: value 9 out of range 1..8",
		"run_work item=0\n":                      "t.prog:2: run_work: item: value 0 out of range 1..8",
		"of_overlay_remove ov=65\n":              "t.prog:2: of_overlay_remove: ov: overlay id 65 out of range 0..64",
		"devm_add_action node=/soc action=17\n":  "t.prog:2: devm_add_action: action: value 17 out of range 0..16",
		"devres_open_group node=/soc id=0\n":     "t.prog:2: devres_open_group: id: value 0 out of range 1..16",
		"devres_open_group node=/soc id=99999\n": "t.prog:2: devres_open_group: id: value 99999 out of range 1..16",
	} {
		_, err := Parse("t.prog", []byte(hdr+in))
		if err == nil || err.Error() != want {
			t.Errorf("%s: err = %v, want %s", in, err, want)
		}
	}
	for _, in := range []string{"run_work item=8\n", "of_overlay_remove ov=64\n", "devm_add_action node=/soc action=0\n"} {
		if _, err := Parse("t.prog", []byte(hdr+in)); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
}
