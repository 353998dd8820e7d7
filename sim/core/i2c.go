package core

import (
	"fmt"
	"strings"

	"dangle/sim/of"
)

// The I2C core (drivers/i2c/i2c-core-base.c, i2c-core-of.c).

// I2CAdapter is a struct i2c_adapter; its device is on the i2c bus.
type I2CAdapter struct {
	Nr  int
	Dev *Device
}

// I2CClient is a struct i2c_client.
type I2CClient struct {
	Adapter *I2CAdapter
	Addr    uint32
	Dev     *Device
	// devresGroupID is client->devres_group_id (5b5475826c52, v5.13).
	devresGroupID any
}

// i2cDeviceProbe is i2c_device_probe(): PM domain attach, then (since
// 5b5475826c52, v5.13) a devres group around the driver's resources, then
// the driver's probe; on failure the group and the domain go again.
func (c *Core) i2cDeviceProbe(d *Device) error {
	client := d.Priv.(*I2CClient)
	if err := c.DevPMDomainAttach(d); err != nil {
		return err
	}
	group := c.Prof.Is("i2c_devres_group", "on")
	if group {
		client.devresGroupID = c.DevresOpenGroup(d, nil, "i2c_device_probe")
		if client.devresGroupID == nil {
			// status = -ENOMEM; goto err_detach_pm_domain
			if !c.pmDetachInCleanup(c.I2C) {
				c.DevPMDomainDetach(d, "i2c_device_probe")
			}
			return ENOMEM
		}
	}
	err := d.Driver.Probe(c, d)
	if err != nil {
		if group {
			c.DevresReleaseGroup(d, client.devresGroupID)
		}
		if !c.pmDetachInCleanup(c.I2C) {
			c.DevPMDomainDetach(d, "i2c_device_probe")
		}
	}
	return err
}

// i2cDeviceRemove is i2c_device_remove(): driver remove, the devres
// group (v5.13+), then dev_pm_domain_detach() (until the v6.18 drop):
// before v5.13 the driver's devres outlives the PM domain (seeds/004).
func (c *Core) i2cDeviceRemove(d *Device) {
	client := d.Priv.(*I2CClient)
	if d.Driver.Remove != nil {
		c.devPrintk(d, "remove")
		d.Driver.Remove(c, d)
	}
	if c.Prof.Is("i2c_devres_group", "on") {
		c.DevresReleaseGroup(d, client.devresGroupID)
	}
	if !c.pmDetachInCleanup(c.I2C) {
		c.DevPMDomainDetach(d, "i2c_device_remove")
	}
}

// i2cDeviceMatch is i2c_device_match(): only clients, by OF match.
func i2cDeviceMatch(drv *Driver, d *Device) bool {
	if _, ok := d.Priv.(*I2CClient); !ok {
		return false
	}
	return drv.Matches(d.OfNode)
}

// I2CAddAdapter is i2c_add_adapter() for an adapter whose parent is the
// controller device pdev: the number is the first free dynamic one (no
// "i2c" aliases in the trees modelled), the device is "i2c-%d", and
// of_i2c_register_devices() creates a client per available child.
//
// A failing device_register() is i2c_register_adapter()'s "can't register
// device" path: put_device(&adap->dev), idr_remove(), the error returned
// (the model's adapter name is its controller's device name).
func (c *Core) I2CAddAdapter(pdev *Device) (*I2CAdapter, error) {
	adap := &I2CAdapter{Nr: c.i2cNextNr}
	c.i2cNextNr++
	d := c.newDevice(fmt.Sprintf("i2c-%d", adap.Nr), "i2c_register_adapter")
	d.Bus = c.I2C
	d.Parent = pdev
	d.OfNode = pdev.OfNode // adap->dev.of_node = pdev->dev.of_node (no fwnode)
	d.Priv = adap
	// i2c_adapter_dev_release(): complete(&adap->dev_released)
	d.release, d.releaseName = func(c *Core, d *Device) { c.freeDevice(d, "i2c_adapter_dev_release") }, "i2c_adapter_dev_release"
	adap.Dev = d
	if err := c.DeviceRegister(d); err != nil {
		c.Log.Printf("i2c-core: adapter '%s': can't register device (%d)", pdev.Name, Errno(err))
		c.PutDevice(d, "i2c_register_adapter", d.initHolder)
		return nil, err
	}
	c.ofI2CRegisterDevices(adap)
	return adap, nil
}

// ofI2CRegisterDevices is of_i2c_register_devices().
func (c *Core) ofI2CRegisterDevices(adap *I2CAdapter) {
	bus := adap.Dev.OfNode
	if b := bus.ChildByName("i2c-bus"); b != nil {
		bus = b
	}
	for node := range bus.Children() {
		if !node.IsAvailable() || node.Check(of.OF_POPULATED) {
			continue
		}
		node.Flags |= of.OF_POPULATED
		if c.ofI2CRegisterDevice(adap, node) == nil {
			c.Log.Printf("%s %s: Failed to create I2C device for %s", adap.Dev.driverString(), adap.Dev.Name, node.Path())
			node.Flags &^= of.OF_POPULATED
		}
	}
}

// ofI2CRegisterDevice is of_i2c_register_device(): the board info
// (of_i2c_get_board_info(): the modalias from "compatible", then the
// address from "reg"), then i2c_new_client_device().
func (c *Core) ofI2CRegisterDevice(adap *I2CAdapter, node *of.Node) *I2CClient {
	// of_alias_from_compatible() (of_modalias_node() before v6.2) fails
	// with -ENODEV on a node without compatible.
	if node.Prop("compatible") == nil {
		c.Log.Printf("%s %s: of_i2c: modalias failure on %s", adap.Dev.driverString(), adap.Dev.Name, node.Path())
		return nil
	}
	reg := node.Prop("reg")
	addr, ok := uint32(0), false
	if reg != nil {
		addr, ok = reg.U32()
	}
	if !ok {
		c.Log.Printf("%s %s: of_i2c: invalid reg on %s", adap.Dev.driverString(), adap.Dev.Name, node.Path())
		return nil
	}
	return c.I2CNewClientDevice(adap, node, addr)
}

// I2CNewClientDevice is i2c_new_client_device(): the client holds a node
// reference from here until i2c_unregister_device().
//
// Its kzalloc() can fail: ERR_PTR(-ENOMEM), nothing held. A failing
// device_register() goes to out_remove_swnode: of_node_put(), the dev_err
// "Failed to register i2c client", and put_device() (the need_put path).
func (c *Core) I2CNewClientDevice(adap *I2CAdapter, node *of.Node, addr uint32) *I2CClient {
	if c.fail("kzalloc", "i2c_new_client_device (i2c_client)", ENOMEM) {
		return nil
	}
	client := &I2CClient{Adapter: adap, Addr: addr}
	d := c.newDevice(fmt.Sprintf("%d-%04x", adap.Nr, addr), "i2c_new_client_device")
	d.Bus = c.I2C
	d.Parent = adap.Dev
	d.Priv = client
	// i2c_client_dev_release(): kfree(client)
	d.release, d.releaseName = func(c *Core, d *Device) { c.freeDevice(d, "i2c_client_dev_release") }, "i2c_client_dev_release"
	client.Dev = d
	d.OfNode = c.OF.NodeGetOwned(node, "i2c_new_client_device", d.nodeHolder(), d.obj)
	d.Fwnode = node
	if err := c.DeviceRegister(d); err != nil {
		c.OF.NodePutOwned(node, "i2c_new_client_device", d.nodeHolder(), d.obj)
		// client->name is the compatible without its vendor prefix
		// (of_i2c_get_board_info(): of_alias_from_compatible())
		name := ""
		if comps := Compatibles(node); len(comps) > 0 {
			name = comps[0]
			if i := strings.IndexByte(name, ','); i >= 0 {
				name = name[i+1:]
			}
		}
		c.Log.Printf("%s %s: Failed to register i2c client %s at 0x%02x (%d)", adap.Dev.driverString(), adap.Dev.Name, name, addr, Errno(err))
		c.PutDevice(d, "put_device", d.initHolder)
		return nil
	}
	return client
}

// I2CUnregisterDevice is i2c_unregister_device(): the node reference is
// dropped here, synchronously, before device_unregister().
func (c *Core) I2CUnregisterDevice(client *I2CClient) {
	d := client.Dev
	if d.OfNode != nil {
		d.OfNode.Flags &^= of.OF_POPULATED
		c.OF.NodePutOwned(d.OfNode, "i2c_unregister_device", d.nodeHolder(), d.obj)
	}
	c.DeviceUnregister(d)
}

// I2CDelAdapter is i2c_del_adapter(): unregister the clients, then the
// adapter, and wait until its last reference is gone.
func (c *Core) I2CDelAdapter(adap *I2CAdapter) {
	for _, ch := range c.children(adap.Dev) {
		if cl, ok := ch.Priv.(*I2CClient); ok {
			c.I2CUnregisterDevice(cl)
		}
	}
	d := adap.Dev
	c.DeviceUnregister(d)
	if !d.obj.Freed() {
		// wait_for_completion(&adap->dev_released) sleeps: the
		// workqueues run meanwhile, so pending link-release work that can
		// run (needs no lock this task holds) drops its references first;
		// only a reference nothing will drop is a hang.
		c.Sched("i2c_del_adapter", 0)
	}
	if !d.obj.Freed() {
		// wait_for_completion(&adap->dev_released) never returns
		// (syzkaller titles the hung-task splat "INFO: task hung in F")
		c.reportDeadlock("INFO: task hung in i2c_del_adapter", []string{d.Name + " still referenced"},
			fmt.Sprintf("INFO: task dangle:1 blocked for more than 120 seconds (i2c_del_adapter waits for %s to be released)", d.Name))
	}
}

// ofI2CNotify is of_i2c_notify(), the reconfig notifier for I2C clients.
func (c *Core) ofI2CNotify(action of.Action, rd *of.ReconfigData) error {
	switch of.GetStateChange(action, rd) {
	case of.OF_RECONFIG_CHANGE_ADD:
		ad := c.FindDeviceByNode(c.I2C, rd.Dn.Parent, "of_find_i2c_adapter_by_node", "of_i2c_notify")
		if ad == nil {
			return nil // not for us
		}
		adap, ok := ad.Priv.(*I2CAdapter)
		if !ok {
			c.PutDevice(ad, "put_device", "of_i2c_notify")
			return nil
		}
		if rd.Dn.Check(of.OF_POPULATED) {
			c.PutDevice(ad, "put_device", "of_i2c_notify")
			return nil
		}
		rd.Dn.Flags |= of.OF_POPULATED
		// clear the flag before adding the device so that fw_devlink
		// doesn't skip adding consumers to this device (1a50d9403fb9)
		if c.Prof.Is("overlay_fwnode", "not-device") {
			rd.Dn.FwnodeFlags &^= of.FWNODE_FLAG_NOT_DEVICE
		}
		client := c.ofI2CRegisterDevice(adap, rd.Dn)
		if client == nil {
			c.Log.Printf("%s %s: failed to create client for '%s'", ad.driverString(), ad.Name, rd.Dn.Path())
			c.PutDevice(ad, "put_device", "of_i2c_notify")
			rd.Dn.Flags &^= of.OF_POPULATED
			return EINVAL
		}
		c.PutDevice(ad, "put_device", "of_i2c_notify")
	case of.OF_RECONFIG_CHANGE_REMOVE:
		if !rd.Dn.Check(of.OF_POPULATED) {
			return nil
		}
		d := c.FindDeviceByNode(c.I2C, rd.Dn, "of_find_i2c_device_by_node", "of_i2c_notify")
		if d == nil {
			return nil
		}
		if cl, ok := d.Priv.(*I2CClient); ok {
			c.I2CUnregisterDevice(cl)
		}
		c.PutDevice(d, "put_device", "of_i2c_notify")
	}
	return nil
}
