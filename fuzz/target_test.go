package fuzz

import (
	"regexp"
	"testing"

	"dangle/prog"
)

func mustParse(t *testing.T, text string) *prog.Program {
	t.Helper()
	p, err := prog.Parse("t.prog", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunnerFilters: what fails a target and what does not.
func TestRunnerFilters(t *testing.T) {
	b1, err := prog.ParseFile("../corpus/b1-reg-expander.prog")
	if err != nil {
		t.Fatal(err)
	}
	const title = "memory leak in of_changeset_destroy"
	r := NewRunner("FuzzLifecycle", Env{})
	fails, err := r.RunProg(b1, nil)
	if err != nil || len(fails) == 0 || fails[0].Finding.Title != title {
		t.Fatalf("B1: %v %v", fails, err)
	}
	// a seed showing the bug it expects passes, consequences included
	if fails, _ := r.RunProg(b1, map[string]bool{title: true}); len(fails) != 0 {
		t.Errorf("expected title: %v", fails)
	}
	// one that expects another bug fails
	if fails, _ := r.RunProg(b1, map[string]bool{"double gpiod_put": true}); len(fails) == 0 {
		t.Error("a seed raising only titles it does not expect passed")
	}
	r.Env.Ignore = regexp.MustCompile("of_changeset_destroy|of_node_release|add_changeset_node")
	if fails, _ := r.RunProg(b1, nil); len(fails) != 0 {
		t.Errorf("DANGLE_IGNORE: %v", fails)
	}
	r.Env.Ignore, r.Env.Only = nil, regexp.MustCompile("^"+title+"$")
	if fails, _ := r.RunProg(b1, nil); len(fails) != 1 {
		t.Errorf("DANGLE_ONLY: %v", fails)
	}
	// API misuse and the program's own leaked references pass, unless
	// DANGLE_MISUSE=1
	own := mustParse(t, "dangle program v1\nkernel mainline\nof_node_get node=/soc\ndevres_close_group node=/soc/i2c@3000\n")
	r.Env.Only = nil
	if fails, _ := r.RunProg(own, nil); len(fails) != 0 {
		t.Errorf("misuse failed the target: %v", fails)
	}
	// one finding per program (sim.Primary): the earliest, the warning
	r.Env.Misuse = true
	if fails, _ := r.RunProg(own, nil); len(fails) != 1 || fails[0].Finding.Title != "WARNING in devres_close_group" {
		t.Errorf("DANGLE_MISUSE=1: %d failures, want the warning: %v", len(fails), fails)
	}
}

// TestPlainestFindsB1: FuzzLifecycle's plainest input with an op (four
// zero header bytes, then the first apply) fails on v6.8 with B1's title
// — a regulator and its consumer added by one overlay, removed at
// teardown while the link release work still holds them — and is clean
// on v6.8.5, where the removal waits for that work (B1's fix).
func TestPlainestFindsB1(t *testing.T) {
	for _, c := range []struct {
		kernel string
		want   int
	}{{"v6.8", 1}, {"v6.8.5", 0}} {
		r := NewRunner("FuzzLifecycle", Env{Kernel: c.kernel})
		var in []byte
		for k := range 256 {
			if in = []byte{0, 0, 0, 0, byte(k)}; len(r.Decode(in).Ops) > 0 {
				break
			}
		}
		fails, err := r.Run(in)
		if err != nil {
			t.Fatal(err)
		}
		if len(fails) < c.want || (c.want == 0 && len(fails) > 0) || (c.want > 0 && fails[0].Finding.Title != "memory leak in of_changeset_destroy") {
			t.Errorf("%s: %d failures %v, want B1's title %d times first:\n%s", c.kernel, len(fails), fails, c.want, r.Decode(in))
		}
	}
}

// TestNoMisuse: DANGLE_MISUSE=0 sets the decoder's misuse chance to 0
// and leaves out the seeds that need it (B6's double put).
func TestNoMisuse(t *testing.T) {
	on, off := NewRunner("FuzzGPIO", Env{Seeds: true}), NewRunner("FuzzGPIO", Env{Seeds: true, NoMisuse: true})
	if off.Weights.Misuse != 0 || on.Weights.Misuse == 0 {
		t.Fatalf("misuse chance: on %d, off %d", on.Weights.Misuse, off.Weights.Misuse)
	}
	a, err := on.Seeds("..")
	if err != nil {
		t.Fatal(err)
	}
	b, err := off.Seeds("..")
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 || len(b) >= len(a) {
		t.Errorf("seeds: %d with misuse, %d without", len(a), len(b))
	}
}

// TestRunnerLater: B1 after the program's own misuse (a release of the
// driver's devres group) is tainted by it, so its primary finding is not
// filed; the target files B1 as a later independent finding (sim.Laters)
// with the reduced program that shows it first, without the misuse.
func TestRunnerLater(t *testing.T) {
	b1, err := prog.ParseFile("../corpus/b1-reg-expander.prog")
	if err != nil {
		t.Fatal(err)
	}
	const title = "memory leak in of_changeset_destroy"
	p := b1.Clone()
	misuse := mustParse(t, "dangle program v1\ndevres_release_group node=/soc/i2c@3000\n")
	if err := prog.InsertOp(p, 0, misuse.Ops[0]); err != nil {
		t.Fatal(err)
	}
	r := NewRunner("FuzzLifecycle", Env{Kernel: "v6.8"})
	fails, err := r.RunProg(p, nil)
	if err != nil || len(fails) != 1 || fails[0].Finding.Title != title {
		t.Fatalf("B1 after misuse: %v %v; want %q", fails, err, title)
	}
	if q := fails[0].Prog; len(q.Ops) != len(p.Ops)-1 || q.Ops[0].Name() == "devres_release_group" {
		t.Errorf("filed with\n%s\nwant the program without its misuse", q.Print())
	}
	r.Env.Ignore = regexp.MustCompile("of_changeset_destroy")
	if fails, _ := r.RunProg(p, nil); len(fails) != 0 {
		t.Errorf("DANGLE_IGNORE: %v", fails)
	}
}
