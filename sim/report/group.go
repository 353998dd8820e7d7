package report

// Group merges findings by title in first-seen order: a second finding
// with a title already seen adds its objects and holders to the first
// one. The end-of-run oracles and the per-op invariant check group what
// they find this way, and so does the soak when it aggregates runs. The
// zero value is ready.
type Group struct {
	index map[string]int
	list  []Finding
}

// Add merges f into the group.
func (g *Group) Add(f Finding) {
	if g.index == nil {
		g.index = map[string]int{}
	}
	if i, ok := g.index[f.Title]; ok {
		m := &g.list[i]
		m.Objects = append(m.Objects, f.Objects...)
		m.Holders = append(m.Holders, f.Holders...)
		m.Log = append(m.Log, f.Log...)
		return
	}
	g.index[f.Title] = len(g.list)
	f.Objects = append([]string(nil), f.Objects...)
	f.Holders = append([]string(nil), f.Holders...)
	g.list = append(g.list, f)
}

// Findings returns the merged findings, in the order their titles were
// first added.
func (g *Group) Findings() []Finding { return g.list }
