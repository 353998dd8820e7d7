package explore

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"dangle/prog"
	"dangle/sim"
	"dangle/sim/profile"
	"dangle/sim/report"
)

// Config says what to explore.
type Config struct {
	// Tree is the program whose base tree and overlay files make the
	// alphabet (its ops are ignored); TreeName names it in messages.
	Tree     *prog.Program
	TreeName string
	// Profile overrides the tree program's kernel line when non-empty.
	Profile string
	// Depth is the longest path explored (ops, closers not counted).
	Depth int
	// Ops restricts the alphabet to these ops (nil: DefaultOps).
	Ops []string
	// Workers expand a level in parallel (< 1: one). The output does not
	// depend on it.
	Workers int
	// MaxStates bounds the distinct states kept (0: no bound).
	MaxStates int
	// Branch says how a state is branched (branch.go): by replaying
	// each transition's path from a fresh boot, or by copying the
	// state's kernel and running each letter on a copy. The result is
	// the same; BranchAuto, the default, copies from CopyDepth on.
	Branch Branch
	// POR prunes transitions by sleep sets over independent letters
	// (por.go): every state is still reached, each title found with a
	// program of the same length, with fewer transitions.
	POR bool
	// NoHash turns state hashing off: every path is its own state (for
	// measuring what hashing saves).
	NoHash bool
	// Strict counts known findings as findings.
	Strict bool
	// Timeout stops the search at the next round after it (0: none);
	// the statement then says how many states were explored.
	Timeout time.Duration
	// Progress receives progress lines (nil: none). They carry rates,
	// so they are not deterministic; everything else is.
	Progress io.Writer
}

// Branch is a way of branching a state (Config.Branch).
type Branch int

const (
	// BranchAuto replays the paths of states shallower than CopyDepth
	// and copies the kernels of deeper ones.
	BranchAuto Branch = iota
	// BranchReplay replays every transition's path from a fresh boot.
	BranchReplay
	// BranchCopy copies every state's kernel (Kernel.Snapshot, Clone,
	// StepOp).
	BranchCopy
)

// CopyDepth is the depth from which BranchAuto copies a state's kernel
// rather than replaying its path: on the corpus trees copying costs
// about what it saves up to depth 7 and about 10% less CPU at depth 8
// (BENCHMARKS.md, "Explore: branching by copying").
const CopyDepth = 7

// ParseBranch reads a Branch from its flag value: auto, replay, copy.
func ParseBranch(s string) (Branch, error) {
	for i, n := range []string{"auto", "replay", "copy"} {
		if s == n {
			return Branch(i), nil
		}
	}
	return 0, fmt.Errorf("branch %q: want auto, replay or copy", s)
}

// Found is the first finding of a title: the shortest path that raised it.
type Found struct {
	Finding report.Finding
	// Depth is the number of path ops; AtEnd says the finding came from
	// the end of the path (closers and teardown) rather than an op.
	Depth int
	AtEnd bool
	// Program replays it: dangle run gives the same title.
	Program *prog.Program
	// Cause explains a finding the program itself causes (it starts
	// with ProgramHeld), or is "".
	Cause string
	path  []letter
}

// ProgramHeld starts the Cause of a finding that needs a reference the
// program takes and still holds when the finding is raised (a node it
// took with of_node_get across the removal, a GPIO line it requested
// while the chip goes away): without that op the finding is gone. The
// kernel is reporting the caller's reference, as in
// corpus/node-ref-leak.prog ("of_node_get()/of_node_put() unbalanced"),
// not a bug of its own paths.
const ProgramHeld = "needs the program's own reference"

// getters are the ops whose result is a reference the program holds.
var getters = map[string]bool{"of_node_get": true, "gpiod_get": true, "get_device": true}

// Result is what a search found and how far it got.
type Result struct {
	Profile  string
	Alphabet string
	Found    []Found  // in discovery order (by depth, then path order)
	Known    []string // titles of known findings seen, sorted
	// States counts distinct states (paths without hashing), the boot
	// state included; Transitions counts the letters tried.
	States, Transitions int
	// Depth is the deepest level fully explored.
	Depth int
	// Stopped says why the search ended before Config.Depth: "" (it did
	// not), "max-states", "timeout". Exhausted: no new state was left.
	Stopped   string
	Exhausted bool
	Elapsed   time.Duration
}

// state is a node of the search: its path is its parent's plus l.
type state struct {
	parent *state
	l      letter
	depth  int
	next   []letter
	sleep  sleepSet // with Config.POR, the letters it need not try (por.go)
}

func (s *state) path() []letter {
	p := make([]letter, s.depth)
	for t := s; t.parent != nil; t = t.parent {
		p[t.depth-1] = t.l
	}
	return p
}

type explorer struct {
	cfg     Config
	tree    *prog.Program
	alpha   *alphabet
	visited map[stateKey]struct{}
	seen    map[string]bool // titles found
	// misuse holds the titles found so far only as program misuse
	// (Found.Cause): a path taking no reference of its own that raises
	// one is recorded too, as the kernel's own finding
	misuse  map[string]bool
	known   map[string]bool
	res     *Result
	workers []*worker
	// level maps the keys of the states of the level being built to
	// them (with Config.POR)
	level map[stateKey]*state
}

// roundSize is how many parents a round expands before the merge: fixed,
// so which children a worker may skip as already visited does not depend
// on the worker count (and the merge decides anyway).
const roundSize = 128

// Run explores cfg.Tree breadth first up to cfg.Depth.
func Run(cfg Config) (*Result, error) {
	start := time.Now()
	if cfg.Tree == nil {
		return nil, fmt.Errorf("explore: no tree")
	}
	if cfg.Ops == nil {
		cfg.Ops = DefaultOps
	}
	if cfg.Workers < 1 {
		cfg.Workers = 1
	}
	pstr := cfg.Profile
	if pstr == "" {
		pstr = cfg.Tree.Kernel
	}
	prof, err := profile.Parse(pstr)
	if err != nil {
		return nil, fmt.Errorf("%s: kernel: %v", cfg.TreeName, err)
	}
	a, err := newAlphabet(cfg.Tree, cfg.Profile, cfg.Ops)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", cfg.TreeName, err)
	}
	x := &explorer{cfg: cfg, tree: cfg.Tree, alpha: a, visited: map[stateKey]struct{}{}, level: map[stateKey]*state{},
		seen: map[string]bool{}, misuse: map[string]bool{}, known: map[string]bool{},
		res: &Result{Profile: prof.Name, Alphabet: a.String()}}
	for i := 0; i < cfg.Workers; i++ {
		x.workers = append(x.workers, newWorker(x))
	}
	root := &state{}
	c, err := x.workers[0].root(func(stateKey) bool { return false })
	if err != nil {
		return nil, err
	}
	x.merge(root, c, nil)
	frontier := []*state{root}
	last := time.Now()
	for d := 1; d <= cfg.Depth && x.res.Stopped == ""; d++ {
		var next []*state
		x.level = map[stateKey]*state{}
		fresh := 0
		for r := 0; r < len(frontier) && x.res.Stopped == ""; r += roundSize {
			round := frontier[r:min(r+roundSize, len(frontier))]
			kids, err := x.expand(round)
			if err != nil {
				return nil, err
			}
			for i, parent := range round {
				for _, c := range kids[i] {
					if x.res.Stopped != "" {
						break
					}
					s := &state{parent: parent, l: c.l, depth: d}
					if x.merge(s, c, parent) {
						fresh++
						if d < cfg.Depth {
							next = append(next, s)
						}
					}
				}
				parent.next = nil // expanded: its letters are not needed again
			}
			if cfg.Timeout > 0 && time.Since(start) > cfg.Timeout && x.res.Stopped == "" {
				x.res.Stopped = "timeout"
			}
			if cfg.Progress != nil && time.Since(last) > 2*time.Second {
				last = time.Now()
				x.progress(d, start, len(next))
			}
		}
		if x.res.Stopped == "" {
			x.res.Depth = d
		}
		if cfg.Progress != nil {
			x.progress(d, start, len(next))
		}
		frontier = next
		if fresh == 0 && x.res.Stopped == "" {
			x.res.Exhausted = true
			break
		}
	}
	for t := range x.known {
		x.res.Known = append(x.res.Known, t)
	}
	sort.Strings(x.res.Known)
	x.res.Elapsed = time.Since(start)
	return x.res, nil
}

func (x *explorer) progress(d int, start time.Time, frontier int) {
	el := time.Since(start).Seconds()
	fmt.Fprintf(x.cfg.Progress, "explore: depth %d: %d states, %d transitions, frontier %d, %.0f states/s, %.0f transitions/s\n",
		d, x.res.States, x.res.Transitions, frontier, float64(x.res.States)/el, float64(x.res.Transitions)/el)
}

// expand branches every letter of every parent of a round across the
// workers; kids[i] are parent i's children in letter order.
func (x *explorer) expand(round []*state) ([][]*child, error) {
	kids := make([][]*child, len(round))
	errs := make([]error, len(round))
	try := make([][]letter, len(round))
	sleeps := make([][]sleepSet, len(round))
	for i, p := range round {
		try[i] = p.next
		if x.cfg.POR {
			try[i], sleeps[i] = x.alpha.sleep(p.next, p.sleep)
		}
	}
	visited := func(k stateKey) bool {
		if x.cfg.NoHash {
			return false
		}
		_, ok := x.visited[k]
		return ok
	}
	var nextParent atomic.Int64
	var wg sync.WaitGroup
	for _, w := range x.workers {
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			for {
				i := int(nextParent.Add(1)) - 1
				if i >= len(round) {
					return
				}
				p := round[i]
				kids[i], errs[i] = w.expand(p.path(), try[i], visited)
				if errs[i] != nil {
					return
				}
			}
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for i := range kids {
		for j, c := range kids[i] {
			if sleeps[i] != nil {
				c.sleep = sleeps[i][j]
			}
		}
	}
	return kids, nil
}

// merge records transition c into state s (reached from parent; nil for
// the boot state) and reports whether s is a new state.
func (x *explorer) merge(s *state, c *child, parent *state) bool {
	if parent != nil {
		x.res.Transitions++
	}
	var path []letter
	for _, f := range c.step {
		x.note(f, s, &path, nil, false)
	}
	if !x.cfg.NoHash {
		if _, ok := x.visited[c.key]; ok {
			if t := x.level[c.key]; t != nil {
				// reached again in its own level: it sleeps only on
				// what every path to it sleeps on (por.go)
				t.sleep.merge(c.sleep)
			}
			return false
		}
	}
	if c.seen {
		panic("explore: a child skipped as visited is not in the visited set")
	}
	if x.cfg.MaxStates > 0 && x.res.States >= x.cfg.MaxStates {
		x.res.Stopped = "max-states"
		return false
	}
	if !x.cfg.NoHash {
		x.visited[c.key] = struct{}{}
		if x.cfg.POR {
			x.level[c.key] = s
		}
	}
	x.res.States++
	s.next, s.sleep = c.next, c.sleep
	for _, f := range c.end {
		x.note(f, s, &path, c.closeRefs, true)
	}
	for _, t := range c.known {
		x.known[t] = true
	}
	return true
}

// note records finding f raised on the path of s (*path, computed on
// first use) if its title is new, or was found only as program misuse
// and this path takes no reference of its own: a kernel bug must not
// hide behind the misuse that raised its title first.
func (x *explorer) note(f report.Finding, s *state, path *[]letter, closeRefs []int32, atEnd bool) {
	if x.seen[f.Title] && !x.misuse[f.Title] {
		return
	}
	if *path == nil {
		*path = s.path()
	}
	if x.seen[f.Title] && x.takesRefs(*path) {
		return
	}
	x.found(f, *path, closeRefs, atEnd)
}

// takesRefs reports whether a path has a reference-taking op.
func (x *explorer) takesRefs(path []letter) bool {
	for _, l := range path {
		if getters[x.alpha.templates[l.t].desc.Name] {
			return true
		}
	}
	return false
}

// found records a finding of a title with its program and its cause.
func (x *explorer) found(f report.Finding, path []letter, closeRefs []int32, atEnd bool) {
	x.res.Found = append(x.res.Found, Found{Finding: f, Depth: len(path), AtEnd: atEnd,
		Program: x.program(path, closeRefs, f.Title), path: path})
	fd := &x.res.Found[len(x.res.Found)-1]
	x.explain(fd)
	x.seen[f.Title], x.misuse[f.Title] = true, fd.Misuse()
}

// program is the replayable program of a path and its live closers,
// with the tree's files and the profile on its kernel line.
func (x *explorer) program(path []letter, closeRefs []int32, title string) *prog.Program {
	var ops []*prog.Op
	for _, l := range path {
		ops = append(ops, x.alpha.op(l, ops))
	}
	for _, r := range closeRefs {
		c := closerOf(ops[r].Result())
		ops = append(ops, prog.NewOp(c.desc, "", prog.RefArg(c.key, ops[r])))
	}
	files := make([]prog.File, len(x.tree.Files))
	for i, f := range x.tree.Files {
		files[i] = prog.File{Name: f.Name, Data: f.Data}
	}
	return &prog.Program{
		Header: []string{"# title: " + title, "# found by dangle explore on " + x.cfg.TreeName},
		Kernel: x.res.Profile, Ops: ops, Files: files,
	}
}

// explain sets the Cause of a finding that goes away when one of the
// program's reference-taking ops (and its users, the closer among them)
// is removed: the finding needs the program's own reference.
func (x *explorer) explain(f *Found) {
	for j, op := range f.Program.Ops {
		if !getters[op.Name()] {
			continue
		}
		p := x.program(f.path, nil, f.Finding.Title)
		p.Ops = f.Program.Clone().Ops
		prog.RemoveOp(p, j)
		r, err := sim.Run(p, sim.Config{Quiet: true, Strict: x.cfg.Strict})
		if err != nil || hasTitle(r.Findings, f.Finding.Title) {
			continue
		}
		f.Cause = fmt.Sprintf("%s, taken at op %d (%s): without that op the finding is gone; the kernel reports the caller's reference (as corpus/node-ref-leak.prog)",
			ProgramHeld, j+1, f.Program.OpString(j, make([]string, len(f.Program.Ops))))
		return
	}
}

func hasTitle(fs []report.Finding, title string) bool {
	for _, f := range fs {
		if f.Title == title {
			return true
		}
	}
	return false
}

// Misuse reports whether the finding needs the program's own reference
// (Cause is set): the kernel reporting the caller, not a bug of its own.
func (f *Found) Misuse() bool { return f.Cause != "" }

// KernelFindings counts the findings that are not program misuse.
func (r *Result) KernelFindings() int {
	n := 0
	for i := range r.Found {
		if !r.Found[i].Misuse() {
			n++
		}
	}
	return n
}

// Statement is the search's conclusion, one line per title found (a
// finding that needs the program's own reference as "misuse", with its
// cause), then the bound it holds within. The bound speaks of kernel
// findings: with only misuse found it says "no kernel finding", and
// "no finding" when there is none at all.
func (r *Result) Statement() string {
	var b strings.Builder
	for _, f := range r.Found {
		where := "after op " + fmt.Sprint(f.Finding.Op)
		if f.AtEnd {
			where = "at the end of the path"
		}
		what := "found"
		if f.Misuse() {
			what = "misuse"
		}
		fmt.Fprintf(&b, "%s: %s (%s), %d ops, %s\n", what, f.Finding.Title, f.Finding.Kind, f.Depth, where)
		if f.Cause != "" {
			fmt.Fprintf(&b, "  cause: %s\n", f.Cause)
		}
	}
	for _, t := range r.Known {
		fmt.Fprintf(&b, "known: %s (not counted; -strict counts it)\n", t)
	}
	n, held := len(r.Found), len(r.Found)-r.KernelFindings()
	var what string
	switch {
	case n == 0:
		what = "no finding"
	case held == n:
		what = "no kernel finding"
	default:
		what = fmt.Sprintf("%d finding title(s)", n-held)
	}
	counts := fmt.Sprintf("%d distinct states, %d transitions", r.States, r.Transitions)
	if held > 0 {
		counts = fmt.Sprintf("%d program-misuse title(s), each gone without the program's own reference; %s", held, counts)
	}
	switch r.Stopped {
	case "":
		fmt.Fprintf(&b, "%s up to depth %d on profile %s (%s", what, r.Depth, r.Profile, counts)
		if r.Exhausted {
			b.WriteString("; no new state left")
		}
		b.WriteString(")\n")
	default:
		bound := "the -max-states bound"
		if r.Stopped == "timeout" {
			bound = "the -timeout"
		}
		fmt.Fprintf(&b, "%s in the %d states explored on profile %s (%s stopped the search in depth %d; %s)\n",
			what, r.States, r.Profile, bound, r.Depth+1, counts)
	}
	return b.String()
}
