package drivers

import (
	"fmt"

	"dangle/sim/core"
	"dangle/sim/of"
)

// dangle,dt-fixup: a driver that edits the live tree at run time, as PCI
// hosts that describe their devices with of_changeset (of_pci_make_dev_node
// / of_pci_remove_node) do, and the case kernel-model §10 hazard (a)
// names. Probe applies a changeset adding "dangle,fixup" to its node and
// registers a "dt-fixup" class device that owns the changeset, with a
// stateless device link to its parent (to keep it resumed while the class
// device exists). The class device's release reverts and destroys the
// changeset, so it takes of_mutex, and it runs from device_link_wq once
// the purged link's work drops the last reference.
//
// Unbind then bind before that work has run (dangle explore finds it in
// three ops on mainline) leaks the second probe's property, and that is
// the kernel's behaviour, not a model bug: the first changeset is not
// reverted yet, so of_changeset_apply() fails with -EEXIST on
// "dangle,fixup"; __of_add_property() (drivers/of/base.c) has already
// unlinked the new property from np->deadprops, where
// of_changeset_add_prop_helper() put it since c81f6ce16785 ("of:
// dynamic: Fix memleak when of_pci_add_properties() failed"; before it,
// it was on no list at all), and of_changeset_destroy() frees no entry's
// property. kmemleak would report the __of_prop_alloc allocation.

func init() {
	register(&core.Driver{Name: "dangle-dt-fixup", Doc: "edits the live tree from probe with an of_changeset, as PCI hosts do (of_pci_make_dev_node)", Bus: "platform", OfMatch: []string{"dangle,dt-fixup"},
		Probe: dtFixupProbe, Remove: dtFixupRemove,
		Binding: &core.Binding{Node: "fixup"}})
}

func dtFixupProbe(c *core.Core, d *core.Device) error {
	cs := of.NewChangeset(fmt.Sprintf("dt-fixup changeset (%s)", d.Name))
	if err := c.OF.ChangesetAddProperty(cs, d.OfNode, "dangle,fixup", "applied"); err != nil {
		c.OF.Destroy(cs)
		return err
	}
	if err := c.OF.ChangesetApply(cs); err != nil {
		c.OF.Destroy(cs)
		return err
	}
	name := fmt.Sprintf("dt-fixup.%d", c.NextID("dt-fixup"))
	fx := c.NewClassDevice(d, "dt-fixup", name, "dt_fixup_register", func(c *core.Core, fd *core.Device) {
		// dt_fixup_release()
		cs := fd.Priv.(*of.Changeset)
		c.OF.ChangesetRevert(cs)
		c.OF.Destroy(cs)
		c.FreeDevice(fd, "dt_fixup_release")
	}, &c.OF.OfMutex)
	fx.Priv = cs // what dt_fixup_release() reverts
	if err := c.DeviceRegister(fx); err != nil {
		// put_device(): dt_fixup_release() reverts and destroys cs
		c.PutInitial(fx, "dt_fixup_register")
		return err
	}
	c.DeviceLinkAddBy(fx, d, core.DL_FLAG_STATELESS, "dt_fixup_register "+fx.Name)
	d.DrvData = fx
	return nil
}

func dtFixupRemove(c *core.Core, d *core.Device) {
	if !c.Forgot(d, "device_unregister") {
		c.DeviceUnregister(d.DrvData.(*core.Device))
	}
}
