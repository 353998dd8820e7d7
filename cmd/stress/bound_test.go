package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dangle/prog"
)

// TestCorpusBound: however many programs add signal, the corpus holds
// at most max programs and max×answersPerEntry answers, the files of
// evicted programs are removed, and eviction keeps the programs that
// added the most features.
func TestCorpusBound(t *testing.T) {
	dir := t.TempDir()
	c := &corpus{dir: dir, max: 16}
	r := rand.New(rand.NewPCG(1, 2))
	p, err := prog.Parse("t.prog", []byte("dangle program v1\nof_node_get node=/\n"))
	if err != nil {
		t.Fatal(err)
	}
	feature := uint32(0)
	add := func(features, answers int) *entry {
		var fs []uint32
		for range features {
			fs = append(fs, feature)
			feature++
		}
		e := &entry{swarm: uint64(feature), vals: make([]uint32, answers)}
		if ok, err := c.add(r, fs, e, p); !ok || err != nil {
			t.Fatalf("add: %v %v", ok, err)
		}
		return e
	}
	best := add(64, 100) // adds the most signal: never the worst of a tournament
	for i := range 400 {
		add(1+i%3, 50+i%400)
		n, answers := len(c.entries), c.answers
		if n > c.max || answers > c.max*answersPerEntry {
			t.Fatalf("after %d adds: %d programs, %d answers; bounds %d, %d", i+2, n, answers, c.max, c.max*answersPerEntry)
		}
	}
	sum := 0
	for _, e := range c.entries {
		sum += len(e.vals)
	}
	if sum != c.answers {
		t.Errorf("answers counted %d, held %d", c.answers, sum)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.prog"))
	if len(files) != len(c.entries) {
		t.Errorf("%d corpus files for %d programs: evicted files not removed", len(files), len(c.entries))
	}
	kept := false
	for _, e := range c.entries {
		kept = kept || e == best
	}
	if !kept {
		t.Error("the program that added 64 features was evicted")
	}
	if _, evicted := c.usage(); evicted < 385 {
		t.Errorf("%d evicted, want at least 385", evicted)
	}
}

// TestFilesNote: the summary ends saying where the files went, how to
// file them into crashers/ and how to remove them.
func TestFilesNote(t *testing.T) {
	out := t.TempDir()
	for _, d := range []string{"a-title", "b-title"} {
		os.MkdirAll(filepath.Join(out, d), 0o755)
		os.WriteFile(filepath.Join(out, d, "report.txt"), []byte(d+"\n"), 0o644)
	}
	os.MkdirAll(filepath.Join(out, "corpus"), 0o755)
	var b bytes.Buffer
	filesNote(&b, stats{Out: out, Signal: true, Corpus: 7, NewTitles: []title{{Title: "a title"}}}, filepath.Join(out, "corpus"))
	got := b.String()
	for _, want := range []string{
		"files: " + out + " holds 2 crasher directories (1 new in this run), " + filepath.Join(out, "corpus") + " (7 programs",
		"go run ./cmd/dangle triage -o crashers " + out,
		"rm -rf " + out,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

// TestDefaultOut: without -out the soak writes to stress-out/, not the
// repository's reviewed crashers/.
func TestDefaultOut(t *testing.T) {
	opt, err := parseFlags(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if opt.out != "stress-out" || opt.stats != filepath.Join("stress-out", "stats.json") {
		t.Errorf("-out %q, -stats %q", opt.out, opt.stats)
	}
}

// TestEvictDensity: of two programs, the one that added fewer features
// per stream answer is evicted, though it added more features in all.
func TestEvictDensity(t *testing.T) {
	long := &entry{prio: 2, vals: make([]uint32, 1000)}
	short := &entry{prio: 1, vals: make([]uint32, 100)}
	c := &corpus{max: 2, entries: []*entry{short, long}}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		if i := c.worst(r); c.entries[i] != long {
			t.Fatalf("evicted the short program (1 feature in 100 answers), not the long one (2 in 1000)")
		}
	}
}
