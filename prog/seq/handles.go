package seq

import (
	"slices"

	"dangle/prog"
	"dangle/prog/gen"
)

// Choosing which handle an op's reference argument names: a live one by
// weight, a stale or literal one rarely, or a producer inserted first
// (split from ops.go, which builds the ops).

// liveWeight is the weight of each live handle against 1 for "a stale
// overlay id or a literal one" (a removed id: the kernel looks it up and
// refuses it) or, where the swarm enables misuse, Weights.MisuseRef for
// the misuse option (a double put: the kernel may not cope with callers
// that put what they do not hold), and, where no handle is live,
// against producing one first.
const liveWeight = 15

// lineWeight is the weight of a node naming GPIO lines in gpiod_get's
// node choice, against 1 for every other node.
const lineWeight = 32

// chooseHandle picks a handle of type t: one of live (by weight), or
// first producing one when none is live, or rarely (weight 1) one of
// stale or one of others more options (a literal id, a node path):
// other is then that option's index, else -1. want gives, when
// encoding, the target's link, or (nil, index) for another option.
func (b *builder) chooseHandle(t prog.Type, live, stale []*prog.Op, others int, want func() (*prog.Op, int)) (ref *prog.Op, other int, ok bool) {
	rare := 1
	if t != prog.TypeOverlay {
		// the rules for callers: no put of a reference given up or
		// never taken, no use of a released handle (a stale overlay id
		// is fine: the kernel looks it up), unless the swarm enables
		// misuse and this choice takes it
		rare = max(b.w.MisuseRef, 1)
		if !b.misuse {
			stale, others = nil, 0
		}
	}
	weights := make([]int, len(live)+2)
	for i := range live {
		weights[i] = liveWeight
	}
	canProduce := len(live) == 0 && b.producer(t) != nil && len(b.p.Ops) < MaxOps-1
	if canProduce {
		weights[len(live)] = liveWeight
	}
	if len(stale)+others > 0 {
		weights[len(live)+1] = rare
	}
	if len(live) == 0 && !canProduce && len(stale)+others == 0 {
		return nil, -1, false
	}
	// target is the wanted choice: a live index, or (true, index among
	// stale then others)
	target := func() (int, bool) {
		r, o := want()
		if r == nil {
			return len(stale) + o, true
		}
		r = b.tmap[r]
		if i := slices.Index(live, r); i >= 0 {
			return i, false
		}
		return slices.Index(stale, r), true
	}
	v := b.pick(weights, func() int {
		i, rare := target()
		if rare {
			return len(live) + 1
		}
		return i
	})
	switch {
	case v < len(live):
		return live[v], -1, true
	case v == len(live):
		if !b.produce(t) {
			return nil, -1, false
		}
		if live, _ = b.handleSets(t); len(live) == 0 {
			return nil, -1, false
		}
		return live[0], -1, true
	}
	i := b.choose(len(stale)+others, func() int { i, _ := target(); return i })
	if t != prog.TypeOverlay {
		b.misusing = true
	}
	if i < len(stale) {
		return stale[i], -1, true
	}
	return nil, i - len(stale), true
}

// nodePutArg is of_node_put's node: a reference held (or a new one),
// rarely a stale one or a path (a put of what the program never took).
func (b *builder) nodePutArg(d *prog.OpDesc, ad *prog.ArgDesc, ta *prog.Arg) (prog.Arg, *gen.Overlay, bool) {
	live, stale := b.handleSets(prog.TypeNode)
	paths, _ := b.nodes(d)
	lit := 1
	if b.generating {
		lit = 0 // no literal strings in a generated program
	}
	ref, other, ok := b.chooseHandle(prog.TypeNode, live, stale, len(paths)+lit, func() (*prog.Op, int) {
		if ta.Ref != nil {
			return ta.Ref, 0
		}
		if i := slices.Index(paths, ta.Path); i >= 0 {
			return nil, i
		}
		return nil, len(paths)
	})
	switch {
	case !ok:
		return prog.Arg{}, nil, false
	case ref != nil:
		return prog.RefArg(ad.Key, ref), nil, true
	case other < len(paths):
		return prog.PathArg(ad.Key, paths[other]), nil, true
	}
	s := string(b.str(MaxPath, func() []byte { return []byte(ta.Path) }))
	if !prog.IsPath(s) {
		return prog.Arg{}, nil, false
	}
	return prog.PathArg(ad.Key, s), nil, true
}

// handleSets lists the earlier ops whose result has type t, live and
// stale, newest first.
func (b *builder) handleSets(t prog.Type) (live, stale []*prog.Op) {
	for i := len(b.p.Ops) - 1; i >= 0; i-- {
		op := b.p.Ops[i]
		if op.Result() != t {
			continue
		}
		if b.live[op] {
			live = append(live, op)
		} else {
			stale = append(stale, op)
		}
	}
	return live, stale
}

// producer is the first op of the table with result t and no link
// arguments (syzkaller's createResource uses such a constructor).
func (b *builder) producer(t prog.Type) *prog.OpDesc {
	if t == prog.TypeOverlay {
		return nil // a literal id stands in; a new overlay is an apply of its own
	}
	for i := range prog.Ops {
		if d := &prog.Ops[i]; d.Result == t && !slices.ContainsFunc(d.Args, func(a prog.ArgDesc) bool { return a.Kind == prog.KindRef }) {
			return d
		}
	}
	return nil
}

// produce inserts an op producing a handle of type t before the op
// being built.
func (b *builder) produce(t prog.Type) bool {
	d := b.producer(t)
	if d == nil || len(b.p.Ops) >= MaxOps-1 || b.enc != nil {
		return false // (a valid target never asks for one)
	}
	n := len(b.p.Ops)
	b.op(d, nil)
	return len(b.p.Ops) > n
}
