package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dangle/sim"
)

// --- 6. mutants found by a fixed-length soak -----------------------------
//
// Bug-finding power on bugs nobody told the tool about (architecture §11):
// each mutant of sim.Mutants (a catalog driver forgetting one release, or
// a kernel path skipping one put) is switched on for a soak of a fixed
// number of programs on mainline, one worker, per seed; so is an
// unmutated baseline per seed, twice as long. A mutant is killed by a run
// when the run has a title the baseline of its seed has not. The soak's
// signal makes a mutated run's programs diverge from the baseline's, so a
// kill by some other title may be that divergence, not the mutant: the
// table counts apart the kills whose new titles include the mutant's own
// finding (Mutant.Want).

// mutantTitle is a title and when a run first had it (stress's
// stats.json new_titles, or bench's TestMutantUniform line).
type mutantTitle struct {
	Title    string  `json:"title"`
	Seconds  float64 `json:"seconds"`
	Programs int     `json:"programs"`
}

// mutantRun is one run of one method with one mutant ("" = baseline).
type mutantRun struct {
	Method   string        `json:"method"` // stress or uniform
	Mutant   string        `json:"mutant"`
	Seed     int           `json:"seed"`
	Titles   []mutantTitle `json:"titles"`
	Killed   bool          `json:"killed"`
	Title    string        `json:"title,omitempty"` // the first title no baseline has
	Seconds  float64       `json:"seconds"`         // ... and when
	Programs int           `json:"programs"`
	Expected bool          `json:"expected"` // a new title contains the mutant's Want
}

// mutantPrograms is the soak length (programs) per run.
func mutantPrograms(c config) int {
	if c.quick {
		return envInt("BENCH_MUTANT_PROGRAMS", 150)
	}
	return envInt("BENCH_MUTANT_PROGRAMS", 500)
}

// mutantSet is the mutants a run soaks: all, or every third in QUICK.
func mutantSet(c config) []*sim.Mutant {
	var out []*sim.Mutant
	for i := range sim.Mutants {
		if !c.quick || i%3 == 0 {
			out = append(out, &sim.Mutants[i])
		}
	}
	return out
}

func mutantSeeds(c config) int { return min(c.seeds, 3) }

func mutants(c config, b bins) ([]mutantRun, error) {
	n := mutantPrograms(c)
	var all []mutantRun
	for _, method := range []string{"stress", "uniform"} {
		base := map[int]map[string]bool{} // seed -> the baseline's titles
		for seed := 1; seed <= mutantSeeds(c); seed++ {
			ts, err := mutantSoak(c, b, method, nil, seed, 2*n)
			if err != nil {
				return all, fmt.Errorf("%s baseline seed %d: %v", method, seed, err)
			}
			base[seed] = map[string]bool{}
			for _, t := range ts {
				base[seed][t.Title] = true
			}
			all = append(all, mutantRun{Method: method, Seed: seed, Titles: ts})
		}
		for _, m := range mutantSet(c) {
			for seed := 1; seed <= mutantSeeds(c); seed++ {
				ts, err := mutantSoak(c, b, method, m, seed, n)
				if err != nil {
					return all, fmt.Errorf("%s %s seed %d: %v", method, m.Name(), seed, err)
				}
				r := killed(mutantRun{Method: method, Mutant: m.Name(), Seed: seed, Titles: ts}, base[seed], m.Want)
				logf("  %-7s %-55s seed %d: killed %-5v %.2fs %q", method, m.Name(), seed, r.Killed, r.Seconds, r.Title)
				all = append(all, r)
			}
		}
	}
	return all, writeJSONL(filepath.Join(c.out, "mutants.jsonl"), all)
}

// killed fills r's verdict: its first title not in base.
func killed(r mutantRun, base map[string]bool, want string) mutantRun {
	for _, t := range r.Titles {
		if base[t.Title] {
			continue
		}
		if !r.Killed || t.Seconds < r.Seconds {
			r.Killed, r.Title, r.Seconds, r.Programs = true, t.Title, t.Seconds, t.Programs
		}
		r.Expected = r.Expected || strings.Contains(t.Title, want)
	}
	return r
}

// mutantSoak runs n programs of method with mutant m (nil: none) and
// returns the titles found.
func mutantSoak(c config, b bins, method string, m *sim.Mutant, seed, n int) ([]mutantTitle, error) {
	name := ""
	if m != nil {
		name = m.Name()
	}
	limit := time.Duration(n)*100*time.Millisecond + time.Minute // a cap far above a normal run
	if method == "uniform" {
		env := []string{"BENCH_MUTANT_UNIFORM=1", "BENCH_MUTANT=" + name, "BENCH_SEED=" + fmt.Sprint(seed), "BENCH_PROGRAMS=" + fmt.Sprint(n)}
		out, _, err := runOut(filepath.Join(b.root, "bench"), env, limit, b.bench, "-test.run", "^TestMutantUniform$")
		for _, l := range strings.Split(out, "\n") {
			if j, ok := strings.CutPrefix(l, "BENCH "); ok {
				var r struct{ Titles []mutantTitle }
				return r.Titles, json.Unmarshal([]byte(j), &r)
			}
		}
		return nil, fmt.Errorf("no BENCH line (%v)\n%s", err, tail(out, 2000))
	}
	dir, err := os.MkdirTemp(c.tmp, "mutant-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	args := []string{"-programs", fmt.Sprint(n), "-seed", fmt.Sprint(seed), "-workers", "1", "-kernel", "mainline",
		"-minimize=false", "-status", "plain", "-status-every", "1h", "-out", dir}
	if m == nil {
		name = "none" // the baseline, run alike: raw crashers, no minimizer
	}
	args = append(args, "-mutant", name)
	out, _, err := runOut(b.root, nil, limit, b.stress, args...)
	data, rerr := os.ReadFile(filepath.Join(dir, "stats.json"))
	if rerr != nil {
		return nil, fmt.Errorf("%v (%v)\n%s", rerr, err, tail(out, 2000))
	}
	var st struct {
		NewTitles []struct {
			Title    string  `json:"title"`
			Programs int     `json:"first_after_programs"`
			Seconds  float64 `json:"first_after_seconds"`
		} `json:"new_titles"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, err
	}
	var ts []mutantTitle
	for _, t := range st.NewTitles {
		ts = append(ts, mutantTitle{t.Title, t.Seconds, t.Programs})
	}
	return ts, nil
}

// mutantTable is table 7.
func (r *report) mutantTable(w func(string, ...any), c config) {
	n := mutantPrograms(c)
	w("### 7. Mutants found by a fixed-length soak")
	w("")
	w("Bugs nobody told the tool about: each mutant (`sim.Mutants`: a catalog driver that forgets one release, or a kernel "+
		"path that skips one put; `stress -mutant`) is on for a soak of %d programs on mainline, one worker, seeds 1..%d; the "+
		"unmutated baseline runs %d programs per seed. A run kills its mutant when it has a title the same method's baseline "+
		"of its seed has not (twice as long, to leave fewer titles to chance); *own finding* counts the kills whose new titles include the mutant's own finding (the title "+
		"TestForgottenReleases demonstrates): a kill by other titles alone may be the soak's divergence (the mutant changes "+
		"the signal, so the corpus and the programs after it), not the mutant. Times are to the first new title. The soak files a program's primary finding (sim.Primary) and "+
		"the later ones sim.Laters shows independent of it (the title comes first once its cause is removed, or a leak "+
		"shares no object with an earlier finding), so a mutant's teardown leak after an unrelated finding is filed. Uniform: the same count of uniform "+
		"random programs (bench's TestMutantUniform; every finding of a program counts, as in table 2's harness), the "+
		"same programs with and without the mutant.",
		n, mutantSeeds(c), 2*n)
	w("")
	w("| method | mutants killed | by their own finding | runs that kill | with the own finding | time to the killing title | programs to it |")
	w("|---|---|---|---|---|---|---|")
	for _, method := range []string{"stress", "uniform"} {
		k, tot, runs, kruns, exp := mutantCounts(r.mutants, method)
		var s, p []float64
		own := map[string]bool{}
		for _, m := range r.mutants {
			if m.Method == method && m.Killed {
				s, p = append(s, m.Seconds), append(p, float64(m.Programs))
			}
			if m.Method == method && m.Expected {
				own[m.Mutant] = true
			}
		}
		w("| %s | **%d / %d** | %d | %d / %d | %d | %s | %s |", method, k, tot, len(own), kruns, runs, exp, mr(s, "%.2f s"), mr(p, "%.0f"))
	}
	w("")
	w("| mutant | stress: kills (own finding) | uniform: kills (own finding) | first killing title (stress, else uniform) |")
	w("|---|---|---|---|")
	surv := map[string][]string{}
	var others []string
	for _, m := range mutantSet(c) {
		cells := map[string]string{}
		first := ""
		owns := 0
		for _, method := range []string{"stress", "uniform"} {
			k, e, n := 0, 0, 0
			for _, x := range r.mutants {
				if x.Method != method || x.Mutant != m.Name() {
					continue
				}
				n++
				if x.Killed {
					k++
					if first == "" {
						first = x.Title
					}
				}
				if x.Expected {
					e++
				}
			}
			if k == 0 {
				surv[method] = append(surv[method], fmt.Sprintf("`%s` (its finding: %s)", m.Name(), m.Want))
			}
			owns += e
			cells[method] = fmt.Sprintf("%d / %d (%d)", k, n, e)
		}
		if first == "" {
			first = "—"
		} else if owns == 0 {
			others = append(others, fmt.Sprintf("`%s` (its finding: %s)", m.Name(), m.Want))
		}
		w("| `%s` | %s | %s | %s |", m.Name(), cells["stress"], cells["uniform"], first)
	}
	w("")
	for _, method := range []string{"stress", "uniform"} {
		if len(surv[method]) == 0 {
			w("Survivors of %s: none.", method)
		} else {
			w("Survivors of %s (no run kills them; a to-do list for the generator): %s.", method, strings.Join(surv[method], "; "))
		}
		w("")
	}
	if len(others) > 0 {
		w("Killed by other titles only (no run of either method finds the mutant's own finding; often the unmutated kernel "+
			"already has that title): %s.", strings.Join(others, "; "))
		w("")
	}
}

// mutantCounts: mutants killed by some run of method, of the mutants
// run; mutated runs, those that kill, and those with the own finding.
func mutantCounts(rs []mutantRun, method string) (k, tot, runs, kruns, exp int) {
	seen, kill := map[string]bool{}, map[string]bool{}
	for _, r := range rs {
		if r.Method != method || r.Mutant == "" {
			continue
		}
		seen[r.Mutant] = true
		runs++
		if r.Killed {
			kill[r.Mutant] = true
			kruns++
		}
		if r.Expected {
			exp++
		}
	}
	return len(kill), len(seen), runs, kruns, exp
}

// mutantHeadline is the headline's clause on table 7 ("" without it).
func (r *report) mutantHeadline(c config) string {
	k, tot, _, _, _ := mutantCounts(r.mutants, "stress")
	if tot == 0 {
		return ""
	}
	uk, ut, _, _, _ := mutantCounts(r.mutants, "uniform")
	return fmt.Sprintf("; and a soak of %d programs kills **%d of %d injected bugs** (mutants: catalog drivers that forget a "+
		"release, kernel paths that skip a put; uniform random programs kill %d of %d; table 7)", mutantPrograms(c), k, tot, uk, ut)
}
