// Command stress is dangle's soak (architecture §7): it generates and
// mutates programs, runs them on the simulated kernel, keeps the ones
// that add model signal as a corpus, and files every new finding title
// as a minimized, version-bisected crasher directory.
//
//	go run ./cmd/stress -duration D -kernel P|all -seed S -workers N -out DIR
//	                    [-ignore RE] [-strict] [-shard i/n] [-log FILE]
//
// It prints the seed and settings first, then a live status line (on a
// terminal; plain lines every -status-every otherwise), a line per new
// finding once it is on disk, and a summary table at the end. Exit
// status: 1 if it wrote any new crasher, 0 if none, 2 on usage or input
// errors. See README.md in this directory for the design.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"go.uber.org/zap"

	"dangle/sim"
)

func main() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, sigs))
}

const usage = `usage: go run ./cmd/stress [-duration D] [-kernel P|all] [-seed S] [-workers N] [-out DIR]
       [-ignore RE] [-strict] [-shard i/n] [-log FILE] [-no-signal] [flags]

The soak: generates and mutates programs, runs them, keeps those that add
model signal as a corpus (DIR/corpus, resumed on restart), and writes one
crasher directory per new finding title under DIR (repro.prog, report.txt
whose first line is the title): raw at once, then minimized off the hot
path and replayed on every profile. A program files its earliest
finding, unless that is its own API misuse (sim.Primary; -misuse files
those too), and a later new title only when it is independent of the
findings before it (sim.Laters: filed with the reduced program that
shows it first, or for a leak sharing no object with them). Titles already under DIR (or -known
dirs) are not new. SIGINT/SIGTERM finishes the programs in hand, writes
everything and prints the summary; a second one exits at once (every
announced finding is on disk already).

Exit status: 1 wrote new crashers, 0 none, 2 usage or input error.

Flags:
`

// defaultOut is -out's default: a directory of its own, not the
// repository's crashers/, which holds the reviewed crashers that
// crashers_test.go replays (architecture §8). The summary says how to
// file what a soak wrote there (dangle triage -o crashers) or clean it.
const defaultOut = "stress-out"

// run is the command; sigs delivers interrupts.
func run(args []string, stdout, stderr io.Writer, sigs <-chan os.Signal) int {
	opt, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) && err.Error() != "" {
			fmt.Fprintf(stderr, "stress: %v\n", err)
		}
		return 2
	}
	out := newPrinter(stdout, opt.statusMode)
	out.println("stress: seed %d, workers %d, kernel %s (%d profiles), duration %s, out %s, shard %d/%d, signal %s",
		opt.seed, opt.workers, opt.kernel, len(opt.profiles), durationString(opt.duration), opt.out, opt.shard, opt.shards, onOff(!opt.noSignal))
	out.println("stress: replay with: go run ./cmd/stress -seed %d -workers %d -kernel %s -shard %d/%d%s",
		opt.seed, opt.workers, opt.kernel, opt.shard, opt.shards, extraFlags(opt))
	if err := checkWritable(opt.out); err != nil {
		fmt.Fprintf(stderr, "stress: -out %s: %v\n", opt.out, err)
		return 2
	}
	if opt.cpuProfile != "" {
		f, err := os.Create(opt.cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "stress: -cpuprofile: %v\n", err)
			return 2
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	// Heap profiling records a bucket per distinct allocation stack, and
	// a soak meets new stacks for hours: its buckets were RSS growth of
	// their own. Off unless asked for, then finer than the default
	// 512 KiB (a soak's heap is tens of MiB).
	runtime.MemProfileRate = 0
	if opt.memProfile != "" {
		runtime.MemProfileRate = 64 << 10
	}
	log, err := newLogger(opt.logFile)
	if err != nil {
		fmt.Fprintf(stderr, "stress: -log: %v\n", err)
		return 2
	}
	defer log.Sync()
	known, err := loadKnown(append([]string{opt.out}, opt.known...)...)
	if err != nil {
		fmt.Fprintf(stderr, "stress: %v\n", err)
		return 2
	}
	c := &corpus{dir: filepath.Join(opt.out, "corpus"), max: opt.maxCorpus}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "stress: %v\n", err)
		return 2
	}
	loaded, bad := c.load()
	for _, b := range bad {
		fmt.Fprintf(stderr, "stress: corpus: skipping %s\n", b)
		log.Warn("corrupt corpus file skipped", zap.String("error", b))
	}
	replay := append([]*entry(nil), c.entries...)
	if loaded > 0 || len(known) > 0 {
		out.println("stress: resuming: %d corpus programs, %d titles on disk", loaded, len(known))
	}
	log.Info("start", zap.Uint64("seed", opt.seed), zap.Int("workers", opt.workers), zap.String("kernel", opt.kernel),
		zap.Duration("duration", opt.duration), zap.String("out", opt.out), zap.Int("shard", opt.shard), zap.Int("shards", opt.shards),
		zap.Bool("signal", !opt.noSignal), zap.Int("corpus", loaded), zap.Strings("known", known))

	s := &soak{opt: opt, corpus: c, log: log, start: time.Now()}
	s.finds = newFindings(opt.out, known, log)
	s.finds.strict, s.finds.timeout, s.finds.noMinimize = opt.strict, opt.minTimeout, !opt.minimize
	s.finds.rawOnly = opt.rawOnly
	s.finds.misuse = opt.misuse
	var untilStop context.CancelFunc // set below: -until ends the run
	s.finds.announce = func(t *title) {
		out.println("new: %s (kernel %s) after %s programs, %.1fs -> %s", t.Title, t.Profile, group(t.Programs), t.Seconds, t.Dir)
		if opt.until != nil && opt.until.MatchString(t.Title) && untilStop != nil {
			untilStop()
		}
	}

	s.onHang = func(file string, replaced bool) {
		what := "its worker is replaced"
		if !replaced {
			what = fmt.Sprintf("its worker is not replaced (more than %d hangs per worker)", maxHangs)
		}
		out.println("simulator hang: a program ran longer than %s; saved as %s; %s", opt.hang, file, what)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	untilStop = stop
	if opt.duration > 0 {
		ctx, stop = context.WithTimeout(ctx, opt.duration)
		defer stop()
	}
	minCtx, cancelMin := context.WithCancel(context.Background())
	defer cancelMin()
	var interrupt atomic.Bool
	go func() {
		<-sigs
		interrupt.Store(true)
		log.Info("interrupted: finishing the programs in hand")
		stop()
		cancelMin()
		<-sigs
		os.Exit(2) // every announced finding is on disk already
	}()
	minDone := make(chan struct{})
	go func() { s.finds.minimizeLoop(minCtx); close(minDone) }()
	ticker := time.NewTicker(opt.statusEvery)
	if out.live {
		ticker.Reset(500 * time.Millisecond)
	}
	var memTick <-chan time.Time
	if opt.memProfile != "" && opt.memEvery > 0 {
		t := time.NewTicker(opt.memEvery)
		defer t.Stop()
		memTick = t.C
	}
	workersDone := make(chan struct{})
	go func() { s.run(ctx, replay); close(workersDone) }()
	for running := true; running; {
		select {
		case <-workersDone:
			running = false
		case <-memTick:
			name := fmt.Sprintf("%s.%s", opt.memProfile, time.Since(s.start).Round(time.Second))
			if err := writeHeapProfile(name); err != nil {
				fmt.Fprintf(stderr, "stress: -memprofile: %v\n", err)
			}
		case <-ticker.C:
			out.status(s.statusLine())
			if !out.live {
				entries, _ := c.size()
				answers, evicted := c.usage()
				log.Info("status", zap.Int64("programs", s.programs.Load()), zap.Int64("ops", s.ops.Load()),
					zap.Int("corpus", entries), zap.Int("corpus_answers", answers), zap.Int64("corpus_evicted", evicted),
					zap.Int64("rss_kb", rssKB()), zap.Uint64("heap_live_kb", heapLive()>>10), zap.Dict("mem", memFields()...))
			}
		}
	}
	ticker.Stop()
	close(s.finds.queue)
	if n := len(s.finds.queue); n > 0 && !interrupt.Load() {
		out.status(fmt.Sprintf("stress: minimizing %d more finding(s) (SIGINT writes them unminimized)", n))
	}
	<-minDone
	s.finds.finish()
	interrupted := interrupt.Load()
	out.done()
	if opt.memProfile != "" {
		if err := writeHeapProfile(opt.memProfile); err != nil {
			fmt.Fprintf(stderr, "stress: -memprofile: %v\n", err)
		}
	}
	st := s.stats(interrupted, known)
	summary(stdout, st)
	filesNote(stdout, st, c.dir)
	if err := writeStats(opt.stats, st); err != nil {
		fmt.Fprintf(stderr, "stress: stats: %v\n", err)
	} else {
		fmt.Fprintf(stdout, "stats: %s\n", opt.stats)
	}
	log.Info("done", zap.Int64("programs", st.Programs), zap.Int64("ops", st.Ops), zap.Float64("seconds", st.Seconds),
		zap.Int("new_titles", len(st.NewTitles)), zap.Int64("max_rss_kb", st.MaxRSSKB), zap.Bool("interrupted", interrupted))
	for _, t := range st.NewTitles {
		if t.Raw != "" {
			return 1
		}
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var opt options
	fs := flag.NewFlagSet("stress", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	fs.DurationVar(&opt.duration, "duration", 0, "stop after `D` (0: run until interrupted)")
	fs.StringVar(&opt.kernel, "kernel", "all", "kernel profile, comma-separated profiles, or all (rotated per program)")
	seed := fs.String("seed", "", "master seed `S` (default: from the clock; printed first)")
	fs.IntVar(&opt.workers, "workers", runtime.NumCPU(), "worker goroutines")
	fs.StringVar(&opt.out, "out", defaultOut, "output directory `DIR`: a crasher directory per new title, and corpus/, simulator-bugs/, stats.json")
	ignore := fs.String("ignore", "", "regexp `RE` of finding titles to ignore")
	until := fs.String("until", "", "stop at the first new finding whose title matches `RE` (time to find: make bench)")
	fs.BoolVar(&opt.strict, "strict", false, "count known findings (leaks the kernel itself announces)")
	shard := fs.String("shard", "0/1", "run shard `i/n` of the seed space")
	fs.StringVar(&opt.logFile, "log", "", "write structured (zap, JSON) logs to `FILE`")
	fs.BoolVar(&opt.noSignal, "no-signal", false, "no model signal: fresh random programs only, no corpus (the baseline)")
	fs.BoolVar(&opt.misuse, "misuse", false, "also file API misuse by the program (sim.Primary: a WARN in the op's own function, a dead handle, a broken devres or link contract)")
	fs.Int64Var(&opt.programs, "programs", 0, "stop after `N` programs (0: no limit)")
	fs.DurationVar(&opt.minTimeout, "min-timeout", 20*time.Second, "time limit of one minimization")
	fs.BoolVar(&opt.minimize, "minimize", true, "minimize new findings (false: crashers keep the raw program)")
	fs.IntVar(&opt.maxCorpus, "max-corpus", 4096, "corpus bound: at most `N` programs and N×256 stream answers (1 KiB each on average); the fewest-signal programs are evicted first")
	fs.StringVar(&opt.statusMode, "status", "auto", "status display: auto, live (redrawn line) or plain (a line every -status-every)")
	fs.DurationVar(&opt.statusEvery, "status-every", 10*time.Second, "interval of plain status lines")
	fs.StringVar(&opt.stats, "stats", "", "JSON stats `FILE` (default DIR/stats.json)")
	fs.DurationVar(&opt.hang, "hang", 10*time.Second, "a program running longer is a simulator hang: saved, its worker replaced")
	fs.StringVar(&opt.cpuProfile, "cpuprofile", "", "write a CPU profile to `FILE`")
	fs.StringVar(&opt.memProfile, "memprofile", "", "write a heap profile to `FILE` at the end (and FILE.<elapsed> every -memprofile-every)")
	fs.DurationVar(&opt.memEvery, "memprofile-every", 0, "with -memprofile: also a heap profile every `D` (0: only at the end)")
	mutant := fs.String("mutant", "", "benchmarking aid, not for a real soak: inject the bug `NAME` (driver/release, sim/mutants.go; none: no bug, the baseline; make bench's mutant table); implies -minimize=false and raw crashers only")
	knownDirs := fs.String("known", "", "comma-separated crasher dirs whose titles are not new (besides -out)")
	if err := fs.Parse(args); err != nil {
		return opt, err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return opt, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if *seed == "" {
		opt.seed = uint64(time.Now().UnixNano())
	} else if opt.seed, err = strconv.ParseUint(*seed, 10, 64); err != nil {
		return opt, fmt.Errorf("-seed: %q is not an unsigned integer", *seed)
	}
	if opt.profiles, err = profileNames(opt.kernel); err != nil {
		return opt, fmt.Errorf("-kernel: %v", err)
	}
	if opt.workers < 1 {
		return opt, fmt.Errorf("-workers: want at least 1, got %d", opt.workers)
	}
	if opt.duration < 0 || opt.hang <= 0 || opt.minTimeout <= 0 || opt.statusEvery <= 0 || opt.maxCorpus < 1 || opt.programs < 0 {
		return opt, fmt.Errorf("-duration, -programs: not negative; -hang, -min-timeout, -status-every, -max-corpus: positive")
	}
	if *ignore != "" {
		if opt.ignore, err = regexp.Compile(*ignore); err != nil {
			return opt, fmt.Errorf("-ignore: %v", err)
		}
	}
	if *until != "" {
		if opt.until, err = regexp.Compile(*until); err != nil {
			return opt, fmt.Errorf("-until: %v", err)
		}
	}
	i, n, ok := strings.Cut(*shard, "/")
	var err2 error
	opt.shard, err = strconv.Atoi(i)
	opt.shards, err2 = strconv.Atoi(n)
	if !ok || err != nil || err2 != nil || opt.shards < 1 || opt.shard < 0 || opt.shard >= opt.shards {
		return opt, fmt.Errorf("-shard: want i/n with 0 <= i < n, got %q", *shard)
	}
	switch opt.statusMode {
	case "auto", "live", "plain":
	default:
		return opt, fmt.Errorf("-status: want auto, live or plain, got %q", opt.statusMode)
	}
	if *mutant != "" {
		// "none" is make bench's unmutated baseline, run alike
		if *mutant != "none" {
			if opt.mutant, err = sim.MutantByName(*mutant); err != nil {
				return opt, fmt.Errorf("-mutant: %v", err)
			}
		}
		// the minimizer's replays (and the crashers', findings.rawOnly)
		// would run without the mutant
		opt.minimize, opt.rawOnly = false, true
	}
	if *knownDirs != "" {
		opt.known = strings.Split(*knownDirs, ",")
	}
	if opt.stats == "" {
		opt.stats = filepath.Join(opt.out, "stats.json")
	}
	return opt, nil
}

// checkWritable makes dir and proves it takes a write of some size
// (not read-only, not full), so a finding is never lost to it later.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create: %v", err)
	}
	probe := filepath.Join(dir, ".stress-write-check")
	err := writeAtomic(probe, make([]byte, 256<<10))
	os.Remove(probe)
	if err != nil {
		return fmt.Errorf("not writable: %v", err)
	}
	return nil
}

// writeHeapProfile writes the live heap (after a GC, so the profile
// shows what is reachable, not garbage awaiting collection) to name.
func writeHeapProfile(name string) error {
	runtime.GC()
	var b bytes.Buffer
	if err := pprof.WriteHeapProfile(&b); err != nil {
		return err
	}
	return os.WriteFile(name, b.Bytes(), 0o644)
}

func newLogger(file string) (*zap.Logger, error) {
	if file == "" {
		return zap.NewNop(), nil
	}
	cfg := zap.NewProductionConfig()
	cfg.Sampling = nil // every event, never sampled away
	cfg.OutputPaths = []string{file}
	cfg.ErrorOutputPaths = []string{"stderr"}
	return cfg.Build()
}

func durationString(d time.Duration) string {
	if d == 0 {
		return "until interrupted"
	}
	return d.String()
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// extraFlags are the settings that change what runs, for the replay line.
func extraFlags(o options) string {
	var b strings.Builder
	if o.noSignal {
		b.WriteString(" -no-signal")
	}
	if o.strict {
		b.WriteString(" -strict")
	}
	if o.misuse {
		b.WriteString(" -misuse")
	}
	if o.ignore != nil {
		fmt.Fprintf(&b, " -ignore '%s'", o.ignore)
	}
	if o.until != nil {
		fmt.Fprintf(&b, " -until '%s'", o.until)
	}
	if o.mutant != nil {
		fmt.Fprintf(&b, " -mutant %s", o.mutant.Name())
	} else if o.rawOnly {
		b.WriteString(" -mutant none")
	}
	return b.String()
}
