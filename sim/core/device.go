package core

import (
	"dangle/sim/kobj"
	"dangle/sim/of"
)

// Device is a struct device. Its kobject kref is obj's refcount; every
// get_device/put_device names its holder.
//
// Invariants: registered is device_is_registered() (between device_add
// and device_del); Fwnode.Dev == this device only while registered;
// Driver is set from really_probe() until device_unbind_cleanup().
type Device struct {
	obj *kobj.Object
	c   *Core
	// indexedNode is OfNode as Core.byNode filed it at device_add.
	indexedNode *of.Node

	// Name is dev_name().
	Name string
	// Bus is dev->bus (nil for class devices); Class is dev->class's name
	// ("regulator", "devlink", "i2c-adapter"…, "" for bus devices).
	Bus    *Bus
	Class  string
	Parent *Device
	// OfNode is dev->of_node; Fwnode is dev->fwnode (nil when the code
	// that creates the device sets only of_node, as regulator_register()
	// and i2c adapters do).
	OfNode *of.Node
	Fwnode *of.Node
	Driver *Driver
	// DrvData is dev_get_drvdata(): the driver's private state.
	DrvData any
	// Priv is the bus's or class's container (i2c_client, spi_device,
	// regulator_dev, …).
	Priv any
	// release is dev->release (or type/class release): it must kfree the
	// container (freeDevice) unless the memory outlives it.
	release     func(c *Core, d *Device)
	releaseName string
	// ReleaseLocks are the locks the release callback takes (predicted
	// before a work item runs at a sched point).
	ReleaseLocks []*of.Mutex

	// AddNotFallible: device_add() of this device is no fault-injection
	// point, because its caller's error path is not modelled.
	AddNotFallible bool

	registered bool
	dead       bool
	devres     []*devres
	// Device links (dev->links.suppliers / .consumers) in list order.
	suppliers, consumers []*Link
	linksStatus          DLDevStatus
	canMatch             bool
	// boundSeq orders bound devices by driver_bound() (klist_devices).
	boundSeq   int
	initHolder string
	// Mutex is dev->mutex (device_lock()).
	Mutex of.Mutex

	// PM domain state (dev->pm_domain) and the function that detached it
	// during the current unbind, for the devres ordering oracle.
	pmDomain     *GenericPMDomain
	pmDetachedIn string
	pmReported   bool
}

// Obj returns the device's registry object.
func (d *Device) Obj() *kobj.Object { return d.obj }

// Registered is device_is_registered().
func (d *Device) Registered() bool { return d.registered }

// newDevice is the allocation plus device_initialize(): kref 1 held by
// the creator (alloc is the allocating kernel function).
func (c *Core) newDevice(name, alloc string) *Device {
	d := &Device{c: c, Name: name, Mutex: of.Mutex{Name: "&dev->mutex"}, initHolder: name + " (device_initialize)"}
	d.obj = c.Reg.Alloc("device", name, alloc, true, true, d.initHolder)
	return d
}

// getOwned is get_device() for a reference the device owner keeps (a
// child's parent references, a link's device references).
func (c *Core) getOwned(d *Device, fn, holder string, owner *kobj.Object) {
	if d != nil {
		c.Reg.GetOwned(d.obj, fn, holder, owner)
	}
}

// Live reports whether o belongs to the running system at the end of a
// run: a registered device, a link between two registered devices and
// its link device (unless a stateless reference taken during the run was
// never dropped: Link.stranded). The leak check exempts them and the references they
// hold (a base node's device re-created by an overlay removal is the
// restored system, not a leak).
func (c *Core) Live(o *kobj.Object) bool {
	for _, d := range c.devices {
		if d.obj == o {
			if l, ok := d.Priv.(*Link); ok {
				return l.live()
			}
			return true
		}
		if l, ok := d.Priv.(*Link); ok && l.obj == o {
			return l.live()
		}
	}
	return c.providerLive(o)
}

// live: a link is part of the running system while both ends are
// registered, unless only a forgotten stateless reference keeps it.
func (l *Link) live() bool {
	return l.Supplier.registered && l.Consumer.registered && !l.stranded()
}

// GetDevice is get_device(): +1 for holder.
func (c *Core) GetDevice(d *Device, fn, holder string) *Device {
	if d == nil {
		return nil
	}
	c.Reg.Get(d.obj, fn, holder)
	return d
}

// PutDevice is put_device(): -1 for holder; at zero device_release().
func (c *Core) PutDevice(d *Device, fn, holder string) {
	if d == nil {
		return
	}
	if c.Reg.Put(d.obj, fn, holder) {
		c.deviceRelease(d, fn)
	}
}

// deviceRelease is device_release() (drivers/base/core.c): release what
// devres is left, then dev->release / type->release / class->dev_release.
func (c *Core) deviceRelease(d *Device, fn string) {
	c.devresReleaseAll(d)
	if d.release == nil {
		c.Log.Printf("Device '%s' does not have a release() function, it is broken and must be fixed. See Documentation/core-api/kobject.rst.", d.Name)
		c.warn("drivers/base/core.c", "device_release", d.Name)
		return
	}
	d.release(c, d)
}

// freeDevice is the kfree() of the container at the end of a release.
func (c *Core) freeDevice(d *Device, fn string) { c.Reg.Free(d.obj, fn) }

// DeviceAdd is device_add() (drivers/base/core.c), in its order: parent
// references, sysfs, fw_devlink for a fwnode that has no device yet, bus
// probe, and fw_devlink_unblock_consumers() when no driver can match.
func (c *Core) DeviceAdd(d *Device) error {
	if !c.Reg.Touch(d.obj, "device_add") {
		return EINVAL
	}
	c.GetDevice(d, "device_add", "device_add (self)")
	c.prDebug("device: '%s': %s", d.Name, "device_add")
	if d.Parent != nil {
		c.getOwned(d.Parent, "device_add", "device_add: child "+d.Name, d.obj)
	}
	// kobject_add() (kobject_add_internal: -ENOMEM, -EEXIST): goto
	// Error -> parent_error: put_device(parent); name_error: kfree(dev->p);
	// done: put_device(dev). The caller still holds the initial
	// reference and must put it (platform_device_put()).
	if !d.AddNotFallible && c.fail("kobject_add", "device_add ("+d.Name+")", ENOMEM) {
		if d.Parent != nil {
			c.PutDevice(d.Parent, "device_add", "device_add: child "+d.Name)
		}
		c.PutDevice(d, "device_add", "device_add (self)")
		return ENOMEM
	}
	if d.Parent != nil {
		// kobject_add() pins the parent kobject too
		c.getOwned(d.Parent, "kobject_add", "kobject_add: child "+d.Name, d.obj)
	}
	d.registered = true
	d.dead = false
	c.devices = append(c.devices, d)
	if d.OfNode != nil {
		if c.byNode == nil {
			c.byNode = map[*of.Node][]*Device{}
		}
		d.indexedNode = d.OfNode
		c.byNode[d.OfNode] = append(c.byNode[d.OfNode], d)
	}
	if d.Fwnode != nil && d.Fwnode.Dev == nil {
		d.Fwnode.Dev = d
		c.fwDevlinkLinkDevice(d)
	}
	if d.Bus != nil {
		c.busProbeDevice(d)
	}
	if d.Fwnode != nil && c.fwDevlinkDrvRegDone && !d.canMatch {
		c.fwDevlinkUnblockConsumers(d)
	}
	c.PutDevice(d, "device_add", "device_add (self)")
	return nil
}

// DeviceRegister is device_register(): device_initialize() was done at
// allocation, so this is device_add().
func (c *Core) DeviceRegister(d *Device) error { return c.DeviceAdd(d) }

// DeviceDel is device_del() (drivers/base/core.c), in its order:
// kill_device, drop fwnode->dev, bus_remove_device (full unbind),
// deferred-list removal, device_links_purge, devres_release_all (v6.6+,
// knob devres_device_del), kobject_del and the parent puts.
func (c *Core) DeviceDel(d *Device) {
	if !c.Reg.Touch(d.obj, "device_del") {
		return
	}
	c.Lock(&d.Mutex, "device_del")
	d.dead = true // kill_device()
	c.Unlock(&d.Mutex)
	if d.Fwnode != nil && d.Fwnode.Dev == d {
		d.Fwnode.Dev = nil
	}
	if d.Bus != nil {
		// bus_remove_device() -> device_release_driver()
		c.DeviceReleaseDriver(d)
	}
	c.driverDeferredProbeDel(d)
	c.deviceLinksPurge(d)
	// 699fb50d9903 (v6.6): release what devres a driver-less device
	// holds here too, not only in device_release().
	if c.Prof.Is("devres_device_del", "device-del") {
		c.devresReleaseAll(d)
	}
	for i, x := range c.devices {
		if x == d {
			c.devices = append(c.devices[:i:i], c.devices[i+1:]...)
			break
		}
	}
	if n := d.indexedNode; n != nil {
		l := c.byNode[n]
		for i, x := range l {
			if x == d {
				l = append(l[:i:i], l[i+1:]...)
				break
			}
		}
		if len(l) == 0 {
			delete(c.byNode, n)
		} else {
			c.byNode[n] = l
		}
		d.indexedNode = nil
	}
	d.registered = false
	if d.Parent != nil {
		c.PutDevice(d.Parent, "kobject_del", "kobject_add: child "+d.Name)
		c.PutDevice(d.Parent, "device_del", "device_add: child "+d.Name)
	}
}

// DeviceUnregister is device_unregister(): device_del() then the put of
// the initial reference.
func (c *Core) DeviceUnregister(d *Device) {
	c.prDebug("device: '%s': %s", d.Name, "device_unregister")
	c.DeviceDel(d)
	c.PutDevice(d, "device_unregister", d.initHolder)
}

// children returns the registered devices whose parent is d, in add order
// (klist_children).
func (c *Core) children(d *Device) []*Device {
	var out []*Device
	for _, x := range c.devices {
		if x.Parent == d {
			out = append(out, x)
		}
	}
	return out
}

// FindDeviceByNode is bus_find_device_by_of_node() / of_find_device_by_node()
// for bus (nil: any bus device): the first registered device of that bus
// whose of_node is np, with a reference for holder.
func (c *Core) FindDeviceByNode(bus *Bus, np *of.Node, fn, holder string) *Device {
	for _, d := range c.devicesOfNode(np) {
		if d.OfNode == np && d.Bus != nil && (bus == nil || d.Bus == bus) {
			return c.GetDevice(d, fn, holder)
		}
	}
	return nil
}

// FindClassDeviceByNode is class_find_device_by_of_node().
func (c *Core) FindClassDeviceByNode(class string, np *of.Node, fn, holder string) *Device {
	for _, d := range c.devicesOfNode(np) {
		if d.OfNode == np && d.Class == class {
			return c.GetDevice(d, fn, holder)
		}
	}
	return nil
}

// devicesOfNode returns the registered devices that may have of_node np,
// in add order: the index's list, or every device for np == NULL (which
// matches the devices without a node, as device_match_of_node() does).
func (c *Core) devicesOfNode(np *of.Node) []*Device {
	if np == nil {
		return c.devices
	}
	return c.byNode[np]
}

// Devices returns the registered devices in devices_kset order.
func (c *Core) Devices() []*Device { return c.devices }
