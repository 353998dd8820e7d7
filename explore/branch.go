package explore

import (
	"fmt"
	"runtime/debug"
	"slices"

	"dangle/prog"
	"dangle/sim"
	"dangle/sim/canon"
	"dangle/sim/report"
)

// How a state is branched. Replaying (BranchReplay), each transition
// replays its path from a fresh boot (a copy of the cache's booted
// snapshot) and runs the letter: on the corpus trees that is as cheap as
// copying the parent up to depth 7, because a kernel copy costs about as
// much as a boot and a handful of ops, and the state encoding dominates
// either way (BENCHMARKS.md, "Explore: branching by copying", with
// figures); BranchAuto so replays below CopyDepth and copies from it.
// Copying (BranchCopy), a worker instead builds the parent's kernel once (the
// path run with Kernel.StepOp) and runs each letter on a copy of it: a
// Snapshot of the parent when it has more than two letters (one costly
// snapshot, then cheaper copies), a Clone otherwise, the kernel itself
// for its last letter. Both give the same result (TestCopyMatchesReplay).

// worker is one goroutine's private simulator context: its own copy of
// the tree's files (prog memoizes each file's compiled tree on the File)
// and its own compile cache (not safe for concurrent use).
type worker struct {
	x     *explorer
	files []prog.File
	cache *sim.Cache
	buf   canon.Buf // the state key's text, reused (key)
}

func newWorker(x *explorer) *worker {
	files := make([]prog.File, len(x.tree.Files))
	for i, f := range x.tree.Files {
		files[i] = prog.File{Name: f.Name, Data: f.Data, Line: f.Line}
	}
	return &worker{x: x, files: files, cache: sim.NewCache()}
}

// child is what one transition produced, for the merge.
type child struct {
	key   stateKey
	l     letter
	seen  bool // the key was visited before this round: nothing below is set
	step  []report.Finding
	end   []report.Finding
	known []string
	next  []letter
	// closeRefs are the path positions of the live handles the path's
	// program puts at its end, in order (see program)
	closeRefs []int32
	// sleep is the child's sleep set (Config.POR)
	sleep sleepSet
}

// bugError turns a simulator panic (a bug in dangle) into an error
// carrying the program that reproduces it, as dangle run reports one.
func (w *worker) bugError(r any, path []letter) error {
	p, _ := w.program(path)
	return fmt.Errorf("simulator bug on this program: %v\n%s%s", r, p.Print(), debug.Stack())
}

// root is the boot state's transition: no op, its letters and the
// teardown of a kernel that ran nothing.
func (w *worker) root(visited func(stateKey) bool) (c *child, err error) {
	if !w.copies(0) {
		return w.branch(nil, visited)
	}
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, w.bugError(r, nil)
		}
	}()
	k, err := w.reach(nil)
	if err != nil {
		return nil, err
	}
	return w.finish(k, visited)
}

// expand returns the transitions of the letters next from the state
// reached by base, in letter order.
func (w *worker) expand(base, next []letter, visited func(stateKey) bool) (kids []*child, err error) {
	x := w.x
	kids = make([]*child, 0, len(next))
	if !w.copies(len(base)) {
		for _, l := range next {
			c, err := w.branch(append(base[:len(base):len(base)], l), visited)
			if err != nil {
				return nil, err
			}
			c.l = l
			kids = append(kids, c)
		}
		return kids, nil
	}
	cur := base
	defer func() {
		if r := recover(); r != nil {
			kids, err = nil, w.bugError(r, cur)
		}
	}()
	parent, err := w.reach(base)
	if err != nil {
		return nil, err
	}
	var snap *sim.Snapshot
	if len(next) > 2 {
		snap = parent.Snapshot()
	}
	for i, l := range next {
		cur = append(base[:len(base):len(base)], l)
		var k *sim.Kernel
		switch {
		case i == len(next)-1:
			k = parent
		case snap != nil:
			k = snap.Kernel()
		default:
			k = parent.Clone()
		}
		if _, err := k.StepOp(x.alpha.op(l, k.Ops())); err != nil {
			return nil, err
		}
		c, err := w.finish(k, visited)
		if err != nil {
			return nil, err
		}
		c.l = l
		kids = append(kids, c)
	}
	return kids, nil
}

// copies reports whether a state at depth d is branched by copying its
// kernel (Config.Branch).
func (w *worker) copies(d int) bool {
	switch w.x.cfg.Branch {
	case BranchReplay:
		return false
	case BranchCopy:
		return true
	}
	return d >= CopyDepth
}

// reach boots a kernel on the tree and runs path on it.
func (w *worker) reach(path []letter) (*sim.Kernel, error) {
	x := w.x
	k, err := sim.New(&prog.Program{Kernel: x.tree.Kernel, Files: w.files},
		sim.Config{Profile: x.cfg.Profile, Quiet: true, Strict: x.cfg.Strict, Cache: w.cache})
	if err != nil {
		return nil, err
	}
	for _, l := range path {
		if _, err := k.StepOp(x.alpha.op(l, k.Ops())); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// finish is the transition into the state k is in (every op of k's
// program is a path op): its findings and key, and unless the key was
// visited before, its enabled letters and the end of the path (the
// closers, then teardown: k is used up).
func (w *worker) finish(k *sim.Kernel, visited func(stateKey) bool) (*child, error) {
	x := w.x
	ops := k.Ops()
	nPath := len(ops)
	c := &child{step: append([]report.Finding(nil), k.Log.Findings()...)}
	c.key = w.key(k, ops)
	if visited(c.key) {
		c.seen = true
		return c, nil
	}
	c.next = x.enabled(k, ops)
	// end of the path: put what the program still holds, then teardown
	closeOps := closeOps(ops)
	c.closeRefs = liveClosers(k, closeOps, nPath)
	for _, op := range closeOps {
		if _, err := k.StepOp(op); err != nil {
			return nil, err
		}
	}
	k.Teardown()
	c.end = k.Log.Findings()[len(c.step):]
	for _, f := range k.Log.Known() {
		c.known = append(c.known, f.Title)
	}
	return c, nil
}

// branch runs path (parent's path plus one letter) on a kernel of its own
// replayed from a fresh boot (see copies) and returns the
// transition's result: the findings raised by the ops, the state key,
// and unless the key was visited before (visited), the state's enabled
// letters and the findings of the teardown.
func (w *worker) branch(path []letter, visited func(stateKey) bool) (c *child, err error) {
	x := w.x
	p, nPath := w.program(path)
	defer func() {
		// a simulator panic is a bug in dangle: stop with the program
		// that reproduces it (dangle run reports it the same way)
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("simulator bug on this program: %v\n%s%s", r, p.Print(), debug.Stack())
		}
	}()
	k, err := sim.New(p, sim.Config{Profile: x.cfg.Profile, Quiet: true, Strict: x.cfg.Strict, Cache: w.cache})
	if err != nil {
		return nil, err
	}
	for i := 0; i < nPath; i++ {
		k.Step(i)
	}
	c = &child{step: append([]report.Finding(nil), k.Log.Findings()...)}
	c.key = w.key(k, p.Ops[:nPath])
	if visited(c.key) {
		c.seen = true
		return c, nil
	}
	c.next = x.enabled(k, p.Ops[:nPath])
	// end of the path: put what the program still holds, then teardown
	c.closeRefs = liveClosers(k, p.Ops[nPath:], nPath)
	for i := nPath; i < len(p.Ops); i++ {
		k.Step(i)
	}
	k.Teardown()
	c.end = k.Log.Findings()[len(c.step):]
	for _, f := range k.Log.Known() {
		c.known = append(c.known, f.Title)
	}
	return c, nil
}

// program builds the program of path followed by its closers: an
// of_node_put, gpiod_put or put_device for each handle the path took and
// did not put, last taken first. It returns the program and the number
// of path ops.
func (w *worker) program(path []letter) (*prog.Program, int) {
	a := w.x.alpha
	ops := make([]*prog.Op, 0, len(path)+2)
	for _, l := range path {
		ops = append(ops, a.op(l, ops))
	}
	n := len(ops)
	ops = append(ops, closeOps(ops)...)
	return &prog.Program{Kernel: w.x.tree.Kernel, Files: w.files, Ops: ops}, n
}

// closeOps returns the closers of a path's ops: an of_node_put,
// gpiod_put or put_device for each handle the path took and did not
// put, last taken first.
func closeOps(ops []*prog.Op) []*prog.Op {
	var out []*prog.Op
	put := putsOf(ops)
	for i := len(ops) - 1; i >= 0; i-- {
		if put[i] {
			continue
		}
		if d := closerOf(ops[i].Result()); d != nil {
			out = append(out, prog.NewOp(d.desc, "", prog.RefArg(d.key, ops[i])))
		}
	}
	return out
}

type closer struct {
	desc *prog.OpDesc
	key  string
}

var closers = map[prog.Type]closer{
	prog.TypeNode:   {prog.Lookup("of_node_put"), "node"},
	prog.TypeDesc:   {prog.Lookup("gpiod_put"), "desc"},
	prog.TypeDevice: {prog.Lookup("put_device"), "dev"},
}

// closerOf returns the put that releases a handle of type t, or nil.
func closerOf(t prog.Type) *closer {
	if c, ok := closers[t]; ok {
		return &c
	}
	return nil
}

// putsOf marks the ops of a path whose handle a later op of the path put.
func putsOf(ops []*prog.Op) []bool {
	put := make([]bool, len(ops))
	for _, op := range ops {
		if c := closerOf(opPutType(op)); c != nil && op.Desc == c.desc {
			if r := op.Arg(c.key); r != nil && r.Ref != nil {
				for j, o := range ops {
					if o == r.Ref {
						put[j] = true
					}
				}
			}
		}
	}
	return put
}

// opPutType is the handle type op puts, if it is a closer op.
func opPutType(op *prog.Op) prog.Type {
	for t, c := range closers {
		if op.Desc == c.desc {
			return t
		}
	}
	return prog.TypeNone
}

// liveClosers returns the path positions of the handles the closers
// put that are live (the others put NULL, a no-op the printed program
// leaves out), in closer order; the path is k's first nPath ops.
func liveClosers(k *sim.Kernel, closers []*prog.Op, nPath int) []int32 {
	var out []int32
	for _, c := range closers {
		j := slices.Index(k.Ops()[:nPath], c.Args[0].Ref)
		if _, live := k.Handle(j); live {
			out = append(out, int32(j))
		}
	}
	return out
}

// stateKey identifies a state: the first 128 bits of the SHA-256 of
// its canonical text (sim.Kernel.StateKey) and its live handles.
type stateKey [16]byte

// key is the state's identity: the kernel's canonical state (the text
// of Kernel.Encode, written by AppendState into the worker's reused
// buffer) and the handles the program holds (type and value, each after
// a NUL, sorted), which decide the enabled letters, hashed together.
// Without hashing (-hash=false) it is unused and not computed.
func (w *worker) key(k *sim.Kernel, ops []*prog.Op) stateKey {
	if w.x.cfg.NoHash {
		return stateKey{}
	}
	b := &w.buf
	b.Reset()
	k.AppendState(b)
	put := putsOf(ops)
	s := b.Begin()
	for i := range ops {
		t := ops[i].Result()
		if t == prog.TypeNone || put[i] {
			continue
		}
		mark := len(b.B)
		b.Byte(0).Str(t.String()).Byte(' ')
		if !k.AppendHandle(b, i) {
			b.B = b.B[:mark]
			continue
		}
		b.Item(s)
	}
	b.End(s, "", "", false)
	sum := b.Key()
	return stateKey(sum[:16])
}

// enabled returns the letters enabled in the state k reached after the
// path ops, in alphabet order (handles in path order).
func (x *explorer) enabled(k *sim.Kernel, ops []*prog.Op) []letter {
	a := x.alpha
	nPath := len(ops)
	put := putsOf(ops)
	// an overlay the program has applied and not removed is not applied
	// again: the kernel refuses the duplicate nodes (-EINVAL) and what
	// its failed revert leaves is the documented "devicetree state
	// suspect" of of_overlay_fdt_apply(), not a lifetime bug
	applied := map[string]bool{}
	for i := 0; i < nPath; i++ {
		if f := ops[i].Arg("blob"); f != nil {
			if _, live := k.Handle(i); live {
				applied[f.File] = true
			}
		}
	}
	var out []letter
	for ti := range a.templates {
		t := &a.templates[ti]
		if t.refKey == "" {
			if x.staticEnabled(k, t) && !(t.file != "" && applied[t.file]) {
				out = append(out, letter{t: int32(ti), ref: -1})
			}
			continue
		}
		want := t.desc.Arg(t.refKey).Type
		for i := 0; i < nPath; i++ {
			if ops[i].Result() != want || put[i] {
				continue
			}
			if _, live := k.Handle(i); live {
				out = append(out, letter{t: int32(ti), ref: int32(i)})
			}
		}
	}
	return out
}

func (x *explorer) staticEnabled(k *sim.Kernel, t *template) bool {
	if t.node != "" {
		np := k.OF.FindNodeByPath(t.node)
		if np == nil || t.dev && k.Core.DeviceByNode(np) == nil {
			return false
		}
	}
	if t.wq != "" {
		wq := k.Core.DeviceLinkWQ
		if t.wq == "events" {
			wq = k.Core.SystemWQ
		}
		if len(wq.Pending()) < t.item {
			return false
		}
	}
	return true
}
