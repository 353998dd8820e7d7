package crash

import (
	"fmt"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"dangle/crash/draw"
	"dangle/prog"
	"dangle/sim"
	"dangle/sim/kobj"
	"dangle/sim/report"
)

// Traced is one replay of a program with the lifetime trace on: the
// result, the kernel after teardown (its registry holds every object's
// timeline), the finding it is about and the device graph at the moment
// that finding was raised.
type Traced struct {
	Prog    *prog.Program
	Result  *sim.Result
	Kernel  *sim.Kernel
	Finding *report.Finding // nil: the run raised nothing
	Graph   *draw.Graph
	// Drivers are the drivers bound, at the failure, to the devices the
	// finding names (or to their parents), and those bound to a device
	// an op acted on (node=), sorted.
	Drivers []string
}

// GraphMax bounds the device graph: past it, the objects nearest the
// finding's (a real board has hundreds of devices).
const GraphMax = 60

// Trace replays p under cfg (Trace on, log kept) and returns what the
// pictures and the report need about the finding titled title (the first
// finding when title is ""). The device graph is taken right after the
// op that raised the finding, or before teardown for a finding raised
// at teardown.
func Trace(p *prog.Program, cfg sim.Config, title string) (t *Traced, err error) {
	cfg.Trace, cfg.Quiet, cfg.Stream = true, false, nil
	first, err := sim.Run(p, cfg)
	if err != nil {
		return nil, err
	}
	at := -1 // the op after which to take the graph (-1: before teardown)
	var want *report.Finding
	if title == "" && len(first.Findings) > 0 {
		want = &first.Findings[0]
	} else if title != "" {
		want = findingTitled(first, title)
	}
	if want != nil && want.Op > 0 {
		at = want.Op
	}
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, &sim.Bug{Value: r, Stack: string(debug.Stack())}
		}
	}()
	k, err := sim.New(p, cfg)
	if err != nil {
		return nil, err
	}
	t = &Traced{Prog: p, Kernel: k}
	k.Log.Harness("kernel %s", k.Prof.Name) // as Kernel.RunOps
	names := p.Names()
	acted := map[string]bool{}
	for i := range p.Ops {
		// the drivers of the devices the op acts on (node=…), before it
		for _, f := range strings.Fields(p.OpString(i, names)) {
			if path, ok := strings.CutPrefix(f, "node="); ok && strings.HasPrefix(path, "/") {
				if np := k.OF.FindNodeByPath(path); np != nil {
					if d := k.Core.DeviceByNode(np); d != nil && d.Driver != nil {
						acted[d.Driver.Name] = true
					}
				}
			}
		}
		k.Step(i)
		if i+1 == at {
			t.snapshot(want)
		}
	}
	if t.Graph == nil {
		t.snapshot(want)
	}
	for d := range acted {
		if !slices.Contains(t.Drivers, d) {
			t.Drivers = append(t.Drivers, d)
		}
	}
	slices.Sort(t.Drivers)
	k.Teardown()
	t.Result = &sim.Result{Profile: k.Prof.Name, Log: k.Log.String(), Findings: k.Log.Findings(), Known: k.Log.Known(), Trace: k.TraceReport()}
	if title == "" && len(t.Result.Findings) > 0 {
		t.Finding = &t.Result.Findings[0]
	} else if title != "" {
		t.Finding = findingTitled(t.Result, title)
	}
	return t, nil
}

// snapshot takes the device graph now, marking what the finding f (from
// the first run; nil: none) names while the objects are in the state the
// finding saw.
func (t *Traced) snapshot(f *report.Finding) {
	t.Graph = graphOf(t.Kernel)
	if f == nil {
		t.Graph.Title = "devices, links and nodes before teardown"
		return
	}
	t.Graph.Title = fmt.Sprintf("%s — devices, links and nodes after %s", f.Title, report.OpName(f.Op))
	if f.Op <= 0 {
		t.Graph.Title = f.Title + " — devices, links and nodes before teardown"
	}
	var objs []*kobj.Object
	for _, s := range f.Objects {
		objs = append(objs, t.lookup(s)...)
	}
	markCulprits(t.Graph, objs)
	t.holdEdges(f, objs)
	t.Graph = t.Graph.Around(GraphMax)
	for _, h := range f.Holders {
		objs = append(objs, t.lookup(holderName(h))...)
	}
	t.Drivers = driversOf(t.Kernel, objs)
}

// involved returns the objects the finding names (its objects, then the
// objects behind its holders), in that order without repeats; with none
// found, the objects an op touched during the finding's op.
func (t *Traced) involved() []*kobj.Object {
	f := t.Finding
	var out []*kobj.Object
	seen := map[*kobj.Object]bool{}
	add := func(os []*kobj.Object) {
		for _, o := range os {
			if !seen[o] {
				seen[o] = true
				out = append(out, o)
			}
		}
	}
	if f == nil {
		return t.moved(40)
	}
	for _, s := range f.Objects {
		add(t.lookup(s))
	}
	for _, h := range f.Holders {
		add(t.lookup(holderName(h)))
	}
	if len(out) == 0 {
		for _, o := range t.Kernel.Reg.Objects() {
			for _, e := range o.Events() {
				if e.Op == f.Op && f.Op != 0 {
					add([]*kobj.Object{o})
					break
				}
			}
			if len(out) >= 12 {
				break
			}
		}
	}
	return out
}

// moved returns up to n objects that an op or the teardown got, put or
// freed, in allocation order; when there are more, those with the most
// events first (an object only allocated and freed with its overlay says
// little), kept in allocation order.
func (t *Traced) moved(n int) []*kobj.Object {
	var all []*kobj.Object
	for _, o := range t.Kernel.Reg.Objects() {
		for _, e := range o.Events() {
			if e.Op != 0 {
				all = append(all, o)
				break
			}
		}
	}
	if len(all) <= n {
		return all
	}
	// the n-th largest event count is the cut; ties in allocation order
	counts := make([]int, len(all))
	for i, o := range all {
		counts[i] = len(o.Events())
	}
	sorted := slices.Clone(counts)
	slices.Sort(sorted)
	cut := sorted[len(sorted)-n]
	var out []*kobj.Object
	for i, o := range all {
		if counts[i] > cut && len(out) < n {
			out = append(out, o)
		}
	}
	for i, o := range all {
		if counts[i] == cut && len(out) < n {
			out = append(out, o)
		}
	}
	slices.SortStableFunc(out, func(a, b *kobj.Object) int { return a.ID - b.ID })
	return out
}

// lookup finds the objects a finding's text names: the text up to " (",
// else up to ": ", else its first word before ':' ("gpiochip1:3: …" is
// a line of gpiochip1); type words such as "device " are dropped.
func (t *Traced) lookup(s string) []*kobj.Object {
	cands := []string{s}
	if i := strings.LastIndex(s, " ("); i > 0 {
		cands = append(cands, s[:i]) // "overlay changeset (b.dtso) (freed in …)"
	}
	name, _, _ := strings.Cut(s, " (")
	cands = append(cands, name)
	if a, _, ok := strings.Cut(name, ": "); ok {
		cands = append(cands, a)
	}
	if w, rest, ok := strings.Cut(name, " "); ok && (w == "device" || w == "node" || w == "nvmem") {
		cands = append(cands, rest)
	}
	if a, _, ok := strings.Cut(name, ":"); ok {
		cands = append(cands, a)
	}
	for _, c := range cands {
		var out []*kobj.Object
		for _, o := range t.Kernel.Reg.Objects() {
			if o.Name == c {
				out = append(out, o)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// holderName is the holder part of a finding's holder line ("device
// regulator.1 (taken in regulator_register, op 1)" -> "device
// regulator.1").
func holderName(h string) string {
	if n, _, ok := strings.Cut(h, " (taken in "); ok {
		return n
	}
	n, _, _ := strings.Cut(h, " (")
	return n
}

// holderTaken parses "(taken in F, op N" out of a holder line.
func holderTaken(h string) (fn string, op string, ok bool) {
	_, rest, ok := strings.Cut(h, "(taken in ")
	if !ok {
		return "", "", false
	}
	fn, rest, _ = strings.Cut(rest, ", ")
	op, _, _ = strings.Cut(rest, ";")
	op = strings.TrimSuffix(op, ")")
	return fn, op, true
}

// column maps an event's op to a timeline column: 0 boot, 1..n the ops,
// n+1 teardown.
func column(op, nops int) int {
	switch {
	case op > 0:
		return op
	case op == report.Teardown:
		return nops + 1
	}
	return 0
}

// Timeline builds the lifetime picture of the objects involved.
func (t *Traced) Timeline() *draw.Timeline {
	p := t.Prog
	names := p.Names()
	tl := &draw.Timeline{Title: "lifetime timeline", Finding: -1}
	tl.Cols = append(tl.Cols, "boot")
	for i := range p.Ops {
		tl.Cols = append(tl.Cols, fmt.Sprintf("op %d %s", i+1, p.OpString(i, names)))
	}
	tl.Cols = append(tl.Cols, "teardown")
	f := t.Finding
	objs := t.involved()
	if f != nil {
		tl.Title = f.Title + " (kernel " + t.Result.Profile + ")"
		tl.Finding = column(f.Op, len(p.Ops))
	} else {
		tl.Title = fmt.Sprintf("lifetime timeline, no finding (kernel %s): %d objects the ops moved", t.Result.Profile, len(objs))
	}
	culprit := map[*kobj.Object]bool{}
	if f != nil {
		for _, s := range f.Objects {
			for _, o := range t.lookup(s) {
				culprit[o] = true
			}
		}
	}
	fn := titleFunc(f)
	for _, o := range objs {
		l := draw.Lane{Label: o.Type + " " + o.Name, Culprit: culprit[o]}
		for _, e := range o.Events() {
			ev := draw.Event{Col: column(e.Op, len(p.Ops)), What: e.What, Func: e.Func, Holder: e.Holder, After: e.After}
			ev.Culprit = culprit[o] && isCulprit(f, e, fn)
			l.Events = append(l.Events, ev)
		}
		if f != nil && f.Kind == report.UseAfterFree && culprit[o] {
			l.Events = append(l.Events, draw.Event{Col: tl.Finding, What: "uaf", Func: fn, Culprit: true})
		}
		if culprit[o] {
			l.Note = laneNote(f)
		}
		tl.Lanes = append(tl.Lanes, l)
	}
	return tl
}

// titleFunc is the kernel function a title names ("… in gpiod_put",
// "… from devm_gpiod_release").
func titleFunc(f *report.Finding) string {
	if f == nil {
		return ""
	}
	for _, sep := range []string{" in ", " from "} {
		if i := strings.LastIndex(f.Title, sep); i >= 0 {
			w, _, _ := strings.Cut(f.Title[i+len(sep):], " ")
			return w
		}
	}
	// "double gpiod_put": the function is the last word
	if w := f.Title[strings.LastIndex(f.Title, " ")+1:]; strings.Contains(w, "_") {
		return w
	}
	return ""
}

// isCulprit: an event of a culprit object that the finding is about: a
// get by a holder the finding names, taken in the function it names; for
// an over-put, the puts at the finding's op; or an event at the
// finding's op in the function of the title.
func isCulprit(f *report.Finding, e kobj.Event, fn string) bool {
	if f == nil {
		return false
	}
	if e.What == "get" || e.What == "alloc" {
		for _, h := range f.Holders {
			if tf, _, ok := holderTaken(h); ok && holderName(h) == e.Holder && tf == e.Func {
				return true
			}
		}
	}
	if (f.Kind == report.Ownership || f.Kind == report.RefcountUnderflow) && e.Op == f.Op && e.What == "put" {
		return true // the put the finding is about, whatever function did it
	}
	return e.Op == f.Op && fn != "" && e.Func == fn && (e.What == "put" || e.What == "get")
}

// laneNote is the line under a culprit lane.
func laneNote(f *report.Finding) string {
	if len(f.Holders) > 0 {
		hs := make([]string, len(f.Holders))
		for i, h := range f.Holders {
			hs[i] = h
		}
		return "held by " + strings.Join(hs, "; ")
	}
	if len(f.Objects) > 0 {
		return f.Objects[0]
	}
	return f.Title
}

// holdEdges adds, for each holder the finding names that is itself an
// object in the graph, an edge to the objects it holds.
func (t *Traced) holdEdges(f *report.Finding, objs []*kobj.Object) {
	for _, h := range f.Holders {
		for _, ho := range t.lookup(holderName(h)) {
			hid := "o" + strconv.Itoa(ho.ID)
			ensureObject(t.Graph, ho)
			for _, o := range objs {
				oid := "o" + strconv.Itoa(o.ID)
				if oid == hid {
					continue
				}
				label := "holds a reference"
				if fn, op, ok := holderTaken(h); ok {
					label += " (" + fn + ", " + op + ")"
				}
				t.Graph.Edges = append(t.Graph.Edges, draw.GraphEdge{From: hid, To: oid, Kind: "holds", Label: label})
			}
		}
	}
}
