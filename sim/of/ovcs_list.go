package of

import "dangle/sim/report"

// listHead is a struct list_head: ovcs_list is the kernel's circular
// doubly linked list, and each overlay_changeset embeds its node. The
// list is modelled pointer for pointer so that every read and write of
// an entry whose changeset was freed (of_overlay_remove_all() frees
// changesets it leaves listed) is a use-after-free in the kernel
// function that does it (include/linux/list.h, non-CONFIG_DEBUG_LIST:
// the helpers are inline, so KASAN names their caller).
type listHead struct {
	prev, next *listHead
	// ovcs is container_of(): the changeset this node is embedded in,
	// nil for the static ovcs_list head.
	ovcs *Overlay
	// walk is the harness's mark (not kernel memory): the Overlays walk
	// that last visited the node.
	walk uint64
}

// LIST_POISON1 and LIST_POISON2 (include/linux/poison.h): what
// list_del() leaves in the removed entry.
var (
	listPoison1 = &listHead{}
	listPoison2 = &listHead{}
)

// access checks a read or write of node l in fn: the head is static, an
// entry is memory of its changeset. It reports false after a
// use-after-free (the access still happens: freed memory keeps its
// contents, as under KASAN's quarantine).
func (t *OF) access(l *listHead, fn string) bool {
	if l.ovcs == nil {
		return true
	}
	return t.reg.Touch(l.ovcs.obj, fn)
}

// listAddTail is list_add_tail(&ovcs->ovcs_list, &ovcs_list) in fn:
// __list_add(new, head->prev, head) writes next->prev, new->next,
// new->prev and then prev->next, so a freed tail is written.
func (t *OF) listAddTail(ovcs *Overlay, fn string) {
	head := &t.ovcsHead
	n := &ovcs.list
	prev := head.prev
	head.prev = n
	n.next = head
	n.prev = prev
	t.access(prev, fn)
	prev.next = n
}

// listDel is list_del(&ovcs->ovcs_list) in fn: __list_del(entry->prev,
// entry->next) writes next->prev and prev->next, then the entry is
// poisoned. It returns false if the entry was already poisoned: the
// write through LIST_POISON1 is a general protection fault, and the
// caller's task dies there.
func (t *OF) listDel(ovcs *Overlay, fn string) bool {
	n := &ovcs.list
	t.access(n, fn)
	prev, next := n.prev, n.next
	if next == nil {
		// a list_head never INIT_LIST_HEAD()ed, zeroed by kzalloc():
		// __list_del() writes next->prev at NULL+8. KASAN reports the
		// wild access as a general protection fault (CONFIG_DEBUG_LIST
		// would print "list_del corruption, ...->next is NULL" instead).
		t.log.Printf("general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN")
		t.log.Printf("KASAN: null-ptr-deref in range [0x0000000000000008-0x000000000000000f]")
		t.log.Printf("RIP: 0010:%s", fn)
		t.log.Report(report.Finding{
			Kind:    report.KernelError,
			Title:   "general protection fault in " + fn,
			Objects: []string{ovcs.obj.Name + " (list_del of an ovcs_list never initialised: NULL)"},
		})
		return false
	}
	if next == listPoison1 || prev == listPoison2 {
		t.log.Printf("general protection fault, probably for non-canonical address 0xdead000000000108: 0000 [#1] PREEMPT SMP KASAN")
		t.log.Printf("RIP: 0010:%s", fn)
		t.log.Report(report.Finding{
			Kind:    report.KernelError,
			Title:   "general protection fault in " + fn,
			Objects: []string{ovcs.obj.Name + " (list_del of an entry already deleted: LIST_POISON1)"},
		})
		return false
	}
	t.access(next, fn)
	next.prev = prev
	t.access(prev, fn)
	prev.next = next
	n.next, n.prev = listPoison1, listPoison2
	return true
}

// Overlays returns ovcs_list from the head forward, bottom first, as the
// harness sees it (no kernel access is modelled: entries may be freed).
// The walk stops at a poisoned pointer or after visiting every entry
// once, so a corrupted list cannot loop.
func (t *OF) Overlays() []*Overlay {
	out := make([]*Overlay, 0, len(t.ovcsIDR)) // listed ones are in the idr, mostly
	// a visit mark per walk instead of a map of visited nodes: this runs
	// once per overlay at teardown (4k applies spent half their time
	// building the map, issue 14)
	t.listWalks++
	w := t.listWalks
	for l := t.ovcsHead.next; l != &t.ovcsHead && l != nil && l.ovcs != nil && l.walk != w; l = l.next {
		l.walk = w
		out = append(out, l.ovcs)
	}
	return out
}

// Sentinels returns the package-level objects the state may point to
// (LIST_POISON1, LIST_POISON2): a copy of the state must keep pointing
// to these very objects, since list code compares against them.
func Sentinels() []any { return []any{listPoison1, listPoison2} }
