package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"dangle/prog"
)

func TestParseBench(t *testing.T) {
	runs, order := parseBench("goos: linux\n" +
		"BenchmarkSim/short/oracles=on-2   100  972309 ns/op  291.3 allocs/simop  10012 ops/s\n" +
		"BenchmarkSim/short/oracles=on-2   100  872309 ns/op  290.0 allocs/simop  11012 ops/s\n" +
		"BenchmarkLimit/short-2   100  242143 ns/op  40201 ops/s\nPASS\n")
	if len(order) != 2 || order[0] != "BenchmarkSim/short/oracles=on" || order[1] != "BenchmarkLimit/short" {
		t.Fatalf("order %v", order)
	}
	if v := runs["BenchmarkSim/short/oracles=on"]["ops/s"]; len(v) != 2 || median(v) != 10512 {
		t.Errorf("ops/s %v", v)
	}
}

func TestExploreFound(t *testing.T) {
	out := "=== explore x.prog (depth 3)\n--- finding 1: other title (leak)\ndangle program v1\nkernel v6.8\nof_node_get node=/a\n\n" +
		"--- finding 2: memory leak in of_changeset_destroy (kernel-error)\ndangle program v1\n# title: t\nkernel v6.8\n" +
		"of_overlay_fdt_apply blob=a.dtso\nof_overlay_remove ov=1\n-- a.dtso --\n/dts-v1/;\n"
	ops, ok := exploreFound(out, regexp.MustCompile(`^memory leak in of_changeset_destroy$`))
	if !ok || ops != 2 {
		t.Errorf("got %d ops, found %v; want 2, true", ops, ok)
	}
	if _, ok := exploreFound(out, regexp.MustCompile(`^nothing$`)); ok {
		t.Error("found a title not in the output")
	}
}

func TestReadFuzzEntry(t *testing.T) {
	data := "\x00\x01ab\"\xff"
	file := filepath.Join(t.TempDir(), "e")
	os.WriteFile(file, []byte("go test fuzz v1\n[]byte("+strconv.Quote(data)+")\n"), 0o644)
	if got, ok := readFuzzEntry(file); !ok || string(got) != data {
		t.Errorf("got %q, %v", got, ok)
	}
}

// TestCell: a run that did not find counts as the cap, and a median at
// the cap is shown as a lower bound.
func TestCell(t *testing.T) {
	runs := []findRun{{Found: true, Seconds: 1}, {Found: false}, {Found: false}}
	s, med, ok := cell(runs, 10)
	if med != 10 || ok || !strings.HasPrefix(s, "> 10 s (1.0–10), 1/3") {
		t.Errorf("%q %v %v", s, med, ok)
	}
	s, med, ok = cell(runs[:1], 10)
	if med != 1 || !ok || s != "1.0 s, 1/1" {
		t.Errorf("%q %v %v", s, med, ok)
	}
}

func TestReplaceBetween(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f.md")
	os.WriteFile(file, []byte("head\n<!-- b -->\nold\n<!-- e -->\ntail\n"), 0o644)
	if err := replaceBetween(file, "<!-- b -->", "<!-- e -->", "new\n"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); string(b) != "head\n<!-- b -->\nnew\n<!-- e -->\ntail\n" {
		t.Errorf("%q", b)
	}
}

// TestMinTable: table 3 aggregates the runs per seed into medians, and
// says where ours is behind a peer and why.
func TestMinTable(t *testing.T) {
	old := mini
	defer func() { mini = old }()
	mini = []minRun{
		{Seed: "b5-gpiochip-remove-requested", Title: "REMOVING GPIOCHIP WITH GPIOS STILL REQUESTED in gpiochip_remove", HandOps: 4, PadSeed: 1,
			PaddedOps: 31, OursOps: 3, OursTdOps: 3, GoRan: true, GoOps: 2, GoSeconds: 9},
		{Seed: "b5-gpiochip-remove-requested", Title: "REMOVING GPIOCHIP WITH GPIOS STILL REQUESTED in gpiochip_remove", HandOps: 4, PadSeed: 2,
			PaddedOps: 31, OursOps: 3, OursTdOps: 3, GoOps: -1},
		{Seed: "b1-reg-expander", Title: "memory leak in of_changeset_destroy", HandOps: 2, PadSeed: 1, PaddedOps: 32, OursOps: 2, OursTdOps: 1,
			GoRan: true, GoOps: 1, GoSeconds: 3, GoSubProg: true},
	}
	r := &report{finds: []findRun{{Method: "rapid", Bug: "B1/B2", Found: true, MinOps: 1}, {Method: "rapid", Bug: "B5", Found: true, MinOps: 2}}}
	var b strings.Builder
	os.Chdir("../..") // loadBugs reads scripts/bench/bugs.tsv from the root
	defer os.Chdir("scripts/bench")
	r.minTable(func(f string, a ...any) { fmt.Fprintf(&b, f+"\n", a...) }, config{minTime: 5 * time.Second})
	out := b.String()
	for _, want := range []string{
		"| b5-gpiochip-remove-requested | 4 | 31 | 3, ", "| 2, 9.0 s, 1/1 (1 at the time limit) | 2, 1 |", "| 1, 3.0 s, 1/1 | 1, 1 |",
		"b5-gpiochip-remove-requested behind Go's byte minimizer (2 ops vs ours 3 with the same predicate): Go's smaller result is not a sub-program",
		"b5-gpiochip-remove-requested behind rapid's shrinker (2 ops vs ours 3)",
		"keeps more ops than -teardown on b1-reg-expander (2 vs 1)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "b1-reg-expander behind") {
		t.Errorf("b1 reported behind:\n%s", out)
	}
}

// TestSubProgram: a program reached by deleting ops is a sub-program;
// one with another op or another file is not.
func TestSubProgram(t *testing.T) {
	parse := func(s string) *prog.Program {
		p, err := prog.Parse("t.prog", []byte("dangle program v1\n"+s+"-- a.dtso --\n/dts-v1/;\n/plugin/;\n&bus { };\n-- b.dtso --\n/dts-v1/;\n/plugin/;\n&bus { };\n"))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	q := parse("ov = of_overlay_fdt_apply blob=a.dtso\nflush_workqueue\nof_overlay_remove ov=ov\n")
	if !subProgram(parse("ov = of_overlay_fdt_apply blob=a.dtso\nof_overlay_remove ov=ov\n"), q) {
		t.Error("deleting an op: not a sub-program")
	}
	if subProgram(parse("of_overlay_fdt_apply blob=b.dtso\n"), q) || subProgram(parse("device_link_wait_removal\n"), q) {
		t.Error("another file or op: a sub-program")
	}
}

// TestMutantKilled: a mutant run is killed by its earliest title that no
// baseline has; a title a baseline has never kills; expected is set when
// any new title contains the mutant's finding.
func TestMutantKilled(t *testing.T) {
	base := map[string]bool{"old leak": true}
	r := killed(mutantRun{Titles: []mutantTitle{{"old leak", 0.1, 1}, {"x: memory leak of clk", 0.5, 9}, {"new warn", 0.3, 5}}}, base, "memory leak of clk")
	if !r.Killed || r.Title != "new warn" || r.Seconds != 0.3 || r.Programs != 5 || !r.Expected {
		t.Errorf("got %+v; want killed by new warn at 0.3 s, 5 programs, expected", r)
	}
	r = killed(mutantRun{Titles: []mutantTitle{{"old leak", 0.1, 1}}}, base, "memory leak of clk")
	if r.Killed || r.Expected {
		t.Errorf("got %+v; want a survivor", r)
	}
	k, tot, runs, kruns, exp := mutantCounts([]mutantRun{{Method: "stress", Mutant: "a", Killed: true, Expected: true},
		{Method: "stress", Mutant: "a"}, {Method: "stress", Mutant: "b"}, {Method: "stress"}, {Method: "uniform", Mutant: "c", Killed: true}}, "stress")
	if k != 1 || tot != 2 || runs != 3 || kruns != 1 || exp != 1 {
		t.Errorf("mutantCounts: %d %d %d %d %d; want 1 2 3 1 1", k, tot, runs, kruns, exp)
	}
	rep := &report{mutants: []mutantRun{{Method: "stress", Mutant: "a", Killed: true}, {Method: "stress", Mutant: "b"}}}
	if h := rep.mutantHeadline(config{}); !strings.Contains(h, "kills **1 of 2 injected bugs**") {
		t.Errorf("headline clause %q", h)
	}
	if h := (&report{}).mutantHeadline(config{}); h != "" {
		t.Errorf("headline clause without table 6: %q", h)
	}
}
