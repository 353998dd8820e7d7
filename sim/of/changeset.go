package of

import (
	"strconv"
	"strings"

	"dangle/sim/kobj"
)

// Action is an of_reconfig_change action (include/linux/of.h).
type Action uint8

const (
	OF_RECONFIG_ATTACH_NODE     Action = 1
	OF_RECONFIG_DETACH_NODE     Action = 2
	OF_RECONFIG_ADD_PROPERTY    Action = 3
	OF_RECONFIG_REMOVE_PROPERTY Action = 4
	OF_RECONFIG_UPDATE_PROPERTY Action = 5
)

var actionNames = [...]string{"INVALID", "ATTACH_NODE", "DETACH_NODE", "ADD_PROPERTY", "REMOVE_PROPERTY", "UPDATE_PROPERTY"}

func (a Action) String() string { return actionNames[a] }

// Entry is a struct of_changeset_entry. It holds a reference on Np from
// of_changeset_action() until __of_changeset_entry_destroy().
type Entry struct {
	Action Action
	// made and seq name the entry's reference (holder): the action
	// of_changeset_action() was given and the entry's number in its
	// changeset, from 1. The name is made when needed, not kept: a
	// 50 MB overlay has 300k entries (32 bytes each, not 48 and a
	// 48-byte string).
	made    Action
	seq     int32
	Np      *Node
	Prop    *Property
	OldProp *Property
}

// holder is the name of the reference the entry holds on Np:
// "overlay #1 cset entry 3 (ATTACH_NODE)".
func (ce *Entry) holder(cs *Changeset) string {
	return cs.Name + " cset entry " + strconv.Itoa(int(ce.seq)) + " (" + ce.made.String() + ")"
}

// Changeset is a struct of_changeset: its entries in list order.
type Changeset struct {
	Name    string       // log name of the owner ("overlay #1")
	Owner   *kobj.Object // the allocation the changeset is embedded in
	Entries []*Entry
	seq     int
}

// ChangesetAction is of_changeset_action(): kzalloc() the entry
// (-ENOMEM, nothing taken), then append it, taking a reference on np.
func (t *OF) ChangesetAction(cs *Changeset, action Action, np *Node, prop *Property) error {
	if t.ShouldFail("kzalloc", "of_changeset_action (of_changeset_entry)", ENOMEM) {
		return ENOMEM
	}
	cs.seq++
	ce := &Entry{Action: action, made: action, seq: int32(cs.seq), Np: np, Prop: prop}
	// get a reference to the node
	t.nodeGetOwned(np, "of_changeset_action", ce.holder(cs), cs.Owner)
	cs.Entries = append(cs.Entries, ce)
	return nil
}

// invert is __of_changeset_entry_invert().
func (ce *Entry) invert() Entry {
	rce := *ce
	switch ce.Action {
	case OF_RECONFIG_ATTACH_NODE:
		rce.Action = OF_RECONFIG_DETACH_NODE
	case OF_RECONFIG_DETACH_NODE:
		rce.Action = OF_RECONFIG_ATTACH_NODE
	case OF_RECONFIG_ADD_PROPERTY:
		rce.Action = OF_RECONFIG_REMOVE_PROPERTY
	case OF_RECONFIG_REMOVE_PROPERTY:
		rce.Action = OF_RECONFIG_ADD_PROPERTY
	case OF_RECONFIG_UPDATE_PROPERTY:
		rce.OldProp = ce.Prop
		rce.Prop = ce.OldProp
		// update was used but original property did not exist
		if rce.Prop == nil {
			rce.Action = OF_RECONFIG_REMOVE_PROPERTY
			rce.Prop = ce.Prop
		}
	}
	return rce
}

// actionErr is of_changeset_action_err(): "changeset: %s%-15s %pOF%s%s".
func (t *OF) actionErr(prefix string, a Action, np *Node, prop *Property) {
	p := ""
	if prop != nil {
		p = ":" + prop.Name
	}
	t.pr("changeset: %s%-15s %s%s", prefix, a.String(), np.Path(), p)
}

// entryApply is __of_changeset_entry_apply(). For UPDATE it stores the
// replaced property in ce.OldProp, as the kernel's &ce->old_prop does.
func (t *OF) entryApply(ce *Entry) error {
	if !t.Touch(ce.Np, "__of_changeset_entry_apply") {
		return EINVAL
	}
	var err error
	switch ce.Action {
	case OF_RECONFIG_ATTACH_NODE:
		t.attachNode(ce.Np)
	case OF_RECONFIG_DETACH_NODE:
		t.detachNode(ce.Np)
	// fail_nth on a property entry stands for the one failure
	// __of_add_property() (-EEXIST) and __of_remove_property() (-ENODEV)
	// have: a conflicting property. Node attach/detach and update
	// cannot fail.
	case OF_RECONFIG_ADD_PROPERTY:
		if t.ShouldFail("__of_add_property", "__of_changeset_entry_apply", EEXIST) {
			err = EEXIST
		} else {
			err = t.addProperty(ce.Np, ce.Prop)
		}
	case OF_RECONFIG_REMOVE_PROPERTY:
		if t.ShouldFail("__of_remove_property", "__of_changeset_entry_apply", ENODEV) {
			err = ENODEV
		} else {
			err = t.removeProperty(ce.Np, ce.Prop)
		}
	case OF_RECONFIG_UPDATE_PROPERTY:
		ce.OldProp = t.updateProperty(ce.Np, ce.Prop)
	default:
		err = EINVAL
	}
	if err != nil {
		if t.prof.Is("cset_err_msg", "per-action") {
			// before 914d9d831e61 (v6.5) each property action had its own text
			t.pr("changeset: %s failed @%s/%s", strings.ToLower(ce.Action.String()), ce.Np.Path(), ce.Prop.Name)
		} else {
			t.actionErr("apply failed: ", ce.Action, ce.Np, ce.Prop)
		}
	}
	return err
}

// entryRevert is __of_changeset_entry_revert(): apply the inverse.
func (t *OF) entryRevert(ce *Entry) error {
	rce := ce.invert()
	return t.entryApply(&rce)
}

// applyEntries is __of_changeset_apply_entries(): forward; on the first
// failure print the error and revert the already-applied entries in
// reverse. A failed revert is returned as retRevert.
func (t *OF) applyEntries(cs *Changeset) (err, retRevert error) {
	for i, ce := range cs.Entries {
		if err = t.entryApply(ce); err != nil {
			t.pr("Error applying changeset (%d)", Errno(err))
			for j := i - 1; j >= 0; j-- {
				if e := t.entryRevert(cs.Entries[j]); e != nil {
					retRevert = e
				}
			}
			return err, retRevert
		}
	}
	return nil, nil
}

// revertEntries is __of_changeset_revert_entries(): reverse; on the first
// failure print the error and re-apply the entries after it. A failed
// re-apply is returned as retApply.
func (t *OF) revertEntries(cs *Changeset) (err, retApply error) {
	for i := len(cs.Entries) - 1; i >= 0; i-- {
		if err = t.entryRevert(cs.Entries[i]); err != nil {
			t.pr("Error reverting changeset (%d)", Errno(err))
			for _, ce := range cs.Entries[i+1:] {
				if e := t.entryApply(ce); e != nil {
					retApply = e
				}
			}
			return err, retApply
		}
	}
	return nil, nil
}

// applyNotify is __of_changeset_apply_notify(): drops of_mutex while the
// reconfig chain runs for every entry in order; the last error is returned.
func (t *OF) applyNotify(cs *Changeset) error {
	holder := t.OfMutex.Holder
	t.OfMutex.Unlock()
	var ret error
	for _, ce := range cs.Entries {
		if err := t.entryNotify(ce, false); err != nil {
			ret = err
		}
	}
	t.OfMutex.Lock(holder)
	return ret
}

// revertNotify is __of_changeset_revert_notify(): as applyNotify, in
// reverse, with inverted entries.
func (t *OF) revertNotify(cs *Changeset) error {
	holder := t.OfMutex.Holder
	t.OfMutex.Unlock()
	var ret error
	for i := len(cs.Entries) - 1; i >= 0; i-- {
		if err := t.entryNotify(cs.Entries[i], true); err != nil {
			ret = err
		}
	}
	t.OfMutex.Lock(holder)
	return ret
}

// Destroy is of_changeset_destroy(): since 8917e7385346 (v6.9-rc3) it
// first waits for device-link removals (devlink_wait=changeset-destroy),
// then destroys the entries in reverse order.
func (t *OF) Destroy(cs *Changeset) {
	if t.prof.Is("devlink_wait", "changeset-destroy") {
		t.deviceLinkWaitRemoval()
	}
	for i := len(cs.Entries) - 1; i >= 0; i-- {
		t.entryDestroy(cs, cs.Entries[i])
	}
	cs.Entries = nil
}

// entryDestroy is __of_changeset_entry_destroy(): the refcount check for
// attached overlay nodes, then drop the entry's reference.
func (t *OF) entryDestroy(cs *Changeset, ce *Entry) {
	holder := ce.holder(cs)
	if ce.Action == OF_RECONFIG_ATTACH_NODE && t.Touch(ce.Np, "__of_changeset_entry_destroy") && ce.Np.Check(OF_OVERLAY) {
		if ref := ce.Np.obj.Ref(); ref > 1 {
			mark := t.log.Mark()
			t.pr("ERROR: memory leak, expected refcount 1 instead of %d, of_node_get()/of_node_put() unbalanced - destroy cset entry: attach overlay node %s",
				ref, ce.Np.Path())
			t.reportHolders("memory leak in of_changeset_destroy", ce.Np, holder, mark)
		} else {
			ce.Np.Flags |= OF_OVERLAY_FREE_CSET
		}
	}
	if !t.Skipped("__of_changeset_entry_destroy:of_node_put(np)") { // a kernel mutant, make bench only
		t.NodePut(ce.Np, "__of_changeset_entry_destroy", holder)
	}
}
