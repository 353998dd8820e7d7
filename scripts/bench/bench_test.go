package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
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
