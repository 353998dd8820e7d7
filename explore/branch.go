package explore

import (
	"fmt"
	"hash/fnv"
	"runtime/debug"
	"sort"

	"dangle/prog"
	"dangle/sim"
	"dangle/sim/report"
)

// How a state is branched. Until the simulator can copy a kernel
// (Kernel.Clone), a state is reached by replaying its path from a fresh
// boot: correct, and O(depth) per transition. branch is the one function
// that does it; with Clone it becomes "clone the parent's kernel, step
// the letter" (and the parent keeps its kernel).

// worker is one goroutine's private simulator context: its own copy of
// the tree's files (prog memoizes each file's compiled tree on the File)
// and its own compile cache (not safe for concurrent use).
type worker struct {
	x     *explorer
	files []prog.File
	cache *sim.Cache
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
	key   uint64
	l     letter
	seen  bool // the key was visited before this round: nothing below is set
	step  []report.Finding
	end   []report.Finding
	known []string
	next  []letter
	// closeRefs are the path positions of the live handles the path's
	// program puts at its end, in order (see program)
	closeRefs []int32
}

// branch runs path (parent's path plus one letter) on a kernel of its own
// and returns the transition's result: the findings raised by the ops,
// the state key, and unless the key was visited before (visited), the
// state's enabled letters and the findings of the teardown.
func (w *worker) branch(path []letter, visited func(uint64) bool) (c *child, err error) {
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
	c.key = x.key(k, p, nPath)
	if visited(c.key) {
		c.seen = true
		return c, nil
	}
	c.next = x.enabled(k, p, nPath)
	// end of the path: put what the program still holds, then teardown
	c.closeRefs = liveClosers(k, p, nPath)
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
	put := putsOf(ops)
	for i := n - 1; i >= 0; i-- {
		if put[i] {
			continue
		}
		if d := closerOf(ops[i].Result()); d != nil {
			ops = append(ops, prog.NewOp(d.desc, "", prog.RefArg(d.key, ops[i])))
		}
	}
	return &prog.Program{Kernel: w.x.tree.Kernel, Files: w.files, Ops: ops}, n
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

// liveClosers returns the path positions of the handles p's closers put
// that are live (the others put NULL, a no-op the printed program leaves
// out), in closer order.
func liveClosers(k *sim.Kernel, p *prog.Program, nPath int) []int32 {
	var out []int32
	for i := nPath; i < len(p.Ops); i++ {
		j := p.Index(p.Ops[i].Args[0].Ref)
		if _, live := k.Handle(j); live {
			out = append(out, int32(j))
		}
	}
	return out
}

// key is the state's identity: the kernel's canonical state hash and
// the handles the program holds (type and value), which decide the
// enabled letters. Without hashing (-hash=false) it is unused.
func (x *explorer) key(k *sim.Kernel, p *prog.Program, nPath int) uint64 {
	put := putsOf(p.Ops[:nPath])
	var hs []string
	for i := 0; i < nPath; i++ {
		t := p.Ops[i].Result()
		if t == prog.TypeNone || put[i] {
			continue
		}
		if d, live := k.Handle(i); live {
			hs = append(hs, t.String()+" "+d)
		}
	}
	sort.Strings(hs)
	h := fnv.New64a()
	h.Write([]byte(k.Encode()))
	for _, s := range hs {
		h.Write([]byte{0})
		h.Write([]byte(s))
	}
	return h.Sum64()
}

// enabled returns the letters enabled in the state k reached after the
// first nPath ops of p, in alphabet order (handles in path order).
func (x *explorer) enabled(k *sim.Kernel, p *prog.Program, nPath int) []letter {
	a := x.alpha
	put := putsOf(p.Ops[:nPath])
	// an overlay the program has applied and not removed is not applied
	// again: the kernel refuses the duplicate nodes (-EINVAL) and what
	// its failed revert leaves is the documented "devicetree state
	// suspect" of of_overlay_fdt_apply(), not a lifetime bug
	applied := map[string]bool{}
	for i := 0; i < nPath; i++ {
		if f := p.Ops[i].Arg("blob"); f != nil {
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
			if p.Ops[i].Result() != want || put[i] {
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
