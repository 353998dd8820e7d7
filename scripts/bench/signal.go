package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// --- 6. signal: the soak's time to find with and without it -------------

// signalBugs are the rows of bugs.tsv the soak took longest to find
// (table 2), where guidance can show if anywhere, and signalExtra the
// bugs measured here only (none now: B6's use-after-free at chip
// removal was one, but it is the consequence of B6's double put, and
// since sim.Laters files no finding after a state-corrupting one the
// soak files B6's own title instead and never this one, so each run
// only spent the cap).
var (
	signalBugs  = []string{"B5", "B6", "remove_all"}
	signalExtra []bug
)

// signalRun is one -until run of the soak, with or without signal.
type signalRun struct {
	Signal bool `json:"signal"`
	findRun
}

// signal runs cmd/stress -until TITLE -workers 1 on each signal bug's
// profile, seeds 1..signalSeeds, with and without -no-signal, the two
// alternating per seed so that a change of the machine's load in the
// middle hits both alike.
func signal(c config, b bins) ([]signalRun, error) {
	bugs, err := loadBugs(b.root)
	if err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(c.out, "signal.jsonl"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []bug
	for _, bg := range bugs {
		if slices.Contains(signalBugs, bg.name) {
			rows = append(rows, bg)
		}
	}
	rows = append(rows, signalExtra...)
	var all []signalRun
	for _, bg := range rows {
		for seed := 1; seed <= c.signalSeeds; seed++ {
			for _, on := range []bool{true, false} {
				var extra []string
				if !on {
					extra = []string{"-no-signal"}
				}
				r, err := findStressCap(c, b, bg, seed, c.signalCap, extra...)
				if err != nil {
					return all, fmt.Errorf("%s seed %d signal %v: %v", bg.name, seed, on, err)
				}
				r.Method, r.Bug, r.Seed = "stress", bg.name, uint64(seed)
				s := signalRun{Signal: on, findRun: r}
				logf("  %-10s seed %d signal %-5v: found %-5v %.2fs, %d programs", bg.name, seed, on, r.Found, r.Seconds, r.Programs)
				all = append(all, s)
				j, _ := json.Marshal(s)
				fmt.Fprintf(f, "%s\n", j)
			}
		}
	}
	return all, nil
}

func (r *report) signalTable(w func(string, ...any), c config) {
	w("### 6. Signal: the soak's time to find with and without it")
	w("")
	w("`cmd/stress -until TITLE -workers 1 -kernel P -minimize=false -seed S`, seeds 1..%d, against the same with `-no-signal` "+
		"(fresh programs only, no corpus), on the bugs table 2 shows the soak slowest at; cap %s per run (a run that did not "+
		"find counts as the cap; a median at the cap is a lower bound, \"> \"). Programs are counted to the first find (runs "+
		"that did not find count all they ran): the steadier measure on a shared machine. The ratio is the no-signal median "+
		"÷ the signal median: above 1, signal helped.", c.signalSeeds, c.signalCap)
	w("")
	w("| bug | profile | signal: seconds | signal: programs | no signal: seconds | no signal: programs | ratio (s) | ratio (programs) |")
	w("|---|---|---|---|---|---|---|---|")
	bugs, _ := loadBugs(".")
	for _, bg := range append(bugs, signalExtra...) {
		var on, off []findRun
		for _, s := range r.signal {
			if s.Bug != bg.name {
				continue
			}
			if s.Signal {
				on = append(on, s.findRun)
			} else {
				off = append(off, s.findRun)
			}
		}
		if len(on) == 0 && len(off) == 0 {
			continue
		}
		cOn, mOn, okOn := cell(on, c.signalCap.Seconds())
		cOff, mOff, okOff := cell(off, c.signalCap.Seconds())
		pOn, pOff := programs(on), programs(off)
		ratio := func(a, b float64, okA, okB bool) string {
			if a <= 0 || b <= 0 || !okA && !okB {
				return "—"
			}
			s := ratioText(b / a)
			switch {
			case !okB:
				s = "> " + s // the baseline's median is the cap
			case !okA:
				s = "< " + s
			}
			return s
		}
		w("| %s | %s | %s | %s | %s | %s | %s | %s |", bg.name, bg.profile, cOn, mr(pOn, "%.0f"), cOff, mr(pOff, "%.0f"),
			ratio(mOn, mOff, okOn, okOff), ratio(median(pOn), median(pOff), okOn, okOff))
	}
	w("")
}

// programs are the runs' program counts to the first find (all they ran
// when they did not find).
func programs(runs []findRun) []float64 {
	var v []float64
	for _, x := range runs {
		v = append(v, float64(x.Programs))
	}
	return v
}
