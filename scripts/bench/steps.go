package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"dangle/fuzz"
	"dangle/prog"
	"dangle/prog/seq"
)

// bug is a row of scripts/bench/bugs.tsv.
type bug struct {
	name, profile string
	strict        bool
	title         string // anchored regexp
	corpus        string
}

func loadBugs(root string) ([]bug, error) {
	f, err := os.Open(filepath.Join(root, "scripts/bench/bugs.tsv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []bug
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		fs := strings.Split(l, "\t")
		if len(fs) != 5 {
			return nil, fmt.Errorf("bugs.tsv: %q: want 5 fields", l)
		}
		out = append(out, bug{fs[0], fs[1], fs[2] == "1", fs[3], fs[4]})
	}
	return out, sc.Err()
}

// --- 1. micro-benchmarks -------------------------------------------------

// benchRuns maps a benchmark name to its runs' metrics (unit -> values).
type benchRuns map[string]map[string][]float64

func parseBench(text string) (benchRuns, []string) {
	out := benchRuns{}
	var order []string
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := regexp.MustCompile(`-\d+$`).ReplaceAllString(f[0], "")
		if out[name] == nil {
			out[name] = map[string][]float64{}
			order = append(order, name)
		}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				out[name][f[i+1]] = append(out[name][f[i+1]], v)
			}
		}
	}
	return out, order
}

type microResult struct {
	runs      benchRuns
	order     []string
	benchstat string
}

func micro(c config) (microResult, error) {
	var m microResult
	b, err := os.Getwd()
	if err != nil {
		return m, err
	}
	args := []string{"-test.run", "^$", "-test.bench", "^Benchmark(Sim|Limit)$", "-test.benchmem",
		"-test.count", fmt.Sprint(c.count), "-test.benchtime", c.benchtime}
	out, _, err := runOut(filepath.Join(b, "bench"), nil, time.Hour, filepath.Join(c.tmp, "bench.test"), args...)
	if err != nil {
		return m, fmt.Errorf("%v\n%s", err, out)
	}
	raw := filepath.Join(c.out, "micro.txt")
	if err := os.WriteFile(raw, []byte(out), 0o644); err != nil {
		return m, err
	}
	m.runs, m.order = parseBench(out)
	st, _, err := runOut(b, nil, time.Minute, "go", "tool", "benchstat", raw)
	if err != nil {
		return m, fmt.Errorf("benchstat: %v\n%s", err, st)
	}
	m.benchstat = st
	os.WriteFile(filepath.Join(c.out, "micro-benchstat.txt"), []byte(st), 0o644)
	return m, nil
}

// --- 2. time to find ---------------------------------------------------

// findRun is one search run (the JSON of bench/find_test.go's BENCH line).
type findRun struct {
	Method   string  `json:"method"`
	Bug      string  `json:"bug"`
	Seed     uint64  `json:"seed"`
	Found    bool    `json:"found"`
	Seconds  float64 `json:"seconds"`
	Programs int     `json:"programs"`
	Ops      int     `json:"ops"`
	MinOps   int     `json:"min_ops"`
	ShrinkS  float64 `json:"shrink_seconds"`
}

var methods = []string{"stress", "fuzz", "rapid", "uniform"}

func finds(c config, b bins) ([]findRun, error) {
	bugs, err := loadBugs(b.root)
	if err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(c.out, "finds.jsonl"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var all []findRun
	for _, bg := range bugs {
		for seed := 1; seed <= c.seeds; seed++ {
			for _, m := range methods {
				if m == "fuzz" && seed > c.fuzzSeeds {
					continue
				}
				var r findRun
				var err error
				switch m {
				case "stress":
					r, err = findStress(c, b, bg, seed)
				case "fuzz":
					r, err = findFuzz(c, b, bg, seed)
				default:
					r, err = findBench(c, b, bg, seed, m)
				}
				if err != nil {
					return all, fmt.Errorf("%s %s seed %d: %v", m, bg.name, seed, err)
				}
				r.Method, r.Bug, r.Seed = m, bg.name, uint64(seed)
				logf("  %-7s %-10s seed %d: found %-5v %.2fs, %d programs", m, bg.name, seed, r.Found, r.Seconds, r.Programs)
				all = append(all, r)
				j, _ := json.Marshal(r)
				fmt.Fprintf(f, "%s\n", j)
			}
		}
	}
	return all, nil
}

func findStress(c config, b bins, bg bug, seed int) (findRun, error) {
	return findStressCap(c, b, bg, seed, c.cap)
}

// findStressCap is one -until run of the soak within limit; extra flags
// (-no-signal) follow the fixed ones.
func findStressCap(c config, b bins, bg bug, seed int, limit time.Duration, extra ...string) (findRun, error) {
	dir := filepath.Join(c.tmp, fmt.Sprintf("stress-%d-%s", seed, strings.ReplaceAll(bg.name, "/", "")))
	args := []string{"-duration", limit.String(), "-until", bg.title, "-seed", fmt.Sprint(seed), "-workers", "1",
		"-kernel", bg.profile, "-minimize=false", "-status", "plain", "-status-every", "1h", "-out", dir}
	if bg.strict {
		args = append(args, "-strict")
	}
	args = append(args, extra...)
	out, _, err := runOut(b.root, nil, limit+time.Minute, b.stress, args...)
	var st struct {
		Seconds   float64 `json:"seconds"`
		Programs  int     `json:"programs"`
		NewTitles []struct {
			Title    string  `json:"title"`
			Programs int     `json:"first_after_programs"`
			Seconds  float64 `json:"first_after_seconds"`
			Ops      int     `json:"repro_ops"`
		} `json:"new_titles"`
	}
	data, rerr := os.ReadFile(filepath.Join(dir, "stats.json"))
	if rerr != nil {
		return findRun{}, fmt.Errorf("%v (%v)\n%s", rerr, err, out)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return findRun{}, err
	}
	re := regexp.MustCompile(bg.title)
	r := findRun{Seconds: st.Seconds, Programs: st.Programs}
	for _, t := range st.NewTitles {
		if re.MatchString(t.Title) && (!r.Found || t.Seconds < r.Seconds) {
			r.Found, r.Seconds, r.Programs, r.Ops = true, t.Seconds, t.Programs, t.Ops
		}
	}
	os.RemoveAll(dir)
	return r, nil
}

var execsRE = regexp.MustCompile(`execs: (\d+)`)

// findFuzz is go test -fuzz on FuzzLifecycle from an empty corpus and
// an empty fuzz cache, one worker, failing only on the bug's title: the
// time from fuzzing's start (its first status line) to the failure.
func findFuzz(c config, b bins, bg bug, seed int) (findRun, error) {
	dir := filepath.Join(c.tmp, fmt.Sprintf("fuzz-%d", seed))
	os.RemoveAll(dir)
	if err := os.MkdirAll(filepath.Join(dir, "cache"), 0o755); err != nil {
		return findRun{}, err
	}
	defer os.RemoveAll(dir)
	env := []string{"DANGLE_SEEDS=none", "DANGLE_KERNEL=" + bg.profile, "DANGLE_ONLY=" + bg.title}
	if bg.strict {
		env = append(env, "DANGLE_STRICT=1")
	}
	p, err := start(dir, env, b.fuzz, "-test.run", "^$", "-test.fuzz", "^FuzzLifecycle$", "-test.fuzztime", c.cap.String(),
		"-test.fuzzminimizetime", "1s", "-test.parallel", "1", "-test.fuzzcachedir", filepath.Join(dir, "cache"))
	if err != nil {
		return findRun{}, err
	}
	defer p.kill()
	var r findRun
	var t0 time.Time
	hard := time.After(c.cap + time.Minute)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				if !t0.IsZero() {
					r.Seconds = time.Since(t0).Seconds()
				}
				return r, nil
			}
			if t0.IsZero() && strings.Contains(l.text, "fuzz: elapsed") {
				t0 = l.at
			}
			if m := execsRE.FindStringSubmatch(l.text); m != nil {
				r.Programs, _ = strconv.Atoi(m[1])
			}
			if strings.Contains(l.text, "minimizing") || strings.HasPrefix(l.text, "--- FAIL") {
				if t0.IsZero() {
					t0 = p.start
				}
				r.Found, r.Seconds = true, l.at.Sub(t0).Seconds()
				return r, nil
			}
		case <-hard:
			r.Seconds = c.cap.Seconds()
			return r, nil
		}
	}
}

func findBench(c config, b bins, bg bug, seed int, method string) (findRun, error) {
	env := []string{"BENCH_FIND=" + method, "BENCH_BUG=" + bg.name, "BENCH_SEED=" + fmt.Sprint(seed),
		"BENCH_CAP=" + c.cap.String(), "BENCH_SHRINK=" + c.shrink.String()}
	out, _, err := runOut(filepath.Join(b.root, "bench"), env, c.cap+c.shrink+time.Minute, b.bench, "-test.run", "^TestFind$")
	for _, l := range strings.Split(out, "\n") {
		if j, ok := strings.CutPrefix(l, "BENCH "); ok {
			var r findRun
			return r, json.Unmarshal([]byte(j), &r)
		}
	}
	return findRun{}, fmt.Errorf("no BENCH line (%v)\n%s", err, out)
}

// --- 2e. explore's depth to each bug ------------------------------------

type exploreRun struct {
	Bug      string  `json:"bug"`
	Found    bool    `json:"found"`
	Depth    int     `json:"depth"`   // ops of explore's shortest program
	Reached  int     `json:"reached"` // deepest depth run
	Seconds  float64 `json:"seconds"` // the run at that depth (BFS: all shallower included)
	Statment string  `json:"statement,omitempty"`
}

// exploreOps is explore's default alphabet plus of_overlay_remove_all
// (the aliasing bug needs it) and flush_workqueue.
const exploreOps = "of_overlay_fdt_apply,of_overlay_remove,of_overlay_remove_all,of_platform_populate,of_platform_depopulate," +
	"device_release_driver,device_attach,run_work,flush_workqueue,of_node_get,of_node_put,gpiod_get,gpiod_put"

var findingRE = regexp.MustCompile(`^--- finding \d+: (.*) \(([a-z-]+)\)$`)

func exploreBugs(c config, b bins) ([]exploreRun, error) {
	bugs, err := loadBugs(b.root)
	if err != nil {
		return nil, err
	}
	var all []exploreRun
	for _, bg := range bugs {
		re := regexp.MustCompile(bg.title)
		r := exploreRun{Bug: bg.name}
		deadline := time.Now().Add(c.exploreCap)
		for d := 1; d <= c.exploreDepth && time.Now().Before(deadline); d++ {
			args := []string{"explore", "-q", "-depth", fmt.Sprint(d), "-kernel", bg.profile, "-tree", bg.corpus, "-ops", exploreOps,
				"-timeout", time.Until(deadline).Round(time.Millisecond).String()}
			if bg.strict {
				args = append(args, "-strict")
			}
			out, took, _ := runOut(b.root, nil, c.exploreCap+time.Minute, b.dangle, args...)
			r.Reached, r.Seconds = d, took.Seconds()
			if ops, ok := exploreFound(out, re); ok {
				r.Found, r.Depth = true, ops
				break
			}
			if strings.Contains(out, " states explored on profile ") { // the timeout or a bound stopped it
				r.Reached = d - 1
				break
			}
		}
		logf("  explore %-10s found %v depth %d (reached %d) %.2fs", bg.name, r.Found, r.Depth, r.Reached, r.Seconds)
		all = append(all, r)
	}
	return all, writeJSONL(filepath.Join(c.out, "explore-bugs.jsonl"), all)
}

// exploreFound returns the op count of explore's program for the first
// finding whose title matches re.
func exploreFound(out string, re *regexp.Regexp) (int, bool) {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		m := findingRE.FindStringSubmatch(l)
		if m == nil || !re.MatchString(m[1]) {
			continue
		}
		ops := 0
		for _, o := range lines[i+1:] {
			if strings.HasPrefix(o, "-- ") || strings.HasPrefix(o, "===") || o == "" {
				break
			}
			if !strings.HasPrefix(o, "#") && !strings.HasPrefix(o, "dangle program") && !strings.HasPrefix(o, "kernel ") {
				ops++
			}
		}
		return ops, true
	}
	return 0, false
}

// --- 3. minimization ----------------------------------------------------

// minRun is one padded program (a seed and a padding seed): the JSON of
// minimizer's TestBenchPadded BENCHMIN line, and Go's byte minimizer's
// result on the same program when it ran on it.
type minRun struct {
	Seed        string  `json:"seed"`
	Title       string  `json:"title"`
	Kernel      string  `json:"kernel"`
	HandOps     int     `json:"hand_ops"`
	PadSeed     int     `json:"pad_seed"`
	PaddedOps   int     `json:"padded_ops"`
	OursOps     int     `json:"ours_ops"` // dangle minimize's predicate
	OursSeconds float64 `json:"ours_seconds"`
	OursTdOps   int     `json:"ours_td_ops"` // -teardown's predicate
	OursTdS     float64 `json:"ours_td_seconds"`
	LongPadded  int     `json:"long_padded_ops"` // the 100-op padding
	LongOps     int     `json:"long_ops"`
	LongSeconds float64 `json:"long_seconds"`
	LongTdOps   int     `json:"long_td_ops"`
	LongTdS     float64 `json:"long_td_seconds"`
	Entry       string  `json:"fuzz_entry"`
	GoRan       bool    `json:"go_ran"`
	GoOps       int     `json:"go_ops"` // -1: Go's minimizer produced nothing (or did not run)
	GoSeconds   float64 `json:"go_seconds"`
	GoSubProg   bool    `json:"go_subprogram"` // Go's result's ops are a subsequence of the padded program's
}

// minRuns returns how many paddings ours minimizes and on how many of
// them Go's byte minimizer runs (BENCH_MIN_RUNS overrides both).
func minRuns(c config) (ours, gos int) {
	ours, gos = 5, 5
	if c.quick {
		ours, gos = 2, 1
	}
	if n := envInt("BENCH_MIN_RUNS", 0); n > 0 {
		ours, gos = n, n
	}
	return ours, gos
}

func minimization(c config, b bins) (microResult, error) {
	var res microResult
	dir := filepath.Join(c.tmp, "padded")
	os.MkdirAll(dir, 0o755)
	paddings, goRuns := minRuns(c)
	out, _, err := runOut(filepath.Join(b.root, "minimizer"), []string{"BENCH_PADDED_DIR=" + dir, "BENCH_PADDED_RUNS=" + fmt.Sprint(paddings)},
		10*time.Minute, b.mini, "-test.run", "^TestBenchPadded$")
	if err != nil {
		return res, fmt.Errorf("%v\n%s", err, out)
	}
	var runs []minRun
	for _, l := range strings.Split(out, "\n") {
		if j, ok := strings.CutPrefix(l, "BENCHMIN "); ok {
			var r minRun
			if err := json.Unmarshal([]byte(j), &r); err != nil {
				return res, err
			}
			r.GoOps = -1
			runs = append(runs, r)
		}
	}
	model, w := fuzz.NewModel(), fuzz.TargetWeights("FuzzLifecycle")
	for i := range runs {
		r := &runs[i]
		if r.PadSeed > goRuns {
			continue
		}
		r.GoRan = true
		name := fmt.Sprintf("%s-%d", r.Seed, r.PadSeed)
		work := filepath.Join(c.tmp, "gomin-"+name)
		os.MkdirAll(filepath.Join(work, "cache", "FuzzLifecycle"), 0o755)
		entry, _ := os.ReadFile(r.Entry)
		os.WriteFile(filepath.Join(work, "cache", "FuzzLifecycle", name), entry, 0o644)
		// The fuzz target fails on the title wherever it is raised, the
		// teardown included: -teardown's predicate.
		env := []string{"DANGLE_SEEDS=none", "DANGLE_KERNEL=" + r.Kernel, "DANGLE_ONLY=^" + regexp.QuoteMeta(r.Title) + "$",
			"DANGLE_STRICT=1", "DANGLE_MISUSE=1"}
		_, took, _ := runOut(work, env, c.minTime+2*time.Minute, b.fuzz, "-test.run", "^$", "-test.fuzz", "^FuzzLifecycle$",
			"-test.fuzztime", "60s", "-test.fuzzminimizetime", c.minTime.String(), "-test.parallel", "1",
			"-test.fuzzcachedir", filepath.Join(work, "cache"))
		r.GoSeconds = took.Seconds()
		files, _ := filepath.Glob(filepath.Join(work, "testdata", "fuzz", "FuzzLifecycle", "*"))
		if len(files) == 1 {
			if data, ok := readFuzzEntry(files[0]); ok {
				got := seq.Decode(model, &w, data)
				r.GoOps = len(got.Ops)
				if orig, ok := readFuzzEntry(r.Entry); ok {
					r.GoSubProg = subProgram(got, seq.Decode(model, &w, orig))
				}
			}
		}
		logf("  minimize %-32s hand %d padded %d ours %d / teardown %d (%.2fs) go %d (%.1fs)", name, r.HandOps, r.PaddedOps,
			r.OursOps, r.OursTdOps, r.OursSeconds, r.GoOps, r.GoSeconds)
		os.RemoveAll(work)
	}
	mini = runs
	return res, writeJSONL(filepath.Join(c.out, "minimize.jsonl"), runs)
}

// subProgram reports whether p's ops, by name and archive file, are a
// subsequence of q's: whether p can be reached from q by deleting ops
// (and shrinking the files), as ours does, rather than by changing them.
func subProgram(p, q *prog.Program) bool {
	key := func(op *prog.Op) string {
		k := op.Name()
		for _, a := range op.Args {
			if a.File != "" {
				k += " " + a.File
			}
		}
		return k
	}
	j := 0
	for _, op := range p.Ops {
		for j < len(q.Ops) && key(q.Ops[j]) != key(op) {
			j++
		}
		if j == len(q.Ops) {
			return false
		}
		j++
	}
	return true
}

// mini holds the padded-program runs, one per seed and padding.
var mini []minRun

// readFuzzEntry reads a go test fuzz v1 file of one []byte.
func readFuzzEntry(file string) ([]byte, bool) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, false
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 {
		return nil, false
	}
	s, ok := strings.CutPrefix(lines[1], "[]byte(")
	s, ok2 := strings.CutSuffix(s, ")")
	if !ok || !ok2 {
		return nil, false
	}
	u, err := strconv.Unquote(s)
	return []byte(u), err == nil
}

// --- 5. explore throughput ------------------------------------------------

type exploreT struct {
	Hash        bool    `json:"hash"`
	POR         bool    `json:"por"`
	States      int     `json:"states"`
	Transitions int     `json:"transitions"`
	Depth       int     `json:"depth"`
	StatesPerS  float64 `json:"states_per_second"`
	Seconds     float64 `json:"seconds"`
}

var exploreLineRE = regexp.MustCompile(`(\d+) states, (\d+) transitions, depth (\d+) complete, in (\S+) \((\d+) states/s\)`)

// exploreThroughput runs the B2 tree for c.exploreT with state hashing,
// with hashing and sleep-set reduction (-por), and without hashing.
func exploreThroughput(c config, b bins) ([]exploreT, error) {
	var all []exploreT
	for _, v := range []struct{ hash, por bool }{{true, false}, {true, true}, {false, false}} {
		out, _, _ := runOut(b.root, nil, c.exploreT+time.Minute, b.dangle, "explore", "-depth", "99", "-timeout", c.exploreT.String(),
			"-workers", "2", "-kernel", "mainline", "-hash="+fmt.Sprint(v.hash), "-por="+fmt.Sprint(v.por),
			"-tree", "corpus/b2-depopulate-remove.prog")
		m := exploreLineRE.FindAllStringSubmatch(out, -1)
		if m == nil {
			return all, fmt.Errorf("no 'depth N complete' line:\n%s", tail(out, 2000))
		}
		last := m[len(m)-1]
		r := exploreT{Hash: v.hash, POR: v.por}
		r.States, _ = strconv.Atoi(last[1])
		r.Transitions, _ = strconv.Atoi(last[2])
		r.Depth, _ = strconv.Atoi(last[3])
		if d, err := time.ParseDuration(last[4]); err == nil {
			r.Seconds = d.Seconds()
		}
		f, _ := strconv.ParseFloat(last[5], 64)
		r.StatesPerS = f
		logf("  explore hash=%v por=%v: %d states, depth %d, %.0f states/s", v.hash, v.por, r.States, r.Depth, r.StatesPerS)
		all = append(all, r)
	}
	return all, writeJSONL(filepath.Join(c.out, "explore-throughput.jsonl"), all)
}

func writeJSONL[T any](file string, rows []T) error {
	var b strings.Builder
	for _, r := range rows {
		j, _ := json.Marshal(r)
		b.Write(j)
		b.WriteByte('\n')
	}
	return os.WriteFile(file, []byte(b.String()), 0o644)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func minMax(v []float64) (float64, float64) {
	if len(v) == 0 {
		return 0, 0
	}
	lo, hi := v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}
