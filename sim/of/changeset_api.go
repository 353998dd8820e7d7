package of

import "dangle/sim/kobj"

// Exported changeset entry points for users outside the overlay code (the
// driver catalog's models of drivers that edit the live tree at run time,
// as PCI's of_pci_make_dev_node()/of_pci_remove_node() do).

// NewChangeset is of_changeset_init() for a changeset embedded in an
// allocation owned by owner (nil: none) and named name in logs.
func NewChangeset(name string) *Changeset { return &Changeset{Name: name} }

// ChangesetAddProperty is of_changeset_add_prop_string() on np: a new
// OF_DYNAMIC property (__of_prop_alloc()) and an ADD_PROPERTY entry; on
// failure the property is freed (of_changeset_add_prop_helper()).
func (t *OF) ChangesetAddProperty(cs *Changeset, np *Node, name, value string) error {
	if t.ShouldFail("kzalloc", "__of_prop_alloc (property)", ENOMEM) {
		return ENOMEM
	}
	p := &Property{Name: name, Value: append([]byte(value), 0)}
	p.obj = t.reg.Alloc("property", np.DisplayPath()+"/"+name, "__of_prop_alloc", true, false, "")
	if err := t.ChangesetAction(cs, OF_RECONFIG_ADD_PROPERTY, np, p); err != nil {
		t.kfree(p.obj, "of_changeset_add_prop_helper")
		return err
	}
	return nil
}

// ChangesetApply is of_changeset_apply(): of_mutex around the entries and
// the notifiers (which drop it, __of_changeset_apply_notify()).
func (t *OF) ChangesetApply(cs *Changeset) error {
	t.OfMutex.Lock("of_changeset_apply")
	defer t.OfMutex.Unlock()
	err, _ := t.applyEntries(cs)
	if err != nil {
		return err
	}
	return t.applyNotify(cs)
}

// ChangesetRevert is of_changeset_revert(): of_mutex around the reverted
// entries and the notifiers.
func (t *OF) ChangesetRevert(cs *Changeset) error {
	t.OfMutex.Lock("of_changeset_revert")
	defer t.OfMutex.Unlock()
	err, _ := t.revertEntries(cs)
	if err != nil {
		return err
	}
	return t.revertNotify(cs)
}

// NodeGetOwned is of_node_get() for a reference kept by the allocation
// owner (a device holding its of_node): the leak check attributes it to
// the owner.
func (t *OF) NodeGetOwned(np *Node, fn, holder string, owner *kobj.Object) *Node {
	return t.nodeGetOwned(np, fn, holder, owner)
}
