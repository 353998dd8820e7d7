package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"dangle/crash"
	"dangle/minimizer"
	"dangle/prog"
	"dangle/sim"
	"dangle/sim/profile"
)

// title is what the soak knows of one finding title.
type title struct {
	Title string `json:"title"`
	// Profile is the profile of the run that found it first.
	Profile string `json:"profile"`
	// Programs and Seconds: the soak's program count and elapsed time
	// when it was first found.
	Programs int64   `json:"first_after_programs"`
	Seconds  float64 `json:"first_after_seconds"`
	// Hits counts the runs that raised it.
	Hits int64 `json:"hits"`
	// Dir is the crasher directory; Raw the raw program written first.
	Dir string `json:"crasher"`
	Raw string `json:"raw"`
	// Minimized: the crasher holds the minimized repro; Affected the
	// profiles it reproduces on.
	Minimized bool     `json:"minimized"`
	Written   bool     `json:"written"`
	Affected  []string `json:"affected"`
	Ops       int      `json:"repro_ops"`
	Error     string   `json:"error,omitempty"`

	prog *prog.Program
	atOp bool
	// onDisk: a crasher of this title was on disk before the soak began
	// (not new: never written, not counted).
	onDisk bool
}

// findings de-duplicates titles within the run and against the crashers
// on disk, writes each new one raw at once and hands it to the
// minimizer, which runs off the hot path.
type findings struct {
	mu     sync.Mutex
	out    string
	titles map[string]*title
	order  []*title // new titles, in the order found
	queue  chan *title
	log    *zap.Logger
	strict bool
	// misuse: -misuse files API misuse too; its repros may show it
	misuse bool
	// timeout bounds one minimization; noMinimize skips it.
	timeout    time.Duration
	noMinimize bool
	// rawOnly keeps every crasher raw (-mutant): crash.Write's replays on
	// every profile would run without the mutant, and cost most of a
	// mutant soak's time.
	rawOnly bool
	// announce prints a line for a new title (after its raw write).
	announce func(t *title)
	// bugs: simulator panics seen (by message), bounded.
	bugs map[string]bool
	// tries counts the re-verifications of later titles not filed
	// (tryLater).
	tries map[string]int
}

// maxQueue bounds the titles waiting for the minimizer; past it a new
// title stays raw (its directory is complete, only not minimized).
const maxQueue = 256

func newFindings(out string, known []string, log *zap.Logger) *findings {
	f := &findings{out: out, titles: map[string]*title{}, queue: make(chan *title, maxQueue), log: log,
		bugs: map[string]bool{}, tries: map[string]int{}, announce: func(*title) {}}
	for _, t := range known {
		f.titles[t] = &title{Title: t, onDisk: true}
	}
	return f
}

// loadKnown returns the titles of the crashers under each dir; a crasher
// that does not load is an error naming it.
func loadKnown(dirs ...string) ([]string, error) {
	var out []string
	for _, d := range dirs {
		cs, err := crash.Load(d)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			out = append(out, c.Title)
		}
	}
	return out, nil
}

// maxLaterTries bounds the re-verifications (sim.Laters) of one title
// the soak has not filed: a cascade title common in some program shape
// would otherwise cost a few re-runs in every such program.
const maxLaterTries = 32

// tryLater reports whether the soak should re-verify a later finding
// titled tl (sim.Laters): not when tl is filed already or has used its
// tries.
func (f *findings) tryLater(tl string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.titles[tl] != nil || f.tries[tl] >= maxLaterTries {
		return false
	}
	f.tries[tl]++
	return true
}

// found records that program p raised title tl on profile prof after
// programs programs. A new title is written raw before found returns
// and is then announced and queued for minimizing; it returns true for
// a new title.
func (f *findings) found(p *prog.Program, prof, tl string, atOp bool, programs int64, elapsed time.Duration) bool {
	f.mu.Lock()
	t := f.titles[tl]
	if t != nil {
		t.Hits++
		f.mu.Unlock()
		return false
	}
	t = &title{Title: tl, Profile: prof, Programs: programs, Seconds: elapsed.Seconds(), Hits: 1,
		Dir: filepath.Join(f.out, crash.Slug(tl)), atOp: atOp}
	q := p.Clone()
	q.Kernel = prof
	t.prog = q
	f.titles[tl] = t
	f.order = append(f.order, t)
	f.mu.Unlock()
	raw, err := crash.WriteRaw(f.out, q, tl)
	f.mu.Lock()
	t.Raw = raw
	if err != nil {
		t.Error = "raw write: " + err.Error()
	}
	f.mu.Unlock()
	if err != nil {
		f.log.Error("raw write failed", zap.String("title", tl), zap.Error(err))
		return true
	}
	f.log.Info("new finding", zap.String("title", tl), zap.String("profile", prof),
		zap.Int64("programs", programs), zap.Duration("elapsed", elapsed), zap.String("raw", raw))
	f.announce(t)
	select {
	case f.queue <- t:
	default:
		f.log.Warn("minimizer queue full: crasher stays raw", zap.String("title", tl))
	}
	return true
}

// minimizeLoop minimizes queued titles one at a time until the queue is
// closed. ctx cancels a minimization in progress (the crasher is then
// written from the raw program).
func (f *findings) minimizeLoop(ctx context.Context) {
	for t := range f.queue {
		f.write(ctx, t)
	}
}

// write minimizes t's program (unless ctx is done), replays it on every
// profile and writes the crasher directory.
func (f *findings) write(ctx context.Context, t *title) {
	if f.rawOnly {
		return // the summary says (raw)
	}
	start := time.Now()
	repro, minimized := t.prog, false
	if ctx.Err() == nil && !f.noMinimize {
		// a small cache: a minimization replays one program's few trees
		// on a few profiles, and the default (512 trees, 32 MiB) would
		// raise the soak's heap peak by up to its size at every finding
		cfg := sim.Config{Filename: "repro.prog", Profile: t.Profile, Strict: f.strict, Quiet: true, Cache: sim.NewCacheSize(64, 4<<20)}
		// the same bug: the title, as the program's primary finding (the
		// soak files no other), and clean where the original is clean
		pred, err := crash.SameFirstBug(t.prog, t.Title, t.atOp, f.misuse, cfg, profile.Names())
		if err != nil {
			pred = crash.FirstPredicate(cfg, t.Title, t.atOp, f.misuse)
		}
		cancellable := func(c *prog.Program) minimizer.Verdict {
			if ctx.Err() != nil {
				return minimizer.Verdict{} // stop: nothing smaller fails
			}
			return pred(c)
		}
		min, _, err := minimizer.Minimize(t.prog, cancellable, minimizer.Options{Timeout: f.timeout})
		if err == nil && ctx.Err() == nil {
			repro, minimized = min, true
		} else if err != nil && ctx.Err() == nil {
			f.log.Warn("minimize failed: keeping the raw program", zap.String("title", t.Title), zap.Error(err))
		}
	}
	c, err := crash.Write(f.out, repro, t.Title, crash.Options{Profile: t.Profile, NoMinimize: true, Strict: f.strict,
		FoundBy: []string{"dangle stress"}, Replay: "go run ./cmd/dangle"})
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		t.Error = err.Error()
		f.log.Error("crasher write failed", zap.String("title", t.Title), zap.Error(err))
		return
	}
	t.Written, t.Minimized, t.Affected, t.Dir, t.Ops = true, minimized, c.Affected, c.Dir, len(c.Prog.Ops)
	f.log.Info("crasher written", zap.String("title", t.Title), zap.String("dir", c.Dir), zap.Bool("minimized", minimized),
		zap.Int("ops", len(c.Prog.Ops)), zap.Strings("affected", c.Affected), zap.Duration("took", time.Since(start)))
}

// finish writes, unminimized, every new title the minimizer has not
// written (after an interrupt, or a full queue).
func (f *findings) finish() {
	f.mu.Lock()
	var todo []*title
	for _, t := range f.order {
		if !t.Written && t.Raw != "" {
			todo = append(todo, t)
		}
	}
	f.mu.Unlock()
	for _, t := range todo {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		f.write(ctx, t)
	}
}

// simBug saves a simulator panic's program under DIR/simulator-bugs/,
// once per panic message; it returns the file ("" if seen before).
func (f *findings) simBug(p *prog.Program, prof string, b *sim.Bug) string {
	return f.saveBug(p, prof, fmt.Sprint(b.Value), b.Error()+"\n")
}

// hang saves the program of a simulator hang (a run longer than -hang)
// with every goroutine's stack, which shows where the model loops.
func (f *findings) hang(p *prog.Program, prof string, took time.Duration) string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	msg := fmt.Sprintf("simulator hang: the program ran %s without finishing", took.Truncate(time.Second))
	return f.saveBug(p, prof, msg+" "+prof+" "+string(p.Print()), msg+"\n\n"+string(buf))
}

// saveBug writes DIR/simulator-bugs/<hash>.prog and .txt (detail), once
// per key (bounded).
func (f *findings) saveBug(p *prog.Program, prof, key, detail string) string {
	f.mu.Lock()
	if f.bugs[key] || len(f.bugs) >= 1000 {
		f.mu.Unlock()
		return ""
	}
	f.bugs[key] = true
	f.mu.Unlock()
	q := p.Clone()
	q.Kernel = prof
	q.Header = append([]string{"# simulator bug: " + firstLine(detail)}, q.Header...)
	text := q.Print()
	sum := sha256.Sum256(text)
	dir := filepath.Join(f.out, "simulator-bugs")
	name := filepath.Join(dir, fmt.Sprintf("%x.prog", sum[:6]))
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		err = writeAtomic(name, text)
	}
	if err == nil {
		err = writeAtomic(strings.TrimSuffix(name, ".prog")+".txt", []byte(detail))
	}
	if err != nil {
		f.log.Error("simulator bug not saved", zap.Error(err))
		return ""
	}
	f.log.Error("simulator bug", zap.String("what", firstLine(detail)), zap.String("program", name))
	return name
}

// newTitles returns a copy of the new titles, in the order found.
func (f *findings) newTitles() []title {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]title, len(f.order))
	for i, t := range f.order {
		out[i] = *t
		out[i].prog = nil
		out[i].Affected = append([]string(nil), t.Affected...)
	}
	return out
}

// profileNames expands -kernel: "all" (every profile), or a
// comma-separated list of profiles.
func profileNames(s string) ([]string, error) {
	if s == "all" {
		return profile.Names(), nil
	}
	var out []string
	for _, n := range strings.Split(s, ",") {
		p, err := profile.Parse(n)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Name)
	}
	return out, nil
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func nopLogger() *zap.Logger { return zap.NewNop() }
