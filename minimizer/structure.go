package minimizer

import (
	"fmt"
	"strings"

	"dangle/dt"
	"dangle/prog"
)

// Structure passes: reductions that change the shape of the program's
// overlays rather than only deleting parts of them. Hierarchical delta
// debugging (tree.go) keeps the padded program's fragments and nesting;
// a generator-driven shrinker (rapid's) reaches simpler overlays because
// a smaller choice stream means fewer, flatter fragments. These passes
// give ours the same moves on the text: drop an overlay with everything
// that applies it, merge two applies into one, merge the fragments that
// target the same node, hoist a node's children into its parent, and let
// the teardown remove what an explicit remove removed. Each candidate is
// an ordinary program, so it goes through the same memo, validity check
// and predicate as every other pass.

// applyOp is the op that applies an overlay source from the archive.
const applyOp = "of_overlay_fdt_apply"

// removeOpNames are the ops whose work the end-of-run teardown repeats:
// the simulator's teardown removes every overlay still applied, newest
// first (sim/teardown.go, removeOverlays).
var removeOpNames = map[string]bool{"of_overlay_remove": true, "of_overlay_remove_all": true}

// overlayFiles returns the names of p's archive files that hold overlays:
// every file but the base tree, in archive order.
func overlayFiles(p *prog.Program) []string {
	var out []string
	for _, f := range p.Files {
		if f.Name != prog.DefaultBaseName && f.Name != prog.DefaultBlobBaseName {
			out = append(out, f.Name)
		}
	}
	return out
}

// passDropOverlays removes each overlay file together with every op that
// names it and every op using their results: an overlay whose apply is
// kept alive only by its own remove goes in one step, where ddmin over
// the ops needs the pair to fall into one chunk.
func passDropOverlays(s *session) {
	for _, name := range overlayFiles(s.cur) {
		p := s.cur
		drop := make([]bool, len(p.Ops))
		named := false
		for i, op := range p.Ops {
			for _, f := range fileNames(op) {
				if f == name {
					drop[i], named = true, true
				}
			}
		}
		if !named {
			continue // passFiles' job
		}
		s.try(withoutFile(removeOps(p, drop), name))
	}
}

// passTeardown drops the explicit overlay removes, all at once and then
// one by one: the teardown removes what is still applied, so where the
// predicate accepts the finding at teardown (as Go's fuzzer and rapid
// do) the remove is not needed. Under dangle minimize's default
// predicate (a finding raised during an op stays so) a remove that
// raises the finding is kept.
func passTeardown(s *session) {
	p := s.cur
	all := make([]bool, len(p.Ops))
	n := 0
	for i, op := range p.Ops {
		if removeOpNames[op.Name()] {
			all[i] = true
			n++
		}
	}
	if n == 0 || s.try(removeOps(p, all)) || n == 1 {
		return
	}
	for i := len(s.cur.Ops) - 1; i >= 0; i-- {
		if i < len(s.cur.Ops) && removeOpNames[s.cur.Ops[i].Name()] {
			drop := make([]bool, len(s.cur.Ops))
			drop[i] = true
			s.try(removeOps(s.cur, drop))
		}
	}
}

// passMergeApplies merges two applies of different overlay sources into
// one: the first source gets the second's top-level blocks appended, the
// second apply goes (with the ops using its result, such as its remove),
// and so does the second source when nothing else names it. Candidates
// whose labels collide are rejected by the compiler before they run.
func passMergeApplies(s *session) {
	for changed := true; changed; {
		changed = false
		applies := applyIndices(s.cur)
	pairs:
		for a := 0; a < len(applies); a++ {
			for b := a + 1; b < len(applies); b++ {
				if c := mergeApplies(s.cur, applies[a], applies[b]); c != nil && s.try(c) {
					changed = true
					break pairs
				}
			}
		}
	}
}

// applyIndices returns the indices of p's ops that apply an overlay
// source (.dtso).
func applyIndices(p *prog.Program) []int {
	var out []int
	for i, op := range p.Ops {
		if fs := fileNames(op); op.Name() == applyOp && len(fs) == 1 && strings.HasSuffix(fs[0], ".dtso") {
			out = append(out, i)
		}
	}
	return out
}

// mergeApplies returns p with op j's overlay merged into op i's (i < j),
// or nil when they apply the same file or a source does not parse.
func mergeApplies(p *prog.Program, i, j int) *prog.Program {
	fa, fb := fileNames(p.Ops[i])[0], fileNames(p.Ops[j])[0]
	if fa == fb {
		return nil
	}
	da, db := parseFile(p, fa), parseFile(p, fb)
	if da == nil || db == nil || !da.Plugin || !db.Plugin {
		return nil
	}
	da.Nodes = append(da.Nodes, db.Nodes...)
	drop := make([]bool, len(p.Ops))
	drop[j] = true
	c := withFile(removeOps(p, drop), fa, dt.Format(da))
	for _, op := range c.Ops {
		for _, f := range fileNames(op) {
			if f == fb {
				return c
			}
		}
	}
	return withoutFile(c, fb)
}

// passMergeFragments merges, in each overlay source, a top-level block
// into an earlier one with the same target (&label or &{/path}): its
// properties, children and labels move over and the block goes. dtc
// makes one fragment per block, so this is one fragment fewer.
func passMergeFragments(s *session) {
	untilStable(s, func(name string, f *dt.File) bool {
		for a := 0; a < len(f.Nodes); a++ {
			for b := a + 1; b < len(f.Nodes); b++ {
				if !sameTarget(f.Nodes[a], f.Nodes[b]) {
					continue
				}
				g := parseFile(s.cur, name)
				mergeInto(g.Nodes[a], g.Nodes[b])
				g.Nodes = append(g.Nodes[:b:b], g.Nodes[b+1:]...)
				if s.try(withFile(s.cur, name, dt.Format(g))) {
					return true
				}
			}
		}
		return false
	})
}

// untilStable calls step on each overlay source of s.cur, parsed afresh,
// again as long as step reports an accepted reduction.
func untilStable(s *session, step func(name string, f *dt.File) bool) {
	for _, name := range overlayFiles(s.cur) {
		for {
			f := parseFile(s.cur, name)
			if f == nil || !f.Plugin || !step(name, f) {
				break
			}
		}
	}
}

// mergeInto moves y's labels, properties and children over to x.
func mergeInto(x, y *dt.NodeDef) {
	x.Labels = append(x.Labels, y.Labels...)
	x.Props = append(x.Props, y.Props...)
	x.Children = append(x.Children, y.Children...)
}

func sameTarget(a, b *dt.NodeDef) bool {
	return a.Ref != "" && a.Ref == b.Ref && !a.Delete && !b.Delete
}

// passMergeExplicit is passMergeFragments for the explicit form the
// generator also writes, fragment@N { target = <&x>; or target-path =
// "/p"; __overlay__ { … }; }: a fragment whose target is written the same
// as an earlier one's in the same block has its __overlay__ body moved
// into the earlier one's, and goes.
func passMergeExplicit(s *session) {
	untilStable(s, func(name string, f *dt.File) bool {
		for bi, blk := range f.Nodes {
			for a := 0; a < len(blk.Children); a++ {
				ka := fragmentTarget(blk.Children[a])
				if ka == "" {
					continue
				}
				for b := a + 1; b < len(blk.Children); b++ {
					if fragmentTarget(blk.Children[b]) != ka {
						continue
					}
					g := parseFile(s.cur, name)
					kids := g.Nodes[bi].Children
					mergeInto(overlayBody(kids[a]), overlayBody(kids[b]))
					g.Nodes[bi].Children = append(kids[:b:b], kids[b+1:]...)
					if s.try(withFile(s.cur, name, dt.Format(g))) {
						return true
					}
				}
			}
		}
		return false
	})
}

// fragmentTarget returns how explicit fragment n names its target
// ("target=…" or "target-path=…"), or "" when n is not one.
func fragmentTarget(n *dt.NodeDef) string {
	if n.Delete || overlayBody(n) == nil {
		return ""
	}
	for _, p := range n.Props {
		if p.Name != "target" && p.Name != "target-path" {
			continue
		}
		var b strings.Builder
		b.WriteString(p.Name + "=")
		for _, v := range p.Values {
			fmt.Fprintf(&b, "%d:%q:%s", v.Kind, v.Str, v.Ref)
			for _, c := range v.Cells {
				fmt.Fprintf(&b, ",%s", c.Ref)
				if c.Expr != nil {
					fmt.Fprintf(&b, "/%s%s", c.Expr.Op, c.Expr.Lit)
				}
			}
		}
		return b.String()
	}
	return ""
}

// overlayBody returns fragment n's __overlay__ child, or nil.
func overlayBody(n *dt.NodeDef) *dt.NodeDef {
	for _, c := range n.Children {
		if c.Name == "__overlay__" && !c.Delete {
			return c
		}
	}
	return nil
}

// passHoist flattens the overlay trees: a node below a top-level block is
// replaced by its children (its own properties and labels go), and the
// ops' node paths through it lose that component. An op naming the
// hoisted node itself is first dropped, then pointed at the parent. A
// node kept only as a container (a bus node that must be populated for
// its children to become devices) goes when the target it is hoisted
// into is a populated bus already.
func passHoist(s *session) {
	for _, name := range overlayFiles(s.cur) {
		for k := 0; ; {
			f := parseFile(s.cur, name)
			if f == nil {
				break
			}
			inner := innerNodes(f)
			if k >= len(inner) {
				break
			}
			if hoist(s, name, k) {
				continue // the k-th node is now another one: try it
			}
			k++
		}
	}
}

// innerNode is a node below a top-level block, with its parent.
type innerNode struct {
	parent, node *dt.NodeDef
	top          bool // parent is a top-level block
}

// innerNodes returns f's nodes below its top-level blocks, in walk order.
func innerNodes(f *dt.File) []innerNode {
	var out []innerNode
	var walk func(parent *dt.NodeDef, top bool)
	walk = func(parent *dt.NodeDef, top bool) {
		for _, n := range parent.Children {
			// An explicit fragment and its __overlay__ are the overlay's
			// frame, not nodes to hoist; the body's children hang off the
			// target, like a top-level block's.
			body := n.Name == "__overlay__"
			if !n.Delete && !body && overlayBody(n) == nil {
				out = append(out, innerNode{parent, n, top})
			}
			walk(n, body)
		}
	}
	for _, n := range f.Nodes {
		walk(n, true)
	}
	return out
}

// hoist tries to replace the k-th inner node of file name by its
// children, with the ops naming that node dropped, then pointed at its
// parent.
func hoist(s *session, name string, k int) bool {
	for _, retarget := range []bool{false, true} {
		g := parseFile(s.cur, name)
		in := innerNodes(g)[k]
		var kids []*dt.NodeDef
		for _, c := range in.parent.Children {
			if c == in.node {
				kids = append(kids, in.node.Children...)
			} else {
				kids = append(kids, c)
			}
		}
		in.parent.Children = kids
		parentName := ""
		if !in.top {
			parentName = in.parent.Name
		}
		c, self := hoistPaths(withFile(s.cur, name, dt.Format(g)), parentName, in.node.Name, retarget)
		if s.try(c) {
			return true
		}
		if !self {
			return false // no op names the node itself: the variants are the same
		}
	}
	return false
}

// hoistPaths rewrites c's node paths for a hoisted node called node whose
// parent is called parent ("" when it is a top-level block, whose path
// component is unknown here): a path through it loses the component; a
// path ending at it makes its op dropped, or retargeted at the parent.
// self reports whether some op named the node itself.
func hoistPaths(c *prog.Program, parent, node string, retarget bool) (_ *prog.Program, self bool) {
	drop := make([]bool, len(c.Ops))
	for i, op := range c.Ops {
		for _, key := range argKeys(op, prog.KindNode) {
			a := op.Arg(key)
			if a.Ref != nil || !strings.HasPrefix(a.Path, "/") {
				continue
			}
			parts := strings.Split(a.Path, "/")
			for j := 1; j < len(parts); j++ { // parts[0] is "" (the path is absolute)
				if parts[j] != node || (parent != "" && parts[j-1] != parent) {
					continue
				}
				if j == len(parts)-1 {
					self = true
					if !retarget {
						drop[i] = true
						break
					}
				}
				parts = append(parts[:j:j], parts[j+1:]...)
				break
			}
			a.Path = strings.Join(parts, "/")
			if a.Path == "" {
				a.Path = "/"
			}
		}
	}
	return removeOps(c, drop), self
}
