package core

import "dangle/sim/of"

// Boot brings the driver core up on the loaded base tree, in initcall
// order: the subsystems' reconfig notifiers (i2c_init, spi_init at
// postcore), of_clk_init() for CLK_OF_DECLARE nodes, the default platform
// populate (arch_initcall_sync), the catalog drivers (device_initcall,
// catalog order), then deferred_probe_initcall() (late_initcall): enable
// and run deferred probing, fw_devlink_drivers_done(), and once more.
// Boot is silent: the log is muted and restored. Pending link-release
// work is flushed so op 1 starts from a quiescent kernel.
func (c *Core) Boot() {
	quiet := c.Log.Quiet
	c.Log.Quiet = true
	defer func() { c.Log.Quiet = quiet }()

	c.OF.ReconfigNotifierRegister(of.ReconfigNotifier{Name: "of_i2c_notify", Ctx: c,
		Call: func(ctx any, a of.Action, rd *of.ReconfigData) error { return ctx.(*Core).ofI2CNotify(a, rd) }})
	c.OF.ReconfigNotifierRegister(of.ReconfigNotifier{Name: "of_spi_notify", Ctx: c,
		Call: func(ctx any, a of.Action, rd *of.ReconfigData) error { return ctx.(*Core).ofSPINotify(a, rd) }})
	for _, drv := range c.catalog {
		if drv.OfDeclare == nil {
			continue
		}
		c.OF.AllNodes(func(np *of.Node) bool {
			if np.IsAvailable() && drv.Matches(np) {
				drv.OfDeclare(c, np)
			}
			return true
		})
	}
	c.OfPlatformPopulate(c.OF.Root, OfDefaultBusMatchTable, nil)
	c.OF.ReconfigNotifierRegister(of.ReconfigNotifier{Name: "of_platform_notify", Ctx: c,
		Call: func(ctx any, a of.Action, rd *of.ReconfigData) error { return ctx.(*Core).ofPlatformNotify(a, rd) }})
	for _, drv := range c.catalog {
		c.DriverRegister(drv)
	}
	c.deferredProbeEnable = true
	c.driverDeferredProbeTrigger()
	c.FlushWorkqueue(c.SystemWQ, "deferred_probe_initcall")
	c.fwDevlinkDriversDone()
	c.driverDeferredProbeTrigger()
	c.FlushAll()
}

// fwDevlinkDriversDone is fw_devlink_drivers_done(): from now on a
// supplier no driver can match stops blocking its consumers.
func (c *Core) fwDevlinkDriversDone() {
	c.fwDevlinkDrvRegDone = true
	c.Lock(&c.DeviceLinksLock, "fw_devlink_drivers_done")
	for _, d := range c.devices {
		if d.Class != "devlink" {
			continue
		}
		link := d.Priv.(*Link)
		if !link.Supplier.canMatch && link.Flags&DL_FLAG_INFERRED != 0 && !syncStateOnly(link.Flags) {
			link.Flags = DL_FLAG_MANAGED | fwDevlinkFlagsPermissive
		}
	}
	c.Unlock(&c.DeviceLinksLock)
}

// DeviceByNode returns the device bound to np's fwnode, else the first
// registered device whose of_node is np (bus devices first), or nil.
// It takes no reference: ops resolve node= arguments with it.
func (c *Core) DeviceByNode(np *of.Node) *Device {
	if np == nil {
		return nil
	}
	if d := getDevFromFwnode(np); d != nil {
		return d
	}
	for _, d := range c.devices {
		if d.OfNode == np && d.Bus != nil {
			return d
		}
	}
	return nil
}
