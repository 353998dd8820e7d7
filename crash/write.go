package crash

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"dangle/minimizer"
	"dangle/prog"
	"dangle/sim"
	"dangle/sim/profile"
)

// Options says how Write makes a crasher.
type Options struct {
	// Profile is the profile the finding was seen on; "" means the
	// program's kernel line. The repro's kernel line names it.
	Profile string
	// Profiles are the profiles of the version matrix (default: every
	// named profile, profile.Names()); the finding's own profile is
	// added when it is not one of them (a patched profile).
	Profiles []string
	// NoMinimize keeps the program as given (already minimal).
	NoMinimize bool
	// Timeout bounds minimization (default 30s).
	Timeout time.Duration
	// Strict counts known findings as findings (sim.Config.Strict).
	Strict bool
	// FoundBy names the inputs the finding came from, for the report.
	FoundBy []string
	// Replay is the command that runs dangle in the report's replay line
	// (default "go run ./cmd/dangle").
	Replay string
	// ReplayDir is DIR as the replay line names it (default DIR): the
	// path from where the replay command runs, such as "crashers".
	ReplayDir string
}

// Write makes DIR/<Slug(title)>/ from a program that raises title: it
// minimizes p on the finding's profile while the title stays (during an
// op when p raises it during one), replays the result on every profile,
// and writes repro.prog, report.txt, the sources and timeline.svg. A
// title already on disk is merged: the smaller of the two repros stays
// (the existing one on a tie), the version matrix and report are
// rewritten from it, and raw/ findings are folded in and removed.
func Write(dir string, p *prog.Program, title string, opts Options) (*Crasher, error) {
	if opts.Timeout == 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Profiles == nil {
		opts.Profiles = profile.Names()
	}
	cfg := sim.Config{Filename: "repro.prog", Profile: opts.Profile, Strict: opts.Strict, Quiet: true, Cache: sim.NewCache()}
	res, err := sim.Run(p, cfg)
	if err != nil {
		return nil, err
	}
	f := findingTitled(res, title)
	if f == nil {
		return nil, fmt.Errorf("crash: the program does not raise %q on %s", title, res.Profile)
	}
	prof := res.Profile
	cfg.Profile = prof
	if !slices.Contains(opts.Profiles, prof) {
		// found on a patched or overridden profile: the matrix shows it too
		opts.Profiles = append(slices.Clone(opts.Profiles), prof)
	}
	atOp := f.Op > 0
	repro := p.Clone()
	if !opts.NoMinimize {
		keep, err := SameBug(p, title, atOp, cfg, opts.Profiles)
		if err != nil {
			return nil, err
		}
		min, _, err := minimizer.Minimize(p, keep, minimizer.Options{Timeout: opts.Timeout})
		if err != nil {
			return nil, fmt.Errorf("crash: %q: minimize: %v", title, err)
		}
		repro = min
	}
	repro.Kernel = prof
	c := &Crasher{Dir: filepath.Join(dir, Slug(title)), Title: title, Profile: prof}
	if old, err := loadOne(c.Dir); err != nil {
		return nil, err
	} else if old != nil {
		c.Merged = true
		c.Raw = old.Raw
		opts.FoundBy = mergeFoundBy(old.Report, opts.FoundBy)
		if old.Prog != nil && len(withHeader(old.Prog, title, nil, nil).Print()) <= len(withHeader(repro, title, nil, nil).Print()) && reproduces(old.Prog, title, opts.Strict) {
			repro, c.Profile = old.Prog, old.Profile
			if c.Profile == "" {
				c.Profile = profile.Default
			}
		}
	}
	m, err := RunMatrix(repro, opts.Profiles, sim.Config{Filename: "repro.prog", Strict: opts.Strict, Quiet: true, Cache: cfg.Cache}, nil)
	if err != nil {
		return nil, err
	}
	c.Affected, c.Unaffected = m.Split(title)
	c.Prog = withHeader(repro, title, c.Affected, c.Unaffected)
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return nil, err
	}
	if err := writeAtomic(filepath.Join(c.Dir, "repro.prog"), c.Prog.Print()); err != nil {
		return nil, err
	}
	if err := writeSources(c.Dir, c.Prog); err != nil {
		return nil, err
	}
	rep, err := buildReport(c, m, opts)
	if err != nil {
		return nil, err
	}
	c.Report = rep.text
	if err := writeAtomic(filepath.Join(c.Dir, "report.txt"), []byte(rep.text)); err != nil {
		return nil, err
	}
	if err := writeAtomic(filepath.Join(c.Dir, "timeline.svg"), rep.timeline); err != nil {
		return nil, err
	}
	if err := writeAtomic(filepath.Join(c.Dir, "graph.dot"), rep.graph); err != nil {
		return nil, err
	}
	// the raw findings folded in go; one the soak wrote meanwhile stays
	for _, r := range c.Raw {
		if err := os.Remove(r); err != nil && !os.IsNotExist(err) {
			return nil, err
		}
	}
	if len(c.Raw) > 0 {
		os.Remove(filepath.Join(c.Dir, "raw")) // only if empty
		c.Raw = nil
	}
	return c, nil
}

// writeSources writes p's device-tree sources into dir as plain files (a
// blob decoded, as dtc wrote it) and removes the sources an earlier repro
// left that p does not have.
func writeSources(dir string, p *prog.Program) error {
	want := map[string]bool{}
	for _, f := range p.Files {
		data := f.Data
		if prog.IsBlob(f.Name) {
			b, err := f.Blob()
			if err != nil {
				return fmt.Errorf("%s: %v", f.Name, err)
			}
			data = b
		}
		want[f.Name] = true
		if err := writeAtomic(filepath.Join(dir, f.Name), data); err != nil {
			return err
		}
	}
	for _, pat := range []string{"*.dts", "*.dtso", "*.dtb", "*.dtbo"} {
		old, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, o := range old {
			if !want[filepath.Base(o)] {
				if err := os.Remove(o); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// SameBug is the predicate Write minimizes with: a candidate fails when
// it raises title under cfg (during an op when atOp, as Predicate) and
// stays clean of it on every profile among profiles that the original p
// is clean of. A smaller program that raises the title on every kernel
// (a consumer that simply never puts its descriptor) is another bug and
// is not accepted. The soak, minimizing in its own goroutine, can use it
// with Write's NoMinimize.
func SameBug(p *prog.Program, title string, atOp bool, cfg sim.Config, profiles []string) (minimizer.Predicate, error) {
	return sameBug(p, title, cfg, profiles, Predicate(cfg, title, atOp))
}

// SameFirstBug is SameBug with FirstPredicate: the soak's predicate,
// which files only a program's primary finding (sim.Primary), so that
// its minimized repro shows the title first, not after another bug or
// the program's own misuse.
func SameFirstBug(p *prog.Program, title string, atOp, misuse bool, cfg sim.Config, profiles []string) (minimizer.Predicate, error) {
	return sameBug(p, title, cfg, profiles, FirstPredicate(cfg, title, atOp, misuse))
}

func sameBug(p *prog.Program, title string, cfg sim.Config, profiles []string, pred minimizer.Predicate) (minimizer.Predicate, error) {
	orig, err := RunMatrix(p, profiles, sim.Config{Filename: cfg.Filename, Strict: cfg.Strict, Quiet: true, Cache: cfg.Cache}, nil)
	if err != nil {
		return nil, err
	}
	_, clean := orig.Split(title)
	return func(c *prog.Program) minimizer.Verdict {
		v := pred(c)
		if !v.Fails {
			return v
		}
		for _, u := range clean {
			ucfg := cfg
			ucfg.Profile = u
			if res, err := sim.Run(c, ucfg); err != nil || findingTitled(res, title) != nil {
				return minimizer.Verdict{}
			}
		}
		return v
	}, nil
}

// reproduces reports whether p raises title on its own kernel line.
func reproduces(p *prog.Program, title string, strict bool) bool {
	res, err := sim.Run(p, sim.Config{Filename: "repro.prog", Strict: strict, Quiet: true})
	return err == nil && findingTitled(res, title) != nil
}

// Predicate is the minimizer's "same bug" test: a candidate fails when
// it raises a finding titled title under cfg — during an op, not in the
// harness's teardown, when atOp is set (the original raised it during an
// op: a repro that leaves the removal to the teardown no longer shows the
// op that triggers the bug). A candidate the simulator rejects (an input
// error, a simulator bug) does not fail: it is not the same bug.
func Predicate(cfg sim.Config, title string, atOp bool) minimizer.Predicate {
	return func(c *prog.Program) minimizer.Verdict {
		res, err := sim.Run(c, cfg)
		if err != nil {
			return minimizer.Verdict{}
		}
		for _, f := range res.Findings {
			if f.Title == title && (!atOp || f.Op > 0) {
				return minimizer.Verdict{Fails: true, Op: f.Op}
			}
		}
		return minimizer.Verdict{}
	}
}

// FirstPredicate is Predicate for the program's primary finding: a
// candidate fails when the earliest finding it raises under cfg is
// titled title (during an op when atOp) and is not API misuse by the
// candidate (sim.Primary) — unless misuse, for a soak run with -misuse.
func FirstPredicate(cfg sim.Config, title string, atOp, misuse bool) minimizer.Predicate {
	return func(c *prog.Program) minimizer.Verdict {
		res, err := sim.Run(c, cfg)
		if err != nil {
			return minimizer.Verdict{}
		}
		f, why := sim.Primary(c, res)
		if f == nil || (why != "" && !misuse) || f.Title != title || (atOp && f.Op <= 0) {
			return minimizer.Verdict{}
		}
		return minimizer.Verdict{Fails: true, Op: f.Op}
	}
}

// mergeFoundBy adds the "found by:" inputs of an earlier report to
// foundBy, without repeats, the earlier ones first.
func mergeFoundBy(oldReport string, foundBy []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range strings.Split(oldReport, "\n") {
		if v, ok := strings.CutPrefix(l, "found by: "); ok {
			for _, f := range strings.Fields(v) {
				if !seen[f] {
					seen[f] = true
					out = append(out, f)
				}
			}
		}
	}
	for _, f := range foundBy {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}
