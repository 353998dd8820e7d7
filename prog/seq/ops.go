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
	outer := b.misusing // a producer is built inside another op's argument
	b.misusing = false
	defer func() { b.misusing = outer }()
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
		a, g, ok := b.arg(d, ad, ta, args)
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
	if b.generating && d.Name == "of_overlay_remove" {
		b.putRefsUnder(op)
	}
	if b.generating && ov != nil {
		// devices the overlay disables go away at the apply
		b.putLinksUnder(disabled(ov))
	}
	b.p.Ops = append(b.p.Ops, op)
	if t != nil {
		b.tmap[t] = op
	}
	if b.misusing {
		b.misused = append(b.misused, len(b.p.Ops)-1)
	}
	b.effects(op, ov)
}

// arg builds one argument value; g is the overlay generated for it.
func (b *builder) arg(d *prog.OpDesc, ad *prog.ArgDesc, ta *prog.Arg, args []prog.Arg) (a prog.Arg, g *gen.Overlay, ok bool) {
	switch ad.Kind {
	case prog.KindFile:
		return b.fileArg(ad, ta)
	case prog.KindRef:
		lit := 0
		if ad.Type == prog.TypeOverlay {
			lit = 1
		}
		live, stale := b.handleSets(ad.Type)
		if d.Name == "device_link_del" {
			// device_link_add(): only a stateless link's reference is
			// the caller's to drop; the driver core owns managed ones
			// (deleting one is misuse, like a stale handle)
			for i := 0; i < len(live); i++ {
				if !stateless(live[i]) {
					stale = append(stale, live[i])
					live = slices.Delete(live, i, i+1)
					i--
				}
			}
		}
		ref, _, ok := b.chooseHandle(ad.Type, live, stale, lit, func() (*prog.Op, int) { return ta.Ref, 0 })
		if !ok || (d.Name == "device_link_del" && ref != nil && !stateless(ref) && !b.misusing) {
			return a, nil, false // (a managed link just produced for it)
		}
		if ref != nil {
			return prog.RefArg(ad.Key, ref), nil, true
		}
		return prog.IntArg(ad.Key, ad.Min+b.choose(ad.Max-ad.Min+1, func() int { return ta.Int - ad.Min })), nil, true
	case prog.KindNode:
		return b.nodeArg(d, ad, ta)
	case prog.KindInt:
		return prog.IntArg(ad.Key, ad.Min+b.choose(ad.Max-ad.Min+1, func() int { return ta.Int - ad.Min })), nil, true
	case prog.KindEnum:
		order, named := b.enumOrder(d, ad, args)
		weights := make([]int, len(order))
		for i := range weights {
			weights[i] = 1
			if i < named {
				weights[i] = lineWeight
			}
		}
		v := b.pick(weights, func() int { return slices.Index(order, ta.Int) })
		return prog.EnumArg(ad.Key, order[v]), nil, true
	case prog.KindSched:
		return b.schedArg(d, ad, ta), nil, true
	}
	b.fail("op %s: argument kind %d", d.Name, ad.Kind)
	return a, nil, false
}

// enumOrder lists an enum argument's value indexes in choice order:
// the table's, except gpiod_get's con, where the named con_ids whose
// "<con>-gpios" property the chosen node has come first (choice 0 asks
// for a line the node names; each weighs lineWeight), the others after.
func (b *builder) enumOrder(d *prog.OpDesc, ad *prog.ArgDesc, args []prog.Arg) (order []int, named int) {
	order = make([]int, len(ad.Values))
	for i := range order {
		order[i] = i
	}
	if d.Name != "gpiod_get" || ad.Key != "con" || len(args) == 0 || args[0].Key != "node" {
		return order, 0
	}
	path := args[0].Path
	for r := args[0].Ref; r != nil && path == ""; r = r.Arg("node").Ref {
		path = r.Arg("node").Path
	}
	props := b.props(path)
	has := func(i int) bool {
		want := ad.Values[i] + "-gpios"
		if ad.Values[i] == "none" {
			want = "gpios"
		}
		return slices.Contains(props, want)
	}
	first := slices.DeleteFunc(slices.Clone(order), func(i int) bool { return !has(i) })
	return append(first, slices.DeleteFunc(order, has)...), len(first)
}

// props are the property names of the live node at path (as the
// generator sees the tree), nil if it knows none.
func (b *builder) props(path string) []string {
	applied := b.st.Applied()
	for i := len(applied) - 1; i >= 0; i-- {
		for _, n := range applied[i].Nodes {
			if n.Path == path {
				return n.Props
			}
		}
	}
	for _, n := range b.base.Nodes {
		if n.Path == path {
			return n.Props
		}
	}
	return nil
}

// fileArg is an apply's blob: one of the program's overlay files, or a
// new generated overlay.
func (b *builder) fileArg(ad *prog.ArgDesc, ta *prog.Arg) (prog.Arg, *gen.Overlay, bool) {
	applied := map[string]bool{}
	for _, op := range b.p.Ops {
		if a := op.Arg("blob"); a != nil && b.live[op] && b.generating {
			applied[a.File] = true // generated programs reapply only what they removed
		}
	}
	var files []string
	for _, f := range b.p.Files {
		if (strings.HasSuffix(f.Name, ".dtso") || strings.HasSuffix(f.Name, ".dtbo")) && !applied[f.Name] {
			files = append(files, f.Name)
		}
	}
	useFile := len(files) > 0 && (b.ngen >= MaxGenerated || len(b.p.Files) >= MaxFiles+MaxGenerated || b.yes(b.w.FileApply, func() bool { return true }))
	if useFile {
		i := b.choose(len(files), func() int { return slices.Index(files, ta.File) })
		return prog.FileArg(ad.Key, files[i]), nil, true
	}
	if b.enc != nil {
		b.fail("blob=%s is not an overlay file of the program", ta.File)
		return prog.Arg{}, nil, false
	}
	if b.ngen >= MaxGenerated || len(b.p.Files) >= MaxFiles+MaxGenerated {
		return prog.Arg{}, nil, false // (a program's files stay encodable)
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
	if releases[d.Name] == ad.Key {
		return b.nodePutArg(d, ad, ta)
	}
	paths, lines := b.nodes(d)
	if b.generating && d.Name == "gpiod_get" && lines == 0 {
		return prog.Arg{}, nil, false // no node names a line yet: no request
	}
	// the references held; those given up only where misuse is on
	refs, stale := b.handleSets(prog.TypeNode)
	held := len(refs)
	if b.misuse {
		refs = append(refs, stale...)
	}
	lit := 1
	if b.generating {
		lit = 0 // no literal strings in a generated program
	}
	n := len(paths) + len(refs)
	// each choice weighs 1, but gpiod_get's nodes that name lines weigh
	// lineWeight: a request that finds its line is the plainest
	weights := make([]int, n+lit)
	for i := range weights {
		weights[i] = 1
		if i < lines {
			weights[i] = lineWeight
		}
	}
	v := b.pick(weights, func() int {
		if ta.Ref != nil {
			i := slices.Index(refs, b.tmap[ta.Ref])
			if i < 0 {
				b.fail("op %s: %s links to no node reference", d.Name, ad.Key)
				return 0
			}
			return len(paths) + i
		}
		if i := slices.Index(paths, ta.Path); i >= 0 {
			return i
		}
		return n
	})
	switch {
	case v < len(paths):
		return prog.PathArg(ad.Key, paths[v]), nil, true
	case v < n:
		if v-len(paths) >= held {
			b.misusing = true
		}
		return prog.RefArg(ad.Key, refs[v-len(paths)]), nil, true
	}
	if b.generating {
		return prog.Arg{}, nil, false // no candidate: drop the op
	}
	s := string(b.str(MaxPath, func() []byte { return []byte(ta.Path) }))
	if !prog.IsPath(s) {
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

// putRefsUnder puts, before a generated program removes an overlay, the
// node and device references it holds on the overlay's nodes (and their
// devices): a caller keeping one
// across the removal is the bug of_changeset_destroy() reports
// (corpus/node-ref-leak.prog), not a kernel one.
func (b *builder) putRefsUnder(remove *prog.Op) {
	a := remove.Arg("ov")
	g := b.genOf[a.Ref]
	if a.Ref == nil || g == nil {
		return
	}
	b.putLinksUnder(gone(g))
	for _, h := range []struct {
		t        prog.Type
		put, key string
	}{{prog.TypeNode, "of_node_put", "node"}, {prog.TypeDevice, "put_device", "dev"}} {
		live, _ := b.handleSets(h.t)
		for _, ref := range live {
			path := ref.Arg("node").Path
			if !slices.ContainsFunc(g.Nodes, func(n gen.Node) bool { return n.Path == path || strings.HasPrefix(path, n.Path+"/") }) {
				continue
			}
			if len(b.p.Ops) >= MaxOps-1 {
				return
			}
			put := prog.NewOp(prog.Lookup(h.put), "", prog.RefArg(h.key, ref))
			b.p.Ops = append(b.p.Ops, put)
			b.effects(put, nil)
		}
	}
	// and the descriptors of lines the overlay's nodes name or provide:
	// the gpio_device of a chip it adds pins the chip's node
	under := func(p string) bool {
		return p != "" && slices.ContainsFunc(g.Nodes, func(n gen.Node) bool { return n.Path == p || strings.HasPrefix(p, n.Path+"/") })
	}
	live, _ := b.handleSets(prog.TypeDesc)
	for _, ref := range live {
		path, prop := b.descLine(ref)
		if !under(path) && !under(b.provider(path, prop)) {
			continue
		}
		if len(b.p.Ops) >= MaxOps-1 {
			return
		}
		put := prog.NewOp(prog.Lookup("gpiod_put"), "", prog.RefArg("desc", ref))
		b.p.Ops = append(b.p.Ops, put)
		b.effects(put, nil)
	}
}

// descLine returns the consumer node path and property of the line a
// descriptor handle is for (through gpiod_ref to its gpiod_get).
func (b *builder) descLine(desc *prog.Op) (path, prop string) {
	for desc != nil && desc.Name() == "gpiod_ref" {
		desc = desc.Arg("desc").Ref
	}
	if desc == nil || desc.Name() != "gpiod_get" {
		return "", ""
	}
	n := desc.Arg("node")
	path = n.Path
	for r := n.Ref; r != nil && path == ""; r = r.Arg("node").Ref {
		path = r.Arg("node").Path
	}
	con := prog.GpioConIDs[desc.Arg("con").Int]
	if con == "none" {
		return path, "gpios"
	}
	return path, con + "-gpios"
}

// provider is the provider path of a consumer's supplier property as a
// generated overlay wrote it, "" if none did.
func (b *builder) provider(consumer, prop string) string {
	for _, g := range b.st.Applied() {
		for _, l := range g.Links {
			if l.Consumer == consumer && l.Prop == prop {
				return l.Provider
			}
		}
	}
	return ""
}

// gone lists the live paths whose devices the removal of g takes away:
// its nodes, and the nodes it enabled (the revert disables them again).
func gone(g *gen.Overlay) []string {
	var out []string
	for _, n := range g.Nodes {
		out = append(out, n.Path)
	}
	for _, sc := range g.Status {
		if sc.Status != "disabled" {
			out = append(out, sc.Path)
		}
	}
	return out
}

// disabled lists the live paths an apply of ov disables.
func disabled(ov *gen.Overlay) []string {
	var out []string
	for _, sc := range ov.Status {
		if sc.Status == "disabled" {
			out = append(out, sc.Path)
		}
	}
	return out
}

// linksGone marks dead the stateless links whose consumer or supplier
// node is under one of paths (at one too, unless children): their
// devices go away, and device_links_purge() frees the links with them
// (drivers/base/core.c), so a later device_link_del of one would act on
// freed memory. A generated program deletes them first (putLinksUnder);
// this keeps a decoded one from picking them as live.
func (b *builder) linksGone(paths []string, children bool) {
	under := func(p string) bool {
		return slices.ContainsFunc(paths, func(x string) bool {
			return (!children && p == x) || strings.HasPrefix(p, strings.TrimSuffix(x, "/")+"/")
		})
	}
	live, _ := b.handleSets(prog.TypeLink)
	for _, l := range live {
		if stateless(l) && (under(l.Arg("consumer").Path) || under(l.Arg("supplier").Path)) {
			b.live[l] = false
		}
	}
}

// putLinksUnder deletes, in a generated program, the stateless links it
// holds whose consumer or supplier node is at or under one of paths,
// before the op that removes those devices: device_links_purge() frees
// a removed device's links whatever references their callers hold
// (drivers/base/core.c), so keeping one across is the caller's bug.
func (b *builder) putLinksUnder(paths []string) {
	if len(paths) == 0 {
		return
	}
	under := func(p string) bool {
		return slices.ContainsFunc(paths, func(x string) bool { return p == x || strings.HasPrefix(p, x+"/") })
	}
	live, _ := b.handleSets(prog.TypeLink)
	for _, l := range live {
		if !stateless(l) || !(under(l.Arg("consumer").Path) || under(l.Arg("supplier").Path)) {
			continue
		}
		if len(b.p.Ops) >= MaxOps-1 {
			return
		}
		del := prog.NewOp(prog.Lookup("device_link_del"), "", prog.RefArg("link", l))
		b.p.Ops = append(b.p.Ops, del)
		b.effects(del, nil)
	}
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
			b.linksGone(disabled(ov), false)
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
			b.linksGone(gone(g), false)
			b.st.Remove(g)
		}
		return
	case op.Desc.Name == "of_platform_depopulate":
		// the devices populated below the node go away
		if a := op.Arg("node"); a != nil && a.Ref == nil {
			b.linksGone([]string{a.Path}, true)
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
		b.linksGone(gone(g), false)
		b.st.Remove(g)
	}
	b.live[a.Ref] = false
}

// nodes lists the node paths an op's node argument chooses among: the
// nodes of the generated overlays applied (newest first), then the base
// tree's; for ops on devices only nodes with a compatible, and for
// gpiod_get consumers of GPIO lines first (lines: how many).
func (b *builder) nodes(d *prog.OpDesc) (paths []string, lines int) {
	var all []gen.Node
	applied := b.st.Applied()
	for i := len(applied) - 1; i >= 0; i-- {
		all = append(all, applied[i].Nodes...)
	}
	all = append(all, b.base.Nodes...)
	anyNode := d.Name == "of_node_get" || d.Name == "of_node_put"
	if b.generating && (strings.HasPrefix(d.Name, "devres_") || strings.HasPrefix(d.Name, "devm_")) {
		// a generated program plays with the devres groups of test
		// devices only: tearing down a driver's own groups under it
		// is the program's bug
		var out []string
		for _, n := range all {
			if n.Compatible == "dangle,devres-test" && !slices.Contains(out, n.Path) {
				out = append(out, n.Path)
			}
		}
		return out, 0 // none: the op is dropped
	}
	var first, rest []string
	seen := map[string]bool{}
	for _, n := range all {
		gpios := d.Name == "gpiod_get" && slices.ContainsFunc(n.Props, func(p string) bool { return strings.HasSuffix(p, "gpios") })
		// gpiod_get also takes a driverless consumer node (gen's, no
		// device: a test module's lines), not a driver's child node
		// (gpio-leds' LEDs, whose lines the driver holds)
		consumer := gpios && n.Compatible == "" && n.Status == "disabled"
		if seen[n.Path] || (!anyNode && !consumer && n.Compatible == "") {
			continue
		}
		seen[n.Path] = true
		// first the nodes with lines and no device (a bound driver
		// holds its own lines: a request of one is -EBUSY)
		if gpios && n.Status == "disabled" {
			first = append(first, n.Path)
		} else {
			rest = append(rest, n.Path)
		}
	}
	return append(first, rest...), len(first)
}

// stateless reports whether a device_link_add op asked for a stateless
// link.
func stateless(link *prog.Op) bool {
	a := link.Arg("flags")
	return a != nil && strings.Contains(prog.DeviceLinkFlags[a.Int], "STATELESS")
}
