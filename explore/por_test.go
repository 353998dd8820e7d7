package explore

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Every pair of letters the alphabet declares independent commutes on
// every state of the corpus trees up to a depth (2 or 3 here, to keep
// make test short; DANGLE_POR_DEPTH=N checks all to N) on their buggy
// profiles and mainline: both orders stay enabled, reach the same state
// key and raise the same findings.
func TestIndependentCommutes(t *testing.T) {
	deep, _ := strconv.Atoi(os.Getenv("DANGLE_POR_DEPTH"))
	for _, tc := range []struct {
		tree, profile string
		depth         int
	}{
		{"b1-reg-expander.prog", "v6.8", 2}, {"b1-reg-expander.prog", "mainline", 3},
		{"b2-depopulate-remove.prog", "v6.8", 2}, {"b2-depopulate-remove.prog", "mainline", 3},
		{"b4-nvmem-wp-double-put.prog", "v6.1", 2}, {"b4-nvmem-wp-double-put.prog", "mainline", 2},
		{"dt-fixup-deadlock.prog", "mainline", 3},
	} {
		if deep > 0 {
			tc.depth = deep
		}
		tr := tree(t, tc.tree)
		x := &explorer{cfg: Config{Profile: tc.profile, Depth: 99}, tree: tr}
		var err error
		if x.alpha, err = newAlphabet(tr, tc.profile, DefaultOps); err != nil {
			t.Fatal(err)
		}
		w := newWorker(x)
		// run l1 then l2 after path: whether l2 was enabled, the key, the findings
		run := func(path []letter, l1, l2 letter) (bool, stateKey, string) {
			k, err := w.reach(append(path[:len(path):len(path)], l1))
			if err != nil {
				t.Fatal(err)
			}
			on := false
			for _, l := range x.enabled(k, k.Ops()) {
				on = on || l == l2
			}
			if _, err := k.StepOp(x.alpha.op(l2, k.Ops())); err != nil {
				t.Fatal(err)
			}
			var fs []string
			for _, f := range k.Log.Findings() {
				fs = append(fs, f.Title)
			}
			sort.Strings(fs)
			return on, w.key(k, k.Ops()), strings.Join(fs, "\n")
		}
		seen := map[stateKey]bool{}
		frontier, pairs := [][]letter{nil}, 0
		for d := 0; d <= tc.depth; d++ {
			var next [][]letter
			for _, p := range frontier {
				k, err := w.reach(p)
				if err != nil {
					t.Fatal(err)
				}
				if key := w.key(k, k.Ops()); seen[key] {
					continue
				} else {
					seen[key] = true
				}
				en := x.enabled(k, k.Ops())
				for _, l := range en {
					next = append(next, append(p[:len(p):len(p)], l))
				}
				for i, a := range en {
					for _, b := range en[i+1:] {
						if !x.alpha.independent(a, b) {
							continue
						}
						pairs++
						onB, k1, f1 := run(p, a, b)
						onA, k2, f2 := run(p, b, a)
						if !onA || !onB || k1 != k2 || f1 != f2 {
							t.Errorf("%s on %s: %s and %s after %s do not commute (enabled %v %v, same state %v, findings %q vs %q)",
								tc.tree, tc.profile, x.name(a), x.name(b), x.names(p), onB, onA, k1 == k2, f1, f2)
						}
					}
				}
			}
			frontier = next
		}
		if pairs == 0 {
			t.Errorf("%s on %s: no independent pair checked", tc.tree, tc.profile)
		}
	}
}

func (x *explorer) name(l letter) string {
	t := &x.alpha.templates[l.t]
	return fmt.Sprintf("%s(%s%s)", t.desc.Name, t.node, t.file)
}

func (x *explorer) names(p []letter) string {
	var s []string
	for _, l := range p {
		s = append(s, x.name(l))
	}
	return "[" + strings.Join(s, " ") + "]"
}

// summary is a result's titles with their program lengths and where
// they were raised, sorted: what POR must keep.
func summary(r *Result) string {
	var s []string
	for _, f := range r.Found {
		s = append(s, fmt.Sprintf("%s: %d ops, at end %v, cause %v", f.Finding.Title, f.Depth, f.AtEnd, f.Cause != ""))
	}
	sort.Strings(s)
	return strings.Join(append(s, r.Known...), "\n")
}

// With sleep sets the search reaches the same states and finds the same
// titles with programs of the same length, trying fewer transitions:
// B1, B2 and B4 on their buggy profiles and on mainline, and the
// dt-fixup deadlock on mainline.
func TestPORSameStates(t *testing.T) {
	fewer := 0
	for _, tc := range []struct {
		tree, profile string
		depth         int
	}{
		{"b1-reg-expander.prog", "v6.8", 3}, {"b1-reg-expander.prog", "mainline", 4},
		{"b2-depopulate-remove.prog", "v6.8", 3}, {"b2-depopulate-remove.prog", "mainline", 4},
		{"b4-nvmem-wp-double-put.prog", "v6.1", 3}, {"b4-nvmem-wp-double-put.prog", "mainline", 3},
		{"dt-fixup-deadlock.prog", "mainline", 3},
	} {
		cfg := Config{Tree: tree(t, tc.tree), TreeName: tc.tree, Profile: tc.profile, Depth: tc.depth, Workers: 2}
		full := run(t, cfg)
		cfg.POR = true
		por := run(t, cfg)
		if por.States != full.States || summary(por) != summary(full) {
			t.Errorf("%s on %s: with POR %d states, without %d; findings:\n%s\nvs\n%s", tc.tree, tc.profile,
				por.States, full.States, summary(por), summary(full))
		}
		if por.Transitions > full.Transitions {
			t.Errorf("%s on %s: POR tried more transitions: %d vs %d", tc.tree, tc.profile, por.Transitions, full.Transitions)
		}
		if por.Transitions < full.Transitions {
			fewer++
		}
		for _, f := range por.Found {
			replay(t, &f)
		}
	}
	if fewer == 0 {
		t.Errorf("POR pruned no transition")
	}
}
