package seq

import (
	"fmt"
	"slices"
	"strings"

	"dangle/prog"
	"dangle/prog/gen"
)

// releases names, for each op that gives up a handle, the argument whose
// handle it releases: after it the handle is stale (still choosable, for
// double puts and removed ids, after the live ones).
var releases = map[string]string{
	"of_overlay_remove":              "ov",
	"of_node_put":                    "node",
	"of_overlay_notifier_unregister": "nb",
	"put_device":                     "dev",
	"device_link_del":                "link",
	"gpiod_put":                      "desc",
}

// op builds one op of d (t: the target op when encoding). Producers of
// handles it needs and none exists for are inserted first.
func (b *builder) op(d *prog.OpDesc, t *prog.Op) {
	var args []prog.Arg
	var ov *gen.Overlay
	for i := range d.Args {
		ad := &d.Args[i]
		var ta *prog.Arg
		if t != nil {
			ta = t.Arg(ad.Key)
			if ta == nil && !ad.Optional {
				b.fail("op %s: no %s", d.Name, ad.Key)
				return
			}
		}
		if ad.Optional && !b.yes(b.w.optional(ad.Key), func() bool { return ta != nil }) {
			continue
		}
		a, g, ok := b.arg(d, ad, ta)
		if !ok {
			return
		}
		if g != nil {
			ov = g
		}
		args = append(args, a)
	}
	if len(b.p.Ops) >= MaxOps {
		return // producers filled the program
	}
	op := prog.NewOp(d, "", args...)
	b.p.Ops = append(b.p.Ops, op)
	if t != nil {
		b.tmap[t] = op
	}
	b.effects(op, ov)
}

// arg builds one argument value; g is the overlay generated for it.
func (b *builder) arg(d *prog.OpDesc, ad *prog.ArgDesc, ta *prog.Arg) (a prog.Arg, g *gen.Overlay, ok bool) {
	switch ad.Kind {
	case prog.KindFile:
		return b.fileArg(ad, ta)
	case prog.KindRef:
		cands := b.handles(ad.Type)
		lit := 0
		if ad.Type == prog.TypeOverlay {
			lit = 1
		}
		if len(cands)+lit == 0 {
			if !b.produce(ad.Type) {
				return a, nil, false
			}
			cands = b.handles(ad.Type)
		}
		v := b.choose(len(cands)+lit, func() int {
			if ta.Ref == nil {
				return len(cands)
			}
			return slices.Index(cands, b.tmap[ta.Ref])
		})
		if v < len(cands) {
			return prog.RefArg(ad.Key, cands[v]), nil, true
		}
		return prog.IntArg(ad.Key, ad.Min+b.choose(ad.Max-ad.Min+1, func() int { return ta.Int - ad.Min })), nil, true
	case prog.KindNode:
		return b.nodeArg(d, ad, ta)
	case prog.KindInt:
		return prog.IntArg(ad.Key, ad.Min+b.choose(ad.Max-ad.Min+1, func() int { return ta.Int - ad.Min })), nil, true
	case prog.KindEnum:
		return prog.EnumArg(ad.Key, b.choose(len(ad.Values), func() int { return ta.Int })), nil, true
	case prog.KindSched:
		return b.schedArg(d, ad, ta), nil, true
	}
	b.fail("op %s: argument kind %d", d.Name, ad.Kind)
	return a, nil, false
}

// fileArg is an apply's blob: one of the program's overlay files, or a
// new generated overlay.
func (b *builder) fileArg(ad *prog.ArgDesc, ta *prog.Arg) (prog.Arg, *gen.Overlay, bool) {
	var files []string
	for _, f := range b.p.Files {
		if strings.HasSuffix(f.Name, ".dtso") || strings.HasSuffix(f.Name, ".dtbo") {
			files = append(files, f.Name)
		}
	}
	useFile := len(files) > 0 && (b.ngen >= MaxGenerated || b.yes(b.w.FileApply, func() bool { return true }))
	if useFile {
		i := b.choose(len(files), func() int { return slices.Index(files, ta.File) })
		return prog.FileArg(ad.Key, files[i]), nil, true
	}
	if b.enc != nil {
		b.fail("blob=%s is not an overlay file of the program", ta.File)
		return prog.Arg{}, nil, false
	}
	if b.ngen >= MaxGenerated {
		return prog.Arg{}, nil, false
	}
	ov := b.st.Generate(b.c, &b.w.Gen, b.sw)
	b.ngen++
	name := fmt.Sprintf("ov%d.dtso", ov.Seq)
	for n := 2; b.p.File(name) != nil; n++ {
		name = fmt.Sprintf("ov%d-%d.dtso", ov.Seq, n)
	}
	b.p.Files = append(b.p.Files, prog.File{Name: name, Data: ov.Source})
	return prog.FileArg(ad.Key, name), ov, true
}

// nodeArg is a node: a live-tree path, a node reference held, or a
// literal path.
func (b *builder) nodeArg(d *prog.OpDesc, ad *prog.ArgDesc, ta *prog.Arg) (prog.Arg, *gen.Overlay, bool) {
	paths := b.nodes(d)
	refs := b.handles(prog.TypeNode)
	lit := 1
	if b.generating {
		lit = 0
	}
	refsFirst := d.Name == "of_node_put"
	n := len(paths) + len(refs)
	v := b.choose(n+lit, func() int {
		if ta.Ref != nil {
			i := slices.Index(refs, b.tmap[ta.Ref])
			if i < 0 {
				b.fail("op %s: %s links to no node reference", d.Name, ad.Key)
				return 0
			}
			if refsFirst {
				return i
			}
			return len(paths) + i
		}
		if i := slices.Index(paths, ta.Path); i >= 0 {
			if refsFirst {
				return len(refs) + i
			}
			return i
		}
		return n
	})
	if v < n {
		if refsFirst && v < len(refs) {
			return prog.RefArg(ad.Key, refs[v]), nil, true
		}
		if refsFirst {
			v -= len(refs)
		} else if v >= len(paths) {
			return prog.RefArg(ad.Key, refs[v-len(paths)]), nil, true
		}
		return prog.PathArg(ad.Key, paths[v]), nil, true
	}
	s := string(b.str(MaxPath, func() []byte { return []byte(ta.Path) }))
	if !isPath(s) {
		return prog.Arg{}, nil, false
	}
	return prog.PathArg(ad.Key, s), nil, true
}

func (b *builder) schedArg(d *prog.OpDesc, ad *prog.ArgDesc, ta *prog.Arg) prog.Arg {
	np := len(d.Sched)
	n := 1 + b.choose(np, func() int { return min(len(ta.Sched), np) - 1 })
	var items []prog.SchedItem
	for j := range n {
		pt := b.choose(np, func() int { return ta.Sched[j].Point })
		cnt := b.choose(MaxSchedCount+1, func() int { return ta.Sched[j].Count })
		if !slices.ContainsFunc(items, func(it prog.SchedItem) bool { return it.Point == pt }) {
			items = append(items, prog.SchedItem{Point: pt, Count: cnt})
		}
	}
	return prog.SchedArg(ad.Key, items...)
}

// handles lists the earlier ops whose result has type t: live ones first,
// then stale ones, newest first in each.
func (b *builder) handles(t prog.Type) []*prog.Op {
	var live, stale []*prog.Op
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
	return append(live, stale...)
}

// produce inserts an op producing a handle of type t (syzkaller's
// createResource): the first op of the table with that result.
func (b *builder) produce(t prog.Type) bool {
	if len(b.p.Ops) >= MaxOps-1 || b.enc != nil {
		return false // (a valid target never lacks a handle)
	}
	for i := range prog.Ops {
		if d := &prog.Ops[i]; d.Result == t && !slices.ContainsFunc(d.Args, func(a prog.ArgDesc) bool { return a.Kind == prog.KindRef }) {
			n := len(b.p.Ops)
			b.op(d, nil)
			return len(b.p.Ops) > n
		}
	}
	return false
}

// effects records what op does to the handles and the generator's state.
func (b *builder) effects(op *prog.Op, ov *gen.Overlay) {
	switch {
	case op.Desc.Name == "of_overlay_fdt_apply":
		if ov != nil {
			b.genOf[op] = ov
			if ov.Reject != gen.Valid {
				return // refused: its id is stale from the start
			}
			b.st.Apply(ov)
		}
		b.live[op] = true
		return
	case op.Desc.Name == "of_overlay_remove_all":
		for o := range b.live {
			if o.Result() == prog.TypeOverlay {
				b.live[o] = false
			}
		}
		for _, g := range b.st.Applied() {
			b.st.Remove(g)
		}
		return
	case op.Result() != prog.TypeNone:
		b.live[op] = true
	}
	key, ok := releases[op.Desc.Name]
	if !ok {
		return
	}
	a := op.Arg(key)
	if a == nil || a.Ref == nil {
		return
	}
	if g := b.genOf[a.Ref]; g != nil {
		// the kernel removes only an overlay nothing later builds on;
		// the generator's state follows when it is the topmost
		applied := b.st.Applied()
		if len(applied) == 0 || applied[len(applied)-1] != g {
			return
		}
		b.st.Remove(g)
	}
	b.live[a.Ref] = false
}

// nodes lists the node paths an op's node argument chooses among: the
// nodes of the generated overlays applied (newest first), then the base
// tree's; for ops on devices only nodes with a compatible, and for
// gpiod_get consumers of GPIO lines first.
func (b *builder) nodes(d *prog.OpDesc) []string {
	var all []gen.Node
	applied := b.st.Applied()
	for i := len(applied) - 1; i >= 0; i-- {
		all = append(all, applied[i].Nodes...)
	}
	all = append(all, b.base.Nodes...)
	anyNode := d.Name == "of_node_get" || d.Name == "of_node_put"
	var first, rest []string
	seen := map[string]bool{}
	for _, n := range all {
		if seen[n.Path] || (!anyNode && n.Compatible == "") {
			continue
		}
		seen[n.Path] = true
		if d.Name == "gpiod_get" && slices.ContainsFunc(n.Props, func(p string) bool { return strings.HasSuffix(p, "gpios") }) {
			first = append(first, n.Path)
		} else {
			rest = append(rest, n.Path)
		}
	}
	return append(first, rest...)
}

// isPath is prog's node-path syntax: "/" or "/"-separated names of
// [A-Za-z0-9,._+@-].
func isPath(s string) bool {
	if s == "/" {
		return true
	}
	if len(s) < 2 || s[0] != '/' {
		return false
	}
	for comp := range strings.SplitSeq(s[1:], "/") {
		if comp == "" {
			return false
		}
		for _, c := range []byte(comp) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(",._+@-", c) >= 0) {
				return false
			}
		}
	}
	return true
}
