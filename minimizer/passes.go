package minimizer

import (
	"slices"

	"dangle/prog"
)

// pass is one named program-aware reduction.
type pass struct {
	name string
	run  func(s *session)
}

// passes run in this order, cheapest and biggest cuts first, as
// syzkaller's prog/minimization.go orders its passes: the ops (whole
// suffix, unrelated groups, then one by one), then the parts of the
// remaining ops, then the device trees top-down, then cosmetics.
var passes = []pass{
	{"after-report", passAfterReport},
	{"unrelated", passUnrelated},
	{"teardown", passTeardown},
	{"ops", passOps},
	{"drop-overlay", passDropOverlays},
	{"merge-applies", passMergeApplies},
	{"sched", passSched},
	{"fail", passFail},
	{"work", passWork},
	{"files", passFiles},
	{"merge-frags", passMergeFragments},
	{"merge-explicit", passMergeExplicit},
	{"overlay", passOverlays},
	{"hoist", passHoist},
	{"base", passBase},
	{"simplify", passSimplify},
}

// Passes returns the names of the passes in the order they run.
func Passes() []string {
	out := make([]string, len(passes))
	for i, p := range passes {
		out[i] = p.name
	}
	return out
}

// passAfterReport drops every op after the one during which the finding
// was raised: they cannot have caused it. Findings raised at boot or in
// the teardown say nothing about which ops matter.
func passAfterReport(s *session) {
	n := len(s.cur.Ops)
	if s.op <= 0 || s.op >= n {
		return
	}
	drop := make([]bool, n)
	for i := s.op; i < n; i++ {
		drop[i] = true
	}
	s.try(removeOps(s.cur, drop))
}

// passUnrelated groups the ops by data flow — results used, the same
// node path, the same overlay file — and removes whole groups with
// ddmin, the group holding the reporting op excepted. A get/put pair on
// a node nothing else touches goes in one step.
func passUnrelated(s *session) {
	p := s.cur
	comp := components(p)
	keepComp := -1
	if s.op > 0 && s.op <= len(p.Ops) {
		keepComp = comp[s.op-1]
	}
	var groups []int
	seen := map[int]bool{}
	for _, c := range comp {
		if c != keepComp && !seen[c] {
			seen[c] = true
			groups = append(groups, c)
		}
	}
	if len(groups) == 0 {
		return
	}
	ddmin(s, groups, func(keep []int) *prog.Program {
		kept := map[int]bool{keepComp: true}
		for _, g := range keep {
			kept[g] = true
		}
		drop := make([]bool, len(p.Ops))
		for i, c := range comp {
			drop[i] = !kept[c]
		}
		return removeOps(p, drop)
	})
}

// components numbers the connected components of the ops' data-flow
// graph: op i and op j are joined when one uses the other's result, or
// both name the same node path or archive file.
func components(p *prog.Program) []int {
	parent := make([]int, len(p.Ops))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) { parent[find(a)] = find(b) }
	byValue := map[string]int{}
	for i, op := range p.Ops {
		for _, j := range deps(p, i) {
			union(i, j)
		}
		for _, k := range append(nodePaths(op), fileNames(op)...) {
			if j, ok := byValue[k]; ok {
				union(i, j)
			} else {
				byValue[k] = i
			}
		}
	}
	out := make([]int, len(p.Ops))
	for i := range out {
		out[i] = find(i)
	}
	return out
}

// passOps is ddmin over the ops; dropping an op drops its users too.
func passOps(s *session) {
	p := s.cur
	idx := make([]int, len(p.Ops))
	for i := range idx {
		idx[i] = i
	}
	ddmin(s, idx, func(keep []int) *prog.Program {
		drop := make([]bool, len(p.Ops))
		for i := range drop {
			drop[i] = true
		}
		for _, i := range keep {
			drop[i] = false
		}
		return removeOps(p, drop)
	})
}

// passSched shrinks sched= lists: the whole argument first, then ddmin
// over its points, then each point's ":N" limit (dropped, or lowered to
// 1).
func passSched(s *session) {
	for i := range s.cur.Ops {
		for _, key := range argKeys(s.cur.Ops[i], prog.KindSched) {
			if s.try(withoutArg(s.cur, i, key)) {
				continue
			}
			p := s.cur
			ddmin(s, getArg(p, i, key).Sched, func(points []prog.SchedItem) *prog.Program {
				return withArg(p, i, prog.SchedArg(key, points...))
			})
			points := getArg(s.cur, i, key).Sched
			for j, pt := range points {
				if pt.Count == 0 {
					continue
				}
				for _, n := range []int{0, 1} {
					if n == pt.Count {
						continue
					}
					c := slices.Clone(points)
					c[j].Count = n
					if s.try(withArg(s.cur, i, prog.SchedArg(key, c...))) {
						points = c
						break
					}
				}
			}
		}
	}
}

// passWork simplifies the ops that run deferred work: run_work's item
// number (dropped, meaning the oldest, or lowered to 1) and an explicit
// default workqueue.
func passWork(s *session) {
	for i, op := range s.cur.Ops {
		switch op.Name() {
		case "run_work":
			if a := getArg(s.cur, i, "item"); a != nil && !s.try(withoutArg(s.cur, i, "item")) && a.Int != 1 {
				s.try(withArg(s.cur, i, prog.IntArg("item", 1)))
			}
			fallthrough
		case "flush_workqueue":
			if a := getArg(s.cur, i, "wq"); a != nil && a.Int == 0 { // prog.Workqueues[0]
				s.try(withoutArg(s.cur, i, "wq"))
			}
		}
	}
}

// passFiles drops archive files no op names (base.dts excepted: it is
// used by being there; passBase tries without it).
func passFiles(s *session) {
	used := map[string]bool{}
	for _, op := range s.cur.Ops {
		for _, f := range fileNames(op) {
			used[f] = true
		}
	}
	for _, f := range s.cur.Files {
		if used[f.Name] || f.Name == prog.DefaultBaseName || f.Name == prog.DefaultBlobBaseName {
			continue
		}
		s.try(withoutFile(s.cur, f.Name))
	}
}

// withoutFile returns a copy of p without the archive file called name.
func withoutFile(p *prog.Program, name string) *prog.Program {
	c := p.Clone()
	c.Files = c.Files[:0]
	for _, f := range p.Files {
		if f.Name != name {
			c.Files = append(c.Files, f)
		}
	}
	return c
}

// withFile returns a copy of p with the data of file name replaced.
func withFile(p *prog.Program, name string, data []byte) *prog.Program {
	c := p.Clone()
	for i := range c.Files {
		if c.Files[i].Name == name {
			c.Files[i].Data = data
		}
	}
	return c
}
