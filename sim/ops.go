package sim

import (
	"fmt"
	"strconv"
	"strings"

	"dangle/prog"
	"dangle/sim/of"
)

// handler runs one op and returns its return value as the log shows it.
type handler func(k *Kernel, op *prog.Op) string

// handlers is the dispatch side of the op table: one handler per
// prog.Ops entry, keyed by op name (ops_test checks both directions).
var handlers = map[string]handler{
	"of_overlay_fdt_apply":           opOverlayFdtApply,
	"of_overlay_remove":              opOverlayRemove,
	"of_overlay_remove_all":          opOverlayRemoveAll,
	"of_node_get":                    opNodeGet,
	"of_node_put":                    opNodePut,
	"of_overlay_notifier_register":   opNotifierRegister,
	"of_overlay_notifier_unregister": opNotifierUnregister,
	"overlay_notifier_deref":         opNotifierDeref,
}

// errnoName renders a kernel return value: "0", "-EINVAL", ….
func errnoName(err error) string {
	if err == nil {
		return "0"
	}
	return err.Error()
}

func arg(op *prog.Op, key string) string {
	v, _ := op.Get(key)
	return v
}

// bind stores an op's result under its name, if it has one.
func (k *Kernel) bind(op *prog.Op, v any) {
	if op.Result != "" {
		k.vars[op.Result] = v
	}
}

// overlayID resolves an overlay argument to the int the kernel writes
// through: the bound variable, or a fresh int holding a literal id.
func (k *Kernel) overlayID(v string) *int {
	if n, err := strconv.Atoi(v); err == nil {
		return &n
	}
	if p, ok := k.vars[v].(*int); ok {
		return p
	}
	zero := 0
	return &zero
}

func opOverlayFdtApply(k *Kernel, op *prog.Op) string {
	id, err := k.OF.OverlayFdtApply(k.blob(arg(op, "blob")))
	idp := new(int)
	*idp = id
	k.bind(op, idp)
	if op.Result != "" {
		return fmt.Sprintf("%s, %s = %d", errnoName(err), op.Result, id)
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

// schedPoints parses a sched argument ("after-revert-notify:2,…").
func schedPoints(v string) map[string]int {
	if v == "" {
		return nil
	}
	m := map[string]int{}
	for _, p := range strings.Split(v, ",") {
		name, n, _ := strings.Cut(p, ":")
		count, _ := strconv.Atoi(n)
		m[name] = count
	}
	return m
}

func opOverlayRemove(k *Kernel, op *prog.Op) string {
	v := arg(op, "ov")
	idp := k.overlayID(v)
	k.OF.SetSched(schedPoints(arg(op, "sched")))
	err := k.OF.OverlayRemove(idp)
	k.OF.SetSched(nil)
	if _, lit := strconv.Atoi(v); lit != nil {
		return fmt.Sprintf("%s, %s = %d", errnoName(err), v, *idp)
	}
	return errnoName(err)
}

func opOverlayRemoveAll(k *Kernel, op *prog.Op) string {
	return errnoName(k.OF.OverlayRemoveAll())
}

// nodeRef is a node pointer the program holds a reference on.
type nodeRef struct {
	np     *of.Node
	holder string
}

func opNodeGet(k *Kernel, op *prog.Op) string {
	v := arg(op, "node")
	holder := fmt.Sprintf("program ref %s (op %d)", op.Result, k.Log.Op)
	if op.Result == "" {
		holder = fmt.Sprintf("program (op %d)", k.Log.Op)
	}
	var np *of.Node
	if strings.HasPrefix(v, "/") {
		// of_find_node_by_path() returns the node with a reference.
		np = k.OF.NodeGet(k.OF.FindNodeByPath(v), "of_find_node_by_path", holder)
	} else if r, ok := k.vars[v].(*nodeRef); ok {
		np = k.OF.NodeGet(r.np, "of_node_get", holder)
	}
	k.bind(op, &nodeRef{np: np, holder: holder})
	if np == nil {
		return "NULL"
	}
	return np.DisplayPath()
}

func opNodePut(k *Kernel, op *prog.Op) string {
	v := arg(op, "node")
	if strings.HasPrefix(v, "/") {
		k.OF.NodePut(k.OF.FindNodeByPath(v), "of_node_put", "program")
		return "void"
	}
	if r, ok := k.vars[v].(*nodeRef); ok {
		k.OF.NodePut(r.np, "of_node_put", r.holder)
	}
	return "void"
}

func (k *Kernel) notifier(v string) *of.OverlayNotifier {
	nb, _ := k.vars[v].(*of.OverlayNotifier)
	return nb
}

func opNotifierRegister(k *Kernel, op *prog.Op) string {
	nb := &of.OverlayNotifier{Name: op.Result, Action: arg(op, "action")}
	k.OF.OverlayNotifierRegister(nb)
	k.notifiers = append(k.notifiers, nb)
	k.bind(op, nb)
	return "0"
}

func opNotifierUnregister(k *Kernel, op *prog.Op) string {
	nb := k.notifier(arg(op, "nb"))
	if nb == nil {
		return errnoName(of.ENOENT)
	}
	return errnoName(k.OF.OverlayNotifierUnregister(nb))
}

func opNotifierDeref(k *Kernel, op *prog.Op) string {
	nb := k.notifier(arg(op, "nb"))
	if nb == nil {
		return errnoName(of.ENOENT)
	}
	return errnoName(k.OF.NotifierDeref(nb))
}
