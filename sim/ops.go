package sim

import (
	"fmt"

	"dangle/prog"
	"dangle/sim/canon"
	"dangle/sim/core"
	"dangle/sim/of"
)

// The dispatch side of the op table. Each prog.Ops entry has one handler,
// found by OpID; the handler gets a call whose arguments are already
// resolved to typed values (links to earlier ops' results, nodes, ints,
// enum values, sched points), and binds its result, if any, into the
// op's slot. Adding an op is one prog.Ops entry plus one handle() call;
// ops_test checks that every OpID has a handler and every result type a
// slot type.

// handler runs one op and returns its return value as the log shows it.
type handler func(c *call) string

// opEntry is one op's handler and what the dispatcher does before it.
type opEntry struct {
	fn handler
	// needDevice: resolve the node= argument's device into call.dev and
	// return -ENODEV, as bus_find_device() failing does, when it has none.
	needDevice bool
}

// handlers is indexed by prog.OpID.
var handlers = make([]opEntry, len(prog.Ops))

// handle registers the handler of the op called name (at init: a wrong
// name or a second handler is a bug caught by every test).
func handle(name string, fn handler) *opEntry {
	d := prog.Lookup(name)
	if d == nil || handlers[d.ID].fn != nil {
		panic("sim: bad or duplicate handler for op " + name)
	}
	handlers[d.ID] = opEntry{fn: fn}
	return &handlers[d.ID]
}

// onDevice marks the op as acting on node='s device (see needDevice).
func (e *opEntry) onDevice() { e.needDevice = true }

func init() {
	handle("of_overlay_fdt_apply", opOverlayFdtApply)
	handle("of_overlay_remove", opOverlayRemove)
	handle("of_overlay_remove_all", opOverlayRemoveAll)
	handle("of_node_get", opNodeGet)
	handle("of_node_put", opNodePut)
	handle("of_overlay_notifier_register", opNotifierRegister)
	handle("of_overlay_notifier_unregister", opNotifierUnregister)
	handle("overlay_notifier_deref", opNotifierDeref)
}

// slotTypes says, per result type, what a slot of that type holds; the
// one place a new handle type is added on the simulator side. describe
// renders a slot's value for the state (AppendState) and Handle.
var slotTypes = [prog.NumTypes]struct {
	describe func(b *canon.Buf, v any)
}{
	prog.TypeOverlay:  {describeOverlay},
	prog.TypeNode:     {describeNode},
	prog.TypeNotifier: {describeNotifier},
	prog.TypeDevice:   {describeDevice},
	prog.TypeLink:     {describeLink},
	prog.TypeDesc:     {describeDesc},
}

// call is one op being run: the op, its slot and its resolved arguments.
type call struct {
	k    *Kernel
	op   *prog.Op
	slot int    // the op's index in the program: its result slot
	name string // the result's name in the text (Program.Names), or ""
	args []value
	dev  *core.Device // with needDevice: node='s device
}

// value is one resolved argument (zero if the argument is absent).
type value struct {
	set bool
	// lit: a node given by path, or an overlay id given as a number.
	lit bool
	n   int    // KindInt; KindEnum: the index; a literal overlay id
	str string // KindEnum: the value; KindFile: the name; KindNode: the path
	// node is a KindNode argument's node: found by path when the op
	// runs, or the node the linked of_node_get returned.
	node *of.Node
	// ref is a KindRef or linked KindNode argument's slot value (nil if
	// the linked op bound nothing).
	ref any
	// name is the linked op's result name in the text (as written).
	name  string
	sched map[string]int // KindSched: point -> count (0: all)
}

// arg returns the resolved argument called key.
func (c *call) arg(key string) value {
	for i := range c.op.Desc.Args {
		if c.op.Desc.Args[i].Key == key {
			return c.args[i]
		}
	}
	panic("sim: op " + c.op.Name() + " has no argument " + key)
}

// bind stores the op's result in its slot.
func (c *call) bind(v any) { c.k.slots[c.slot] = v }

// resolve turns op i's arguments into values, in op-table order, into
// vals (len(op.Desc.Args), zeroed).
func (k *Kernel) resolve(i int, op *prog.Op, vals []value) {
	for j := range op.Args {
		a := &op.Args[j]
		pos := -1
		for x := range op.Desc.Args {
			if op.Desc.Args[x].Key == a.Key {
				pos = x
			}
		}
		ad := &op.Desc.Args[pos]
		v := value{set: true}
		var slot any
		if r := slotOf(k.prog.Ops, a.Ref, i); r >= 0 {
			slot, v.name = k.slots[r], k.names[r]
		}
		switch ad.Kind {
		case prog.KindFile:
			v.str = a.File
		case prog.KindRef:
			v.lit = a.Ref == nil
			v.n = a.Int
			v.ref = slot
		case prog.KindNode:
			if a.Ref == nil {
				v.lit, v.str = true, a.Path
				v.node = k.OF.FindNodeByPath(a.Path)
			} else if r, ok := slot.(*nodeRef); ok {
				v.ref, v.node = r, r.np
			}
		case prog.KindInt:
			v.n = a.Int
		case prog.KindEnum:
			v.n, v.str = a.Int, ad.Values[a.Int]
		case prog.KindSched:
			v.sched = map[string]int{}
			for _, it := range a.Sched {
				v.sched[op.Desc.Sched[it.Point]] = it.Count
			}
		}
		vals[pos] = v
	}
}

// slotOf returns the slot of the op a link points to, searching back from
// op i (links mostly point to recent ops), or -1.
func slotOf(ops []*prog.Op, ref *prog.Op, i int) int {
	if ref == nil {
		return -1
	}
	for j := i - 1; j >= 0; j-- {
		if ops[j] == ref {
			return j
		}
	}
	return -1
}

// Program references. The program's own references on kernel objects
// are held by the slot of the op that took them; holder renders the
// text the log, trace and findings show for one, the only place those
// strings are made.
type progHold struct {
	slot  int
	owner bool // a GPIO ownership token ("program NAME") rather than a reference
}

// programHolder is the holder of a program reference no slot keeps: a
// put by node path, or a GPIO consumer without a device.
const programHolder = "program"

// holder returns the text of a program reference, and records which
// slot it belongs to (HolderSlot).
func (k *Kernel) holder(h progHold) string {
	name := k.names[h.slot]
	var s string
	switch {
	case h.owner && name == "":
		// the .prog line, as the GPIO oracle has always named it
		s = fmt.Sprintf("program (op %d)", k.prog.Ops[h.slot].Line)
	case h.owner:
		s = "program " + name
	case name == "":
		s = fmt.Sprintf("program (op %d)", h.slot+1)
	default:
		s = fmt.Sprintf("program ref %s (op %d)", name, h.slot+1)
	}
	if k.holders == nil {
		k.holders = map[string]progHold{}
	}
	k.holders[s] = h
	return s
}

// HolderSlot reports whether holder (a kobj.Hold's Holder) is a
// reference the program holds, and the slot (op index) holding it. The
// text carries the program's names and op numbers, which the log shows
// but a canonical state must not: Encode can key program references by
// their slot's op and type instead.
func (k *Kernel) HolderSlot(holder string) (slot int, ok bool) {
	h, ok := k.holders[holder]
	return h.slot, ok
}

// errnoName renders a kernel return value: "0", "-EINVAL", ….
func errnoName(err error) string {
	if err == nil {
		return "0"
	}
	return err.Error()
}

// overlayID resolves an overlay argument to the int the kernel writes
// through: the linked op's id, or a fresh int holding a literal id.
func overlayID(v value) *int {
	if p, ok := v.ref.(*int); ok && !v.lit {
		return p
	}
	n := 0
	if v.lit {
		n = v.n
	}
	return &n
}

func opOverlayFdtApply(c *call) string {
	id, err := c.k.OF.OverlayFdtApply(c.k.blob(c.arg("blob").str))
	idp := new(int)
	*idp = id
	c.bind(idp)
	if c.name != "" {
		return fmt.Sprintf("%s, %s = %d", errnoName(err), c.name, id)
	}
	return fmt.Sprintf("%s, id %d", errnoName(err), id)
}

// blob returns the overlay an op names: its compiled tree, and for
// .dtbo files the raw blob the kernel's header checks read.
func (k *Kernel) blob(name string) *of.Blob {
	b := &of.Blob{Name: name, Tree: k.blobs[name], Bad: k.badBlobs[name]}
	if f := k.prog.File(name); f != nil && prog.IsBlob(name) {
		b.Raw, _ = f.Blob()
	}
	return b
}

func opOverlayRemove(c *call) string {
	v := c.arg("ov")
	idp := overlayID(v)
	c.k.checkProgramRefs(c.slot+1, "of_overlay_remove")
	c.k.OF.SetSched(c.arg("sched").sched)
	err := c.k.OF.OverlayRemove(idp)
	c.k.OF.SetSched(nil)
	if !v.lit {
		// the id the kernel wrote back through the caller's variable
		return fmt.Sprintf("%s, %s = %d", errnoName(err), v.name, *idp)
	}
	return errnoName(err)
}

func opOverlayRemoveAll(c *call) string {
	c.k.checkProgramRefs(c.slot+1, "of_overlay_remove_all")
	return errnoName(c.k.OF.OverlayRemoveAll())
}

// nodeRef is a node pointer the program holds a reference on.
type nodeRef struct {
	np     *of.Node
	holder string
}

func opNodeGet(c *call) string {
	v := c.arg("node")
	holder := c.k.holder(progHold{slot: c.slot})
	var np *of.Node
	if v.lit {
		// of_find_node_by_path() returns the node with a reference.
		np = c.k.OF.NodeGet(v.node, "of_find_node_by_path", holder)
	} else if v.ref != nil {
		np = c.k.OF.NodeGet(v.node, "of_node_get", holder)
	}
	c.bind(&nodeRef{np: np, holder: holder})
	if np == nil {
		return "NULL"
	}
	return np.DisplayPath()
}

func opNodePut(c *call) string {
	v := c.arg("node")
	if v.lit {
		c.k.OF.NodePut(v.node, "of_node_put", programHolder)
		return "void"
	}
	if r, ok := v.ref.(*nodeRef); ok {
		c.k.OF.NodePut(r.np, "of_node_put", r.holder)
	}
	return "void"
}

func opNotifierRegister(c *call) string {
	nb := &of.OverlayNotifier{Name: c.name, Action: c.arg("action").str}
	c.k.OF.OverlayNotifierRegister(nb)
	c.k.notifiers = append(c.k.notifiers, nb)
	c.bind(nb)
	return "0"
}

func notifier(c *call) *of.OverlayNotifier {
	nb, _ := c.arg("nb").ref.(*of.OverlayNotifier)
	return nb
}

func opNotifierUnregister(c *call) string {
	nb := notifier(c)
	if nb == nil {
		return errnoName(of.ENOENT)
	}
	return errnoName(c.k.OF.OverlayNotifierUnregister(nb))
}

func opNotifierDeref(c *call) string {
	nb := notifier(c)
	if nb == nil {
		return errnoName(of.ENOENT)
	}
	return errnoName(c.k.OF.NotifierDeref(nb))
}
