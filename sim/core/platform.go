package core

import (
	"fmt"

	"dangle/sim/of"
)

// The platform bus and the OF platform code (drivers/base/platform.c,
// drivers/of/platform.c, drivers/of/device.c).

// platformProbe is platform_probe(): attach the PM domain, call the
// driver's probe, detach again on failure (before v6.17; from v6.17
// device_unbind_cleanup() detaches).
func (c *Core) platformProbe(d *Device) error {
	if err := c.DevPMDomainAttach(d); err != nil {
		return err
	}
	err := d.Driver.Probe(c, d)
	if err != nil && !c.pmDetachInCleanup(c.Platform) {
		c.DevPMDomainDetach(d, "platform_probe")
	}
	return err
}

// platformRemove is platform_remove(): driver remove, then (before
// f99508074e78 / ba2ebd52a22e, v6.17) dev_pm_domain_detach().
func (c *Core) platformRemove(d *Device) {
	if d.Driver.Remove != nil {
		d.Driver.Remove(c, d)
	}
	if !c.pmDetachInCleanup(c.Platform) {
		c.DevPMDomainDetach(d, "platform_remove")
	}
}

// platformDeviceRelease is platform_device_release(): the node reference
// of_device_alloc() took goes only now, when the last device reference
// does (possibly from device_link_release_fn, seeds/000 and /001).
func (c *Core) platformDeviceRelease(d *Device) {
	c.OF.NodePutOwned(d.OfNode, "platform_device_release", d.nodeHolder(), d.obj)
	c.freeDevice(d, "platform_device_release")
}

func (d *Device) nodeHolder() string { return "device " + d.Name }

// ofDeviceAlloc is of_device_alloc(): platform_device_alloc(), the node
// reference, parent (or platform_bus) and the name.
func (c *Core) ofDeviceAlloc(np *of.Node, parent *Device) *Device {
	name := c.ofDeviceMakeBusID(np)
	d := c.newDevice(name, "of_device_alloc")
	d.Bus = c.Platform
	d.release, d.releaseName = (*Core).platformDeviceRelease, "platform_device_release"
	// device_set_node(&dev->dev, of_fwnode_handle(of_node_get(np)))
	c.OF.NodeGetOwned(np, "of_device_alloc", d.nodeHolder(), d.obj)
	d.OfNode, d.Fwnode = np, np
	if parent == nil {
		parent = c.PlatformBus
	}
	d.Parent = parent
	return d
}

// ofDeviceMakeBusID is of_device_make_bus_id(): "<addr>.<name>" for the
// first node up the path whose reg translates to a CPU address, prefixed
// by the base names of the nodes below it, joined with ':'.
func (c *Core) ofDeviceMakeBusID(np *of.Node) string {
	name := ""
	for node := np; node.Parent != nil; node = node.Parent {
		if addr, ok := translateReg(node); ok {
			if name != "" {
				return fmt.Sprintf("%x.%s:%s", addr, node.Name(), name)
			}
			return fmt.Sprintf("%x.%s", addr, node.Name())
		}
		if name != "" {
			name = node.FullName + ":" + name
		} else {
			name = node.FullName
		}
	}
	return name
}

// cells is of_n_addr_cells()/of_n_size_cells() for the children of np.
func cells(np *of.Node, prop string, def uint32) uint32 {
	for p := np; p != nil; p = p.Parent {
		if v := p.Prop(prop); v != nil {
			x, _ := v.U32()
			return x
		}
	}
	return def
}

func readCells(v []byte, n uint32) (uint64, []byte, bool) {
	if uint32(len(v)) < 4*n {
		return 0, nil, false
	}
	var x uint64
	for i := uint32(0); i < n; i++ {
		x = x<<32 | uint64(be32(v[4*i:]))
	}
	return x, v[4*n:], true
}

// translateReg is of_translate_address() of the node's first reg entry:
// walk up through each bus's "ranges" (empty: identity; absent: no
// translation) to the root.
func translateReg(np *of.Node) (uint64, bool) {
	reg := np.Prop("reg")
	if reg == nil || np.Parent == nil {
		return 0, false
	}
	addr, _, ok := readCells(reg.Value, cells(np.Parent, "#address-cells", 1))
	if !ok {
		return 0, false
	}
	for bus := np.Parent; bus.Parent != nil; bus = bus.Parent {
		if cells(bus, "#size-cells", 1) == 0 {
			return 0, false
		}
		ranges := bus.Prop("ranges")
		if ranges == nil {
			return 0, false
		}
		if len(ranges.Value) == 0 {
			continue
		}
		na := cells(bus, "#address-cells", 1)
		pna := cells(bus.Parent, "#address-cells", 1)
		ns := cells(bus, "#size-cells", 1)
		v := ranges.Value
		found := false
		for len(v) > 0 {
			var cb, pb, sz uint64
			var ok1, ok2, ok3 bool
			cb, v, ok1 = readCells(v, na)
			if ok1 {
				pb, v, ok2 = readCells(v, pna)
			}
			if ok2 {
				sz, v, ok3 = readCells(v, ns)
			}
			if !ok3 {
				return 0, false
			}
			if addr >= cb && addr < cb+sz {
				addr = addr - cb + pb
				found = true
				break
			}
		}
		if !found {
			return 0, false
		}
	}
	return addr, true
}

// OfPlatformDeviceCreate is of_platform_device_create_pdata(): nothing for
// an unavailable or already populated node; else allocate and add.
func (c *Core) OfPlatformDeviceCreate(np *of.Node, parent *Device) *Device {
	if !np.IsAvailable() || np.Check(of.OF_POPULATED) {
		return nil
	}
	np.Flags |= of.OF_POPULATED
	// of_device_alloc(): platform_device_alloc()'s kzalloc() failing
	// returns NULL: "goto err_clear_flag"
	if c.fail("kzalloc", "platform_device_alloc ("+np.Path()+")", ENOMEM) {
		np.Flags &^= of.OF_POPULATED
		return nil
	}
	d := c.ofDeviceAlloc(np, parent)
	if err := c.DeviceAdd(d); err != nil {
		c.PutDevice(d, "platform_device_put", d.initHolder)
		np.Flags &^= of.OF_POPULATED
		return nil
	}
	return d
}

// ofPlatformBusCreate is of_platform_bus_create() (strict): a device for
// bus, and its children too when bus matches the table.
func (c *Core) ofPlatformBusCreate(bus *of.Node, matches []string, parent *Device) {
	if bus.Prop("compatible") == nil {
		return
	}
	if bus.Check(of.OF_POPULATED_BUS) {
		return
	}
	d := c.OfPlatformDeviceCreate(bus, parent)
	if d == nil || !matchAny(bus, matches) {
		return
	}
	for ch := range bus.Children() {
		c.ofPlatformBusCreate(ch, matches, d)
	}
	bus.Flags |= of.OF_POPULATED_BUS
}

func matchAny(np *of.Node, matches []string) bool { return compatibleIn(np, matches) }

// OfDefaultBusMatchTable is of_default_bus_match_table.
var OfDefaultBusMatchTable = []string{"simple-bus", "simple-mfd", "isa", "arm,amba-bus"}

// OfPlatformPopulate is of_platform_populate(root, matches, NULL, parent):
// a device for each child with a compatible, recursing into the children
// that match (a nil table never matches), then root is marked
// OF_POPULATED_BUS.
func (c *Core) OfPlatformPopulate(root *of.Node, matches []string, parent *Device) error {
	if root == nil {
		return EINVAL
	}
	c.OF.NodeGet(root, "of_platform_populate", "of_platform_populate")
	for ch := range root.Children() {
		c.ofPlatformBusCreate(ch, matches, parent)
	}
	root.Flags |= of.OF_POPULATED_BUS
	c.OF.NodePut(root, "of_platform_populate", "of_platform_populate")
	return nil
}

// OfPlatformDepopulate is of_platform_depopulate(parent): destroy the
// children populated from parent's node, last first.
func (c *Core) OfPlatformDepopulate(parent *Device) {
	if parent.OfNode == nil || !parent.OfNode.Check(of.OF_POPULATED_BUS) {
		return
	}
	ch := c.children(parent)
	for i := len(ch) - 1; i >= 0; i-- {
		c.OfPlatformDeviceDestroy(ch[i])
	}
	parent.OfNode.Flags &^= of.OF_POPULATED_BUS
}

// OfPlatformDeviceDestroy is of_platform_device_destroy(): recurse into
// buses, clear the flags, platform_device_unregister().
func (c *Core) OfPlatformDeviceDestroy(d *Device) {
	np := d.OfNode
	if np == nil || !np.Check(of.OF_POPULATED) {
		return
	}
	if np.Check(of.OF_POPULATED_BUS) {
		for _, ch := range c.children(d) {
			c.OfPlatformDeviceDestroy(ch)
		}
	}
	np.Flags &^= of.OF_POPULATED | of.OF_POPULATED_BUS
	if d.Bus == c.Platform {
		c.PlatformDeviceUnregister(d)
	}
}

// PlatformDeviceUnregister is platform_device_unregister(): device_del()
// then platform_device_put().
func (c *Core) PlatformDeviceUnregister(d *Device) {
	c.DeviceDel(d)
	c.PutDevice(d, "platform_device_put", d.initHolder)
}

// ofPlatformNotify is of_platform_notify(), the reconfig notifier for
// platform devices.
func (c *Core) ofPlatformNotify(action of.Action, rd *of.ReconfigData) error {
	switch of.GetStateChange(action, rd) {
	case of.OF_RECONFIG_CHANGE_ADD:
		parent := rd.Dn.Parent
		// verify that the parent is a bus (or the root node)
		if parent.Parent != nil && !parent.Check(of.OF_POPULATED_BUS) {
			return nil
		}
		if rd.Dn.Check(of.OF_POPULATED) {
			return nil
		}
		// clear the flag before adding the device so that fw_devlink
		// doesn't skip adding consumers to this device (1a50d9403fb9)
		if c.Prof.Is("overlay_fwnode", "not-device") {
			rd.Dn.FwnodeFlags &^= of.FWNODE_FLAG_NOT_DEVICE
		}
		pparent := c.FindDeviceByNode(c.Platform, parent, "of_find_device_by_node", "of_platform_notify")
		var pd *Device
		if pparent != nil {
			pd = c.OfPlatformDeviceCreate(rd.Dn, pparent)
		} else {
			pd = c.OfPlatformDeviceCreate(rd.Dn, nil)
		}
		c.PutDevice(pparent, "platform_device_put", "of_platform_notify")
		if pd == nil {
			c.Log.Printf("OF: %s: failed to create for '%s'", "of_platform_notify", rd.Dn.Path())
			return EINVAL
		}
	case of.OF_RECONFIG_CHANGE_REMOVE:
		if !rd.Dn.Check(of.OF_POPULATED) {
			return nil
		}
		pd := c.FindDeviceByNode(c.Platform, rd.Dn, "of_find_device_by_node", "of_platform_notify")
		if pd == nil {
			return nil
		}
		c.OfPlatformDeviceDestroy(pd)
		c.PutDevice(pd, "platform_device_put", "of_platform_notify")
	}
	return nil
}
