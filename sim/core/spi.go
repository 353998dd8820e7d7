package core

import (
	"fmt"

	"dangle/sim/of"
)

// The SPI core (drivers/spi/spi.c).

// SPIController is a struct spi_controller; its device is of class
// "spi_master".
type SPIController struct {
	BusNum int
	Dev    *Device
	// devmAllocated is ctlr->devm_allocated: devres does the final put.
	devmAllocated bool
}

// SPIDevice is a struct spi_device.
type SPIDevice struct {
	Controller *SPIController
	CS         uint32
	Dev        *Device
}

// spiProbe is spi_probe(): PM domain attach, driver probe, detach on
// failure (until the v6.18 drop).
func (c *Core) spiProbe(d *Device) error {
	if err := c.DevPMDomainAttach(d); err != nil {
		return err
	}
	err := d.Driver.Probe(c, d)
	if err != nil && !c.pmDetachInCleanup(c.SPI) {
		c.DevPMDomainDetach(d, "spi_probe")
	}
	return err
}

// spiRemove is spi_remove() (spi_drv_remove before v5.x): driver remove
// then dev_pm_domain_detach(); the SPI variant of 5b5475826c52 was never
// merged, so the driver's devres outlives the domain until v6.18.
func (c *Core) spiRemove(d *Device) {
	if d.Driver.Remove != nil {
		d.Driver.Remove(c, d)
	}
	if !c.pmDetachInCleanup(c.SPI) {
		c.DevPMDomainDetach(d, "spi_remove")
	}
}

// SPIAllocHost is spi_alloc_host()/__spi_alloc_controller(): a class
// device child of pdev, released by spi_controller_release(); nil when
// its kzalloc() fails.
func (c *Core) SPIAllocHost(pdev *Device) *SPIController {
	if c.fail("kzalloc", "__spi_alloc_controller (spi_controller)", ENOMEM) {
		return nil
	}
	// the bus number is picked in spi_register_controller(); it is picked
	// here so the device has its final name from the start
	ctlr := &SPIController{BusNum: c.spiNextNr}
	c.spiNextNr++
	d := c.newDevice(fmt.Sprintf("spi%d", ctlr.BusNum), "__spi_alloc_controller")
	d.Class = "spi_master"
	d.Parent = pdev
	d.OfNode = pdev.OfNode
	d.Priv = ctlr
	d.release, d.releaseName = func(c *Core, d *Device) { c.freeDevice(d, "spi_controller_release") }, "spi_controller_release"
	ctlr.Dev = d
	return ctlr
}

// spiClassListHolder holds the spi_master class list's reference.
const spiClassListHolder = "spi_master class list"

// DevmSPIAllocHost is devm_spi_alloc_host() -> __devm_spi_alloc_controller()
// (5e844cc37a5c, v5.10; devm_spi_alloc_master before v6.2): the
// controller is marked devm_allocated and a devres entry,
// devm_spi_release_controller(), does the final spi_controller_put() at
// unbind, after spi_unregister_controller() (which then skips its own
// put). Added before devm_spi_register_controller()'s entry, it is
// released after it.
func (c *Core) DevmSPIAllocHost(pdev *Device) *SPIController {
	ctlr := c.SPIAllocHost(pdev)
	if ctlr == nil {
		return nil
	}
	ctlr.devmAllocated = true
	c.DevresAdd(pdev, "devm_spi_release_controller", ctlr, func(c *Core, data, _ any) {
		ctlr := data.(*SPIController)
		c.PutDevice(ctlr.Dev, "devm_spi_release_controller", ctlr.Dev.initHolder)
	})
	return ctlr
}

// SPIRegisterController is spi_register_controller(): the first free
// dynamic bus number (no "spi" aliases), "spi%u", device_add, then
// of_register_spi_devices().
func (c *Core) SPIRegisterController(ctlr *SPIController) error {
	if err := c.DeviceAdd(ctlr.Dev); err != nil {
		return err
	}
	// device_add()'s klist_add_tail() on the spi_master class list takes
	// get_device() (klist_class_dev_get); device_del() drops it. The
	// model counts this one only: it is what keeps a controller whose
	// driver never unregisters it alive after devres' final put.
	c.Reg.Get(ctlr.Dev.obj, "klist_class_dev_get", spiClassListHolder)
	for nc := range ctlr.Dev.OfNode.Children() {
		if !nc.IsAvailable() || nc.Check(of.OF_POPULATED) {
			continue
		}
		nc.Flags |= of.OF_POPULATED
		if c.ofRegisterSPIDevice(ctlr, nc) == nil {
			c.Log.Printf("%s %s: Failed to create SPI device for %s", ctlr.Dev.driverString(), ctlr.Dev.Name, nc.Path())
			nc.Flags &^= of.OF_POPULATED
		}
	}
	return nil
}

// SPIUnregisterController is spi_unregister_controller(): unregister the
// children, device_del, and put the controller unless it is
// devm_allocated (devres puts it then).
func (c *Core) SPIUnregisterController(ctlr *SPIController) {
	for _, ch := range c.children(ctlr.Dev) {
		if s, ok := ch.Priv.(*SPIDevice); ok {
			c.SPIUnregisterDevice(s)
		}
	}
	c.DeviceDel(ctlr.Dev)
	c.PutDevice(ctlr.Dev, "klist_class_dev_put", spiClassListHolder)
	if !ctlr.devmAllocated {
		c.PutDevice(ctlr.Dev, "spi_controller_put", ctlr.Dev.initHolder)
	}
}

// ofRegisterSPIDevice is of_register_spi_device(): spi_alloc_device()
// (which pins the controller until spidev_release()), the chip select
// from "reg", the node reference, spi_add_device().
func (c *Core) ofRegisterSPIDevice(ctlr *SPIController, nc *of.Node) *SPIDevice {
	reg := nc.Prop("reg")
	cs, ok := uint32(0), false
	if reg != nil {
		cs, ok = reg.U32()
	}
	name := fmt.Sprintf("%s.%d", ctlr.Dev.Name, cs)
	// spi_alloc_device(): spi_controller_get(), kzalloc() (on failure
	// spi_controller_put(), NULL): "spi_device alloc error", -ENOMEM
	if c.fail("kzalloc", "spi_alloc_device ("+name+")", ENOMEM) {
		c.Log.Printf("%s %s: spi_device alloc error for %s", ctlr.Dev.driverString(), ctlr.Dev.Name, nc.Path())
		return nil
	}
	s := &SPIDevice{Controller: ctlr, CS: cs}
	d := c.newDevice(name, "spi_alloc_device")
	d.Bus = c.SPI
	d.Parent = ctlr.Dev
	d.Priv = s
	s.Dev = d
	c.getOwned(ctlr.Dev, "spi_controller_get", "spi device "+name, d.obj)
	// spidev_release(): spi_controller_put(spi->controller); kfree(spi)
	d.release, d.releaseName = func(c *Core, d *Device) {
		c.PutDevice(d.Priv.(*SPIDevice).Controller.Dev, "spidev_release", "spi device "+d.Name)
		c.freeDevice(d, "spidev_release")
	}, "spidev_release"
	// of_alias_from_compatible() (of_modalias_node() before v6.2): no
	// compatible, no modalias, no device.
	if nc.Prop("compatible") == nil {
		c.Log.Printf("%s %s: cannot find modalias for %s", ctlr.Dev.driverString(), ctlr.Dev.Name, nc.Path())
		c.PutDevice(d, "spi_dev_put", d.initHolder)
		return nil
	}
	if !ok {
		c.Log.Printf("%s %s: %s has no valid 'reg' property (%d)", ctlr.Dev.driverString(), ctlr.Dev.Name, nc.Path(), -22)
		c.PutDevice(d, "spi_dev_put", d.initHolder)
		return nil
	}
	c.OF.NodeGetOwned(nc, "of_register_spi_device", d.nodeHolder(), d.obj)
	d.OfNode, d.Fwnode = nc, nc
	if err := c.DeviceAdd(d); err != nil {
		c.OF.NodePutOwned(nc, "of_register_spi_device", d.nodeHolder(), d.obj)
		c.PutDevice(d, "spi_dev_put", d.initHolder)
		return nil
	}
	return s
}

// SPIUnregisterDevice is spi_unregister_device(): node reference dropped
// synchronously, device_del, put.
func (c *Core) SPIUnregisterDevice(s *SPIDevice) {
	d := s.Dev
	if d.OfNode != nil {
		d.OfNode.Flags &^= of.OF_POPULATED
		c.OF.NodePutOwned(d.OfNode, "spi_unregister_device", d.nodeHolder(), d.obj)
	}
	c.DeviceDel(d)
	c.PutDevice(d, "spi_unregister_device", d.initHolder)
}

// ofSPINotify is of_spi_notify().
func (c *Core) ofSPINotify(action of.Action, rd *of.ReconfigData) error {
	switch of.GetStateChange(action, rd) {
	case of.OF_RECONFIG_CHANGE_ADD:
		cd := c.FindClassDeviceByNode("spi_master", rd.Dn.Parent, "of_find_spi_controller_by_node", "of_spi_notify")
		if cd == nil {
			return nil
		}
		if rd.Dn.Check(of.OF_POPULATED) {
			c.PutDevice(cd, "put_device", "of_spi_notify")
			return nil
		}
		rd.Dn.Flags |= of.OF_POPULATED
		if c.Prof.Is("overlay_fwnode", "not-device") { // 1a50d9403fb9
			rd.Dn.FwnodeFlags &^= of.FWNODE_FLAG_NOT_DEVICE
		}
		s := c.ofRegisterSPIDevice(cd.Priv.(*SPIController), rd.Dn)
		c.PutDevice(cd, "put_device", "of_spi_notify")
		if s == nil {
			c.Log.Printf("%s: failed to create for '%s'", "of_spi_notify", rd.Dn.Path())
			rd.Dn.Flags &^= of.OF_POPULATED
			return EINVAL
		}
	case of.OF_RECONFIG_CHANGE_REMOVE:
		if !rd.Dn.Check(of.OF_POPULATED) {
			return nil
		}
		d := c.FindDeviceByNode(c.SPI, rd.Dn, "of_find_spi_device_by_node", "of_spi_notify")
		if d == nil {
			return nil
		}
		c.SPIUnregisterDevice(d.Priv.(*SPIDevice))
		c.PutDevice(d, "put_device", "of_spi_notify")
	}
	return nil
}
