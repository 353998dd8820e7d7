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
