// Command bench is make bench: it runs every benchmark of BENCHMARKS.md
// and rewrites the generated part of BENCHMARKS.md (between the
// "bench:begin" and "bench:end" markers) and the headline of README.md
// (between "bench-headline" markers) with the machine, Go version,
// commit and date.
//
//	go run ./scripts/bench            # the full run, about 25-30 minutes on 2 cores
//	BENCH_QUICK=1 go run ./scripts/bench   # every table, small budgets: under 3 minutes
//
// Raw outputs go to bench-results/ (BENCH_OUT): go test -bench text
// (benchstat input), JSON lines of every search run, the soak's samples.
// Knobs (environment): BENCH_SEEDS, BENCH_CAP (per time-to-find run),
// BENCH_SOAK, BENCH_SIGNAL_SEEDS and BENCH_SIGNAL_CAP (the soak's
// with/without-signal table), BENCH_EXPLORE (the explore throughput runs), BENCH_COUNT
// and BENCH_BENCHTIME (go test -bench), BENCH_NO_WRITE=1 (print the
// tables, leave the files alone), BENCH_MIN_RUNS (table 3's paddings),
// BENCH_STEPS (comma-separated step names, e.g. "minimization" or
// "time to find,minimization": run only those, print their tables,
// write nothing).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// config is one run's budget.
type config struct {
	quick        bool
	out, tmp     string
	seeds        int           // seeds (runs) per bug and method
	fuzzSeeds    int           // go test -fuzz runs per bug
	cap          time.Duration // per time-to-find run
	shrink       time.Duration // rapid's shrink time
	exploreDepth int           // explore's deepest depth per bug
	exploreCap   time.Duration // per bug
	exploreT     time.Duration // explore throughput runs, each
	soak         time.Duration
	signalSeeds  int           // seeds per bug and mode of the signal table
	signalCap    time.Duration // per signal run
	count        int
	benchtime    string
	minTime      time.Duration // go test -fuzzminimizetime
}

func loadConfig() config {
	c := config{quick: os.Getenv("BENCH_QUICK") == "1", out: envOr("BENCH_OUT", "bench-results")}
	if c.quick {
		c.seeds, c.fuzzSeeds, c.cap, c.shrink = 1, 1, 2*time.Second, 2*time.Second
		c.exploreDepth, c.exploreCap, c.exploreT, c.soak = 4, 2*time.Second, 4*time.Second, 15*time.Second
		c.count, c.benchtime, c.minTime = 3, "20x", 5*time.Second
		c.signalSeeds, c.signalCap = 1, 3*time.Second
	} else {
		c.seeds, c.fuzzSeeds, c.cap, c.shrink = 5, 5, 8*time.Second, 4*time.Second
		c.exploreDepth, c.exploreCap, c.exploreT, c.soak = 6, 20*time.Second, 60*time.Second, 10*time.Minute
		c.count, c.benchtime, c.minTime = 10, "500ms", 10*time.Second
		c.signalSeeds, c.signalCap = 5, 60*time.Second
	}
	c.seeds = envInt("BENCH_SEEDS", c.seeds)
	c.fuzzSeeds = min(c.seeds, c.fuzzSeeds)
	c.cap = envDur("BENCH_CAP", c.cap)
	c.soak = envDur("BENCH_SOAK", c.soak)
	c.exploreT = envDur("BENCH_EXPLORE", c.exploreT)
	c.count = envInt("BENCH_COUNT", c.count)
	c.signalSeeds = envInt("BENCH_SIGNAL_SEEDS", c.signalSeeds)
	c.signalCap = envDur("BENCH_SIGNAL_CAP", c.signalCap)
	c.benchtime = envOr("BENCH_BENCHTIME", c.benchtime)
	return c
}

func main() {
	c := loadConfig()
	if err := run(c); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

func run(c config) error {
	start := time.Now()
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "dangle-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	c.tmp = tmp
	h := header(c)
	logf("%s", h.line())
	bins, err := build(c)
	if err != nil {
		return err
	}
	var r report
	r.head = h
	steps := []struct {
		name string
		fn   func() error
	}{
		{"simulator micro-benchmarks", func() (err error) { r.micro, err = micro(c); return }},
		{"time to find", func() (err error) { r.finds, err = finds(c, bins); return }},
		{"explore depth per bug", func() (err error) { r.explores, err = exploreBugs(c, bins); return }},
		{"minimization", func() (err error) { r.mins, err = minimization(c, bins); return }},
		{"explore throughput", func() (err error) { r.exploreT, err = exploreThroughput(c, bins); return }},
		{"soak", func() (err error) { r.soak, err = soak(c, bins); return }},
		{"signal", func() (err error) { r.signal, err = signal(c, bins); return }},
		{"mutants", func() (err error) { r.mutants, err = mutants(c, bins); return }},
	}
	only := os.Getenv("BENCH_STEPS")
	ran := map[string]bool{}
	for _, s := range steps {
		if only != "" && !slices.Contains(strings.Split(only, ","), s.name) {
			continue
		}
		ran[s.name] = true
		t := time.Now()
		logf("== %s", s.name)
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s: %v", s.name, err)
		}
		logf("== %s done in %s", s.name, time.Since(t).Round(time.Second))
	}
	r.head.took = time.Since(start)
	r.head.loadEnd = loadavg()
	if only != "" {
		fmt.Print(r.stepTables(c, ran))
		return nil
	}
	md := r.markdown(c)
	if err := os.WriteFile(filepath.Join(c.out, "tables.md"), []byte(md), 0o644); err != nil {
		return err
	}
	if os.Getenv("BENCH_NO_WRITE") == "1" {
		fmt.Print(md)
		return nil
	}
	if err := replaceBetween("BENCHMARKS.md", "<!-- bench:begin -->", "<!-- bench:end -->", md); err != nil {
		return err
	}
	if err := replaceBetween("README.md", "<!-- bench-headline:begin -->", "<!-- bench-headline:end -->", r.headline(c)); err != nil {
		return err
	}
	logf("bench: BENCHMARKS.md and README.md updated in %s (raw outputs in %s)", time.Since(start).Round(time.Second), c.out)
	return nil
}

// head is the run's identity: machine, Go, commit, date, load.
type head struct {
	cores           int
	cpu, mem, goVer string
	commit, date    string
	loadStart       string
	loadEnd         string
	quick           bool
	took            time.Duration
}

func header(c config) head {
	h := head{cores: runtime.NumCPU(), goVer: runtime.Version(), date: time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		loadStart: loadavg(), quick: c.quick}
	h.cpu = procField("/proc/cpuinfo", "model name")
	h.mem = procField("/proc/meminfo", "MemTotal")
	if out, err := cmdOutput("git", "rev-parse", "--short", "HEAD"); err == nil {
		h.commit = strings.TrimSpace(out)
		if st, _ := cmdOutput("git", "status", "--porcelain", "--untracked-files=no"); strings.TrimSpace(st) != "" {
			h.commit += " (with uncommitted changes)"
		}
	}
	return h
}

func (h head) line() string {
	mode := "full"
	if h.quick {
		mode = "QUICK (BENCH_QUICK=1: small budgets, indicative only)"
	}
	return fmt.Sprintf("%s run: %d cores (%s), %s RAM, %s, %s/%s, commit %s, %s, load average at start %s",
		mode, h.cores, h.cpu, h.mem, h.goVer, runtime.GOOS, runtime.GOARCH, h.commit, h.date, h.loadStart)
}

func procField(file, key string) string {
	b, err := os.ReadFile(file)
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil && v > 0 {
		return v
	}
	return def
}

func envDur(k string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(k)); err == nil && v > 0 {
		return v
	}
	return def
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%s] "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// replaceBetween rewrites file's text between the begin and end marker
// lines with body; a file without the markers gets them appended.
func replaceBetween(file, begin, end, body string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	s := string(b)
	block := begin + "\n" + body + end
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		s = strings.TrimRight(s, "\n") + "\n\n" + block + "\n"
	} else {
		s = s[:i] + block + s[j+len(end):]
	}
	return os.WriteFile(file, []byte(s), 0o644)
}
