package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"dangle/prog"
	"dangle/sim"
)

// soakRun runs the command in-process with args and no interrupt.
func soakRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e, make(chan os.Signal))
	return code, o.String(), e.String()
}

func readStats(t *testing.T, dir string) stats {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st stats
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-kernel", "v9.99"},
		{"-workers", "0"},
		{"-shard", "2/2"},
		{"-shard", "x"},
		{"-ignore", "("},
		{"-seed", "-1"},
		{"-status", "fancy"},
		{"-nosuchflag"},
		{"extra"},
	} {
		code, _, stderr := soakRun(t, append(args, "-out", t.TempDir())...)
		if code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, stderr)
		}
	}
}

// TestUnwritableOut: an -out that cannot be written is an error at the
// start (exit 2, naming it), before any program runs.
func TestUnwritableOut(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	code, stdout, stderr := soakRun(t, "-out", filepath.Join(file, "crashers"), "-programs", "5", "-seed", "1")
	if code != 2 || !strings.Contains(stderr, "-out "+filepath.Join(file, "crashers")) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !strings.HasPrefix(stdout, "stress: seed 1,") {
		t.Errorf("stdout does not start with the seed and settings: %q", stdout)
	}
}

// TestDeterministic: -seed S -workers 1 finds the same titles after the
// same program counts, in the same order, and grows the same corpus; and
// signal makes a corpus while -no-signal makes none.
func TestDeterministic(t *testing.T) {
	args := []string{"-seed", "7", "-workers", "1", "-programs", "30", "-minimize=false", "-kernel", "all", "-status", "plain"}
	var runs []stats
	var corpora [][]string
	for range 2 {
		dir := t.TempDir()
		code, stdout, stderr := soakRun(t, append(args, "-out", dir)...)
		if !strings.HasPrefix(stdout, "stress: seed 7, workers 1, kernel all") {
			t.Fatalf("stdout does not start with the settings:\n%s", stdout)
		}
		st := readStats(t, dir)
		if code != 1 || len(st.NewTitles) == 0 {
			t.Fatalf("exit %d with %d new titles; stderr:\n%s", code, len(st.NewTitles), stderr)
		}
		for _, nt := range st.NewTitles {
			checkCrasher(t, nt.Dir, nt.Title)
		}
		runs = append(runs, st)
		names, _ := filepath.Glob(filepath.Join(dir, "corpus", "*.prog"))
		for i := range names {
			names[i] = filepath.Base(names[i])
		}
		corpora = append(corpora, names)
	}
	key := func(st stats) []string {
		var out []string
		for _, nt := range st.NewTitles {
			out = append(out, nt.Title+" @"+group(nt.Programs)+" "+nt.Profile)
		}
		return out
	}
	if a, b := key(runs[0]), key(runs[1]); !slices.Equal(a, b) {
		t.Errorf("two runs of one seed differ:\n%s\n--\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	if runs[0].Programs != 30 || runs[0].Corpus == 0 || !slices.Equal(corpora[0], corpora[1]) {
		t.Errorf("programs %d, corpus %d; corpora equal: %v", runs[0].Programs, runs[0].Corpus, slices.Equal(corpora[0], corpora[1]))
	}
	dir := t.TempDir()
	soakRun(t, append(args, "-out", dir, "-no-signal")...)
	if st := readStats(t, dir); st.Corpus != 0 || st.Mutated != 0 || st.Signal {
		t.Errorf("-no-signal: corpus %d, mutated %d", st.Corpus, st.Mutated)
	}
}

// checkCrasher: dir holds repro.prog (parsing, its title in the header,
// raising it again) and report.txt whose first line is the title.
func checkCrasher(t *testing.T, dir, title string) {
	t.Helper()
	rep, err := os.ReadFile(filepath.Join(dir, "report.txt"))
	if err != nil {
		t.Fatalf("%s: %v", title, err)
	}
	if first, _, _ := strings.Cut(string(rep), "\n"); first != title {
		t.Errorf("%s: report.txt starts with %q", dir, first)
	}
	p, err := prog.ParseFile(filepath.Join(dir, "repro.prog"))
	if err != nil {
		t.Fatalf("%s: %v", title, err)
	}
	if p.Title() != title {
		t.Errorf("%s: repro.prog title %q", dir, p.Title())
	}
	res, err := sim.Run(p, sim.Config{Quiet: true})
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	for _, f := range res.Findings {
		if f.Title == title {
			return
		}
	}
	t.Errorf("%s: repro.prog does not raise %q on %s", dir, title, res.Profile)
}

// TestResume: a second soak on the same -out replays the corpus the first
// left, skips (and reports) a corrupt corpus file by name, and files no
// title the first one filed.
func TestResume(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-seed", "3", "-workers", "1", "-programs", "25", "-minimize=false", "-status", "plain", "-out", dir}
	soakRun(t, args...)
	first := readStats(t, dir)
	if first.Corpus == 0 || len(first.NewTitles) == 0 {
		t.Fatalf("first run: corpus %d, %d titles", first.Corpus, len(first.NewTitles))
	}
	files, _ := filepath.Glob(filepath.Join(dir, "corpus", "*.prog")) // a program re-added on another profile is one file
	bad := filepath.Join(dir, "corpus", "0000-bad.prog")
	os.WriteFile(bad, []byte("not a program\n"), 0o644)
	code, stdout, stderr := soakRun(t, append(args, "-seed", "4")...)
	if code == 2 || !strings.Contains(stderr, bad) {
		t.Fatalf("exit %d; stderr does not name %s:\n%s", code, bad, stderr)
	}
	if !strings.Contains(stdout, "resuming: "+group(int64(len(files)))+" corpus programs") {
		t.Errorf("no resume line for %d programs:\n%s", len(files), stdout)
	}
	old := map[string]bool{}
	for _, nt := range first.NewTitles {
		old[nt.Title] = true
	}
	for _, nt := range readStats(t, dir).NewTitles {
		if old[nt.Title] {
			t.Errorf("title filed twice: %s", nt.Title)
		}
	}
}

// TestSimulatorBug: a simulator panic's program is saved under
// DIR/simulator-bugs/ with its stack, once per panic message.
func TestSimulatorBug(t *testing.T) {
	dir := t.TempDir()
	f := newFindings(dir, nil, nopLogger())
	p := &prog.Program{}
	b := &sim.Bug{Value: "index out of range [3] with length 3", Stack: "goroutine 1 [running]:\nsim.(*Kernel).Step"}
	name := f.simBug(p, "v6.8", b)
	if name == "" || filepath.Dir(name) != filepath.Join(dir, "simulator-bugs") {
		t.Fatalf("saved as %q", name)
	}
	q, err := prog.ParseFile(name)
	if err != nil || q.Kernel != "v6.8" || !strings.Contains(strings.Join(q.Header, "\n"), "index out of range") {
		t.Fatalf("saved program: %v %+v", err, q)
	}
	if st, err := os.ReadFile(strings.TrimSuffix(name, ".prog") + ".txt"); err != nil || !strings.Contains(string(st), "sim.(*Kernel).Step") {
		t.Errorf("stack file: %v %q", err, st)
	}
	if again := f.simBug(p, "v6.8", b); again != "" {
		t.Errorf("the same panic saved twice: %s", again)
	}
}

// TestHang: a program that never finishes (a loop in the model) is saved
// under DIR/simulator-bugs/ after -hang, its worker is replaced and the
// soak goes on to its program budget.
func TestHang(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var n atomic.Int64
	simRun = func(p *prog.Program, cfg sim.Config) (*sim.Result, error) {
		if n.Add(1) == 3 {
			<-release // hangs until the test ends
		}
		return sim.Run(p, cfg)
	}
	defer func() { simRun = sim.Run }()
	dir := t.TempDir()
	code, stdout, stderr := soakRun(t, "-seed", "1", "-workers", "2", "-programs", "12", "-hang", "1s", "-minimize=false",
		"-kernel", "mainline", "-status", "plain", "-out", dir)
	if code == 2 || !strings.Contains(stdout, "simulator hang: a program ran longer than 1s") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	bugs, _ := filepath.Glob(filepath.Join(dir, "simulator-bugs", "*.txt"))
	if len(bugs) != 1 {
		t.Fatalf("simulator bugs: %v", bugs)
	}
	if b, _ := os.ReadFile(bugs[0]); !strings.Contains(string(b), "TestHang") {
		t.Errorf("the hang's stacks do not show the hung goroutine:\n%.2000s", b)
	}
	if st := readStats(t, dir); st.Programs != 12 || st.SimBugs != 1 {
		t.Errorf("programs %d, simulator bugs %d", st.Programs, st.SimBugs)
	}
}

// TestShards: two shards of one seed run different programs (their corpus
// files, named by content, are disjoint), and a shard replays itself.
func TestShards(t *testing.T) {
	corpusOf := func(shard string) map[string]bool {
		dir := t.TempDir()
		soakRun(t, "-seed", "5", "-workers", "1", "-programs", "10", "-minimize=false", "-kernel", "mainline",
			"-status", "plain", "-shard", shard, "-out", dir)
		names, _ := filepath.Glob(filepath.Join(dir, "corpus", "*.prog"))
		m := map[string]bool{}
		for _, n := range names {
			m[filepath.Base(n)] = true
		}
		if len(m) == 0 {
			t.Fatalf("shard %s: empty corpus", shard)
		}
		return m
	}
	a, b, a2 := corpusOf("0/2"), corpusOf("1/2"), corpusOf("0/2")
	for n := range a {
		if b[n] {
			t.Errorf("shards 0/2 and 1/2 both ran %s", n)
		}
	}
	if len(a) != len(a2) {
		t.Errorf("shard 0/2 twice: %d and %d corpus programs", len(a), len(a2))
	}
	for n := range a {
		if !a2[n] {
			t.Errorf("shard 0/2 did not replay %s", n)
		}
	}
}
