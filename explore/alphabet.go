package explore

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strings"

	"dangle/prog"
	"dangle/sim"
	"dangle/sim/of"
)

// DefaultOps are the ops of the default alphabet: apply and remove an
// overlay (with the sched points of the removal), populate, depopulate,
// unbind and bind a device, run one pending work item, take and drop a
// node reference, get and put a GPIO descriptor. Other supported ops
// (SupportedOps) join with -ops.
var DefaultOps = []string{
	"of_overlay_fdt_apply", "of_overlay_remove",
	"of_platform_populate", "of_platform_depopulate", "device_release_driver", "device_attach",
	"run_work", "of_node_get", "of_node_put", "gpiod_get", "gpiod_put",
}

// SupportedOps are the ops an alphabet can contain, in the order letters
// are tried.
var SupportedOps = []string{
	"of_overlay_fdt_apply", "of_overlay_remove", "of_overlay_remove_all",
	"of_platform_populate", "of_platform_depopulate", "device_release_driver", "device_attach",
	"run_work", "flush_workqueue", "device_link_wait_removal",
	"of_node_get", "of_node_put", "gpiod_get", "gpiod_put", "get_device", "put_device",
}

// letter is one step of a path: a template of the alphabet, and for a
// template that uses a handle the path position of the op that bound it.
type letter struct {
	t   int32 // index into alphabet.templates
	ref int32 // path index of the handle, or -1
}

// template is an op with fixed arguments; refKey, when set, is the
// argument that links to a handle (filled in from letter.ref).
type template struct {
	desc   *prog.OpDesc
	args   []prog.Arg
	refKey string
	file   string // the overlay an apply applies
	// what the template needs of the state to be enabled
	node string // a node path that must exist
	dev  bool   // ... and have a device
	wq   string // a workqueue with more than item-1 pending items
	item int
}

// alphabet is the finite set of templates derived from a tree and its
// overlays, indexed for the enabling rules.
type alphabet struct {
	templates []template
	// static templates, enabled by the state alone, in order
	static []int32
	// handle templates by the result type they use, in order
	byType map[prog.Type][]int32
	ops    []string // the op names of the alphabet
	nodes  []string // the candidate nodes, for the summary
}

// newAlphabet derives the alphabet of tree (its base and overlay files)
// restricted to ops. Candidate nodes are the nodes the overlays create
// that have a compatible, and the base-tree providers they reference
// (gpios, clocks, supplies, power domains); for a tree without overlays,
// the base tree's GPIO consumers and the providers of their lines (the
// whole base tree would make the search space the product of every boot
// device's bound/unbound state). They are found by booting the tree
// and applying each overlay once.
func newAlphabet(tree *prog.Program, profile string, ops []string) (*alphabet, error) {
	want := map[string]bool{}
	for _, o := range ops {
		if !slices.Contains(SupportedOps, o) {
			return nil, fmt.Errorf("op %q cannot be explored (supported: %s)", o, strings.Join(SupportedOps, ","))
		}
		want[o] = true
	}
	var overlays []string
	for _, f := range tree.Files {
		if strings.HasSuffix(f.Name, ".dtso") || strings.HasSuffix(f.Name, ".dtbo") {
			overlays = append(overlays, f.Name)
		}
	}
	nodes, buses, gpios, err := candidates(tree, profile, overlays)
	if err != nil {
		return nil, err
	}
	a := &alphabet{byType: map[prog.Type][]int32{}, nodes: nodes}
	add := func(t template, refType prog.Type) {
		i := int32(len(a.templates))
		a.templates = append(a.templates, t)
		if t.refKey != "" {
			a.byType[refType] = append(a.byType[refType], i)
		} else {
			a.static = append(a.static, i)
		}
	}
	for _, name := range SupportedOps {
		if !want[name] {
			continue
		}
		a.ops = append(a.ops, name)
		d := prog.Lookup(name)
		switch name {
		case "of_overlay_fdt_apply":
			for _, f := range overlays {
				add(template{desc: d, args: []prog.Arg{prog.FileArg("blob", f)}, file: f}, 0)
			}
		case "of_overlay_remove":
			add(template{desc: d, refKey: "ov"}, prog.TypeOverlay)
			// the removal's sched points: the oldest pending item there,
			// or every one (B1 needs work to run inside the removal)
			for p := range d.Sched {
				for _, n := range []int{1, 0} {
					add(template{desc: d, refKey: "ov", args: []prog.Arg{prog.SchedArg("sched", prog.SchedItem{Point: p, Count: n})}}, prog.TypeOverlay)
				}
			}
		case "of_overlay_remove_all", "device_link_wait_removal":
			add(template{desc: d}, 0)
		case "of_platform_populate":
			for _, n := range buses {
				add(template{desc: d, args: []prog.Arg{prog.PathArg("node", n)}, node: n}, 0)
			}
		case "of_platform_depopulate":
			for _, n := range buses {
				add(template{desc: d, args: []prog.Arg{prog.PathArg("node", n)}, node: n, dev: true}, 0)
			}
		case "device_release_driver", "device_attach", "get_device":
			for _, n := range nodes {
				add(template{desc: d, args: []prog.Arg{prog.PathArg("node", n)}, node: n, dev: true}, 0)
			}
		case "of_node_get":
			for _, n := range nodes {
				add(template{desc: d, args: []prog.Arg{prog.PathArg("node", n)}, node: n}, 0)
			}
		case "run_work", "flush_workqueue":
			for wi, wq := range prog.Workqueues {
				items := []int{0}
				if name == "run_work" {
					items = nil
					for it := 1; it <= prog.MaxWorkItem; it++ {
						items = append(items, it)
					}
				}
				for _, it := range items {
					var args []prog.Arg
					if wq != "device_link_wq" {
						args = append(args, prog.EnumArg("wq", wi))
					}
					if it > 1 {
						args = append(args, prog.IntArg("item", it))
					}
					add(template{desc: d, args: args, wq: wq, item: max(it, 1)}, 0)
				}
			}
		case "gpiod_get":
			for _, g := range gpios {
				add(template{desc: d, args: []prog.Arg{prog.PathArg("node", g.node), prog.EnumArg("con", g.con)}, node: g.node}, 0)
			}
		case "of_node_put":
			add(template{desc: d, refKey: "node"}, prog.TypeNode)
		case "gpiod_put":
			add(template{desc: d, refKey: "desc"}, prog.TypeDesc)
		case "put_device":
			add(template{desc: d, refKey: "dev"}, prog.TypeDevice)
		}
	}
	return a, nil
}

// gpioUse is a consumer node and a con_id index (prog.GpioConIDs) it has
// a "<con>-gpios" property for.
type gpioUse struct {
	node string
	con  int
}

// candidates boots the tree, applies each overlay on a fresh kernel and
// returns the candidate nodes (sorted), the ones among them with child
// nodes that have a compatible (populate/depopulate targets), and the
// GPIO consumers among them.
func candidates(tree *prog.Program, profile string, overlays []string) (nodes, buses []string, gpios []gpioUse, err error) {
	boot := map[string]bool{}
	k, err := sim.New(&prog.Program{Kernel: tree.Kernel, Files: tree.Files}, sim.Config{Profile: profile, Quiet: true})
	if err != nil {
		return nil, nil, nil, err
	}
	set := map[string]*of.Node{}
	byPhandle := map[uint32]*of.Node{}
	var gpioUsers []*of.Node
	k.OF.AllNodes(func(n *of.Node) bool {
		boot[n.Path()] = true
		if n.Phandle != 0 {
			byPhandle[n.Phandle] = n
		}
		if n.Prop("compatible") != nil && hasGpios(n) {
			gpioUsers = append(gpioUsers, n)
		}
		return true
	})
	if len(overlays) == 0 {
		// a base tree alone: its GPIO consumers and their providers
		for _, n := range gpioUsers {
			set[n.Path()] = n
			for _, pr := range n.Props {
				if gpioProp(pr.Name) && len(pr.Value) >= 4 {
					if s := byPhandle[binary.BigEndian.Uint32(pr.Value)]; s != nil && s.Prop("compatible") != nil {
						set[s.Path()] = s
					}
				}
			}
		}
	}
	for _, ov := range overlays {
		p := &prog.Program{Kernel: tree.Kernel, Files: tree.Files,
			Ops: []*prog.Op{prog.NewOp(prog.Lookup("of_overlay_fdt_apply"), "", prog.FileArg("blob", ov))}}
		k, err := sim.New(p, sim.Config{Profile: profile, Quiet: true})
		if err != nil {
			return nil, nil, nil, err
		}
		k.Step(0)
		byPhandle := map[uint32]*of.Node{}
		var created []*of.Node
		k.OF.AllNodes(func(n *of.Node) bool {
			if n.Phandle != 0 {
				byPhandle[n.Phandle] = n
			}
			if !boot[n.Path()] && n.Prop("compatible") != nil {
				created = append(created, n)
			}
			return true
		})
		for _, n := range created {
			set[n.Path()] = n
			for _, pr := range n.Props {
				if !providerProp(pr.Name) || len(pr.Value) < 4 {
					continue
				}
				if s := byPhandle[binary.BigEndian.Uint32(pr.Value)]; s != nil && boot[s.Path()] && s.Prop("compatible") != nil {
					set[s.Path()] = s
				}
			}
		}
	}
	for p := range set {
		nodes = append(nodes, p)
	}
	sort.Strings(nodes)
	for _, p := range nodes {
		n := set[p]
		for c := range n.Children() {
			if c.Prop("compatible") != nil {
				buses = append(buses, p)
				break
			}
		}
		for ci, con := range prog.GpioConIDs {
			prop := con + "-gpios"
			if con == "none" {
				prop = "gpios"
			}
			if n.Prop(prop) != nil {
				gpios = append(gpios, gpioUse{p, ci})
			}
		}
	}
	return nodes, buses, gpios, nil
}

// providerProp reports whether a property's first cell is a provider's
// phandle (the bindings the model's drivers consume).
func providerProp(name string) bool {
	return gpioProp(name) || name == "clocks" || name == "power-domains" || strings.HasSuffix(name, "-supply")
}

func gpioProp(name string) bool { return name == "gpios" || strings.HasSuffix(name, "-gpios") }

func hasGpios(n *of.Node) bool {
	for _, p := range n.Props {
		if gpioProp(p.Name) {
			return true
		}
	}
	return false
}

// op builds the op of letter l on a path whose ops are ops.
func (a *alphabet) op(l letter, ops []*prog.Op) *prog.Op {
	t := &a.templates[l.t]
	op := prog.NewOp(t.desc, "", t.args...)
	if t.refKey != "" {
		op.Set(prog.RefArg(t.refKey, ops[l.ref]))
	}
	return op
}

// String renders the alphabet's summary line.
func (a *alphabet) String() string {
	return fmt.Sprintf("%d templates over ops %s; nodes %s", len(a.templates), strings.Join(a.ops, ","), strings.Join(a.nodes, " "))
}
