package core

import (
	"slices"

	"dangle/sim/of"
)

// Bus is a struct bus_type: its probe and remove wrap the driver's
// (platform_probe, i2c_device_probe, spi_probe, …). Its functions are
// static code (method expressions) called with the device's core, so a
// cloned kernel shares them.
type Bus struct {
	Name   string
	Probe  func(c *Core, d *Device) error
	Remove func(c *Core, d *Device)
	// match overrides the OF match (i2c_device_match rejects adapters).
	match func(drv *Driver, d *Device) bool
}

// Driver is a catalog driver model: a struct device_driver with its OF
// match table and the Go model of its probe and remove. Drivers are
// immutable descriptions shared by every run; per-run state lives in Core.
type Driver struct {
	// Name is drv->name ("reg-fixed-voltage").
	Name string
	// Doc says in one line what the model does (dangle drivers).
	Doc string
	// Bus is the bus it registers on: "platform", "i2c" or "spi".
	Bus string
	// OfMatch is the of_match_table's compatibles.
	OfMatch []string
	// Probe and Remove model the C driver's probe/remove; Remove may be
	// nil (devm-only drivers).
	Probe  func(c *Core, d *Device) error
	Remove func(c *Core, d *Device)
	// OfDeclare, if set, runs at boot for every available node matching
	// OfMatch before devices are populated (CLK_OF_DECLARE and friends:
	// early init without a struct device).
	OfDeclare func(c *Core, np *of.Node)
	// Binding describes the nodes it binds (for the overlay generator);
	// nil for models that generated overlays should not instantiate.
	Binding *Binding
}

// Matches is of_driver_match_device() for a node: one of its compatibles
// is in the match table.
func (drv *Driver) Matches(np *of.Node) bool {
	if np == nil {
		return false
	}
	return compatibleIn(np, drv.OfMatch)
}

// compatibleIn reports whether one of np's compatible strings is in
// table. It walks the property value in place: the match runs for every
// driver against every device, and building the string slice of
// Compatibles each time was a visible share of a run.
func compatibleIn(np *of.Node, table []string) bool {
	p := np.Prop("compatible")
	if p == nil {
		return false
	}
	start := 0
	for i, b := range p.Value {
		if b == 0 {
			comp := p.Value[start:i]
			for _, m := range table {
				if string(comp) == m {
					return true
				}
			}
			start = i + 1
		}
	}
	return false
}

// Compatibles returns the node's compatible strings in order.
func Compatibles(np *of.Node) []string {
	p := np.Prop("compatible")
	if p == nil {
		return nil
	}
	var out []string
	start := 0
	for i, b := range p.Value {
		if b == 0 {
			out = append(out, string(p.Value[start:i]))
			start = i + 1
		}
	}
	return out
}

func (c *Core) busOf(drv *Driver) *Bus {
	switch drv.Bus {
	case "i2c":
		return c.I2C
	case "spi":
		return c.SPI
	}
	return c.Platform
}

// CatalogDriver returns the catalog driver whose match table has compat.
func (c *Core) CatalogDriver(compat string) *Driver {
	for _, drv := range c.catalog {
		if slices.Contains(drv.OfMatch, compat) {
			return drv
		}
	}
	return nil
}

// Registered reports whether drv is registered.
func (c *Core) Registered(drv *Driver) bool { return slices.Contains(c.drivers, drv) }

// DriverRegister is driver_register() (module load): bus_add_driver()
// then driver_attach(): try every device of the bus, in order.
func (c *Core) DriverRegister(drv *Driver) error {
	if c.Registered(drv) {
		c.Log.Printf("Error: Driver '%s' is already registered, aborting...", drv.Name)
		return EBUSY
	}
	c.drivers = append(c.drivers, drv)
	bus := c.busOf(drv)
	for _, d := range slices.Clone(c.devices) {
		if d.Bus != bus || !d.registered || !c.driverMatchDevice(drv, d) {
			continue
		}
		d.canMatch = true
		// __driver_attach(): device_driver_attach() under the device lock
		c.Lock(&d.Mutex, "__driver_attach")
		if d.Driver == nil && !d.dead {
			c.driverProbeDevice(drv, d)
		}
		c.Unlock(&d.Mutex)
	}
	return nil
}

// DriverUnregister is driver_unregister() (module unload): driver_detach()
// unbinds its devices last-bound first (the tail of the driver's
// klist_devices, which driver_bound() appends to).
func (c *Core) DriverUnregister(drv *Driver) error {
	if !c.Registered(drv) {
		return ENODEV
	}
	for {
		var last *Device
		for _, d := range c.devices {
			if d.Driver == drv && (last == nil || d.boundSeq > last.boundSeq) {
				last = d
			}
		}
		if last == nil {
			break
		}
		c.deviceReleaseDriverInternal(last, drv)
	}
	c.drivers = slices.DeleteFunc(c.drivers, func(x *Driver) bool { return x == drv })
	return nil
}

func (c *Core) driverMatchDevice(drv *Driver, d *Device) bool {
	if c.busOf(drv) != d.Bus {
		return false
	}
	if d.Bus.match != nil {
		return d.Bus.match(drv, d)
	}
	return drv.Matches(d.OfNode)
}

// busProbeDevice is bus_probe_device() -> device_initial_probe() ->
// __device_attach(dev, allow_async) under the device lock.
func (c *Core) busProbeDevice(d *Device) { c.deviceAttach(d) }

// DeviceAttach is device_attach(): 1 if bound, 0 if no driver matched,
// or an error.
func (c *Core) DeviceAttach(d *Device) (int, error) { return c.deviceAttach(d) }

func (c *Core) deviceAttach(d *Device) (int, error) {
	c.Lock(&d.Mutex, "__device_attach")
	defer c.Unlock(&d.Mutex)
	if d.dead {
		return 0, ENODEV
	}
	if d.Driver != nil {
		return 1, nil
	}
	for _, drv := range c.drivers {
		// __device_attach_driver()
		if !c.driverMatchDevice(drv, d) {
			continue
		}
		d.canMatch = true
		ret := c.driverProbeDevice(drv, d)
		if ret == nil {
			return 1, nil
		}
	}
	return 0, nil
}

// driverProbeDevice is driver_probe_device(): really_probe(), and on
// -EPROBE_DEFER the deferred list.
func (c *Core) driverProbeDevice(drv *Driver, d *Device) error {
	if !d.registered {
		return ENODEV
	}
	err := c.reallyProbe(drv, d)
	if err == EPROBE_DEFER {
		c.driverDeferredProbeAdd(d)
	}
	return err
}

// reallyProbe is really_probe() (drivers/base/dd.c).
func (c *Core) reallyProbe(drv *Driver, d *Device) error {
	if err := c.deviceLinksCheckSuppliers(d); err == EPROBE_DEFER {
		return err
	}
	c.devPrintk(d, "bus: '%s': %s: probing driver %s with device", d.Bus.Name, "really_probe", drv.Name)
	if len(d.devres) > 0 {
		// dev_crit(); "goto done": unlike a failed probe, the supplier
		// links device_links_check_suppliers() moved to CONSUMER_PROBE
		// and the PROBING status stay as they are (dd.c, v5.9 .. v6.18).
		c.Log.Printf("%s %s: Resources present before probing", d.driverString(), d.Name)
		c.warnOracle("Resources present before probing", "really_probe", d.Name)
		return EBUSY
	}
	d.Driver = drv // device_set_driver()
	d.pmDetachedIn, d.pmReported = "", false
	// pinctrl_bind_pins(): dev->pins = devm_kzalloc(): -ENOMEM, goto
	// pinctrl_bind_failed (the devres it frees again when the device has
	// no pinctrl state holds nothing the model tracks)
	if c.fail("devm_kzalloc", "pinctrl_bind_pins ("+d.Name+")", ENOMEM) {
		c.deviceLinksNoDriver(d)
		c.deviceUnbindCleanup(d)
		return ENOMEM
	}
	// driver_sysfs_add(): sysfs_create_link() of the driver's link to the
	// device: dev_err(), goto sysfs_failed (BUS_NOTIFY_DRIVER_NOT_BOUND,
	// then as pinctrl_bind_failed). The text is that of the 2024 dev_*
	// conversion ("driver: core: Use dev_* instead of pr_* so device
	// metadata is added"), the form every really_probe() line here has;
	// before it: pr_err("%s: driver_sysfs_add(%s) failed").
	if c.fail("sysfs_create_link", "driver_sysfs_add ("+d.Name+")", ENOMEM) {
		c.devPrintk(d, "really_probe: driver_sysfs_add failed")
		c.deviceLinksNoDriver(d)
		c.deviceUnbindCleanup(d)
		return ENOMEM
	}
	err := c.callDriverProbe(drv, d)
	if err != nil {
		// probe_failed: driver_sysfs_remove, BUS_NOTIFY_DRIVER_NOT_BOUND,
		// then device_links_no_driver() and device_unbind_cleanup()
		c.deviceLinksNoDriver(d)
		c.deviceUnbindCleanup(d)
		return err
	}
	c.driverBound(d)
	c.devPrintk(d, "bus: '%s': %s: bound device to driver %s", d.Bus.Name, "really_probe", drv.Name)
	return nil
}

// callDriverProbe is call_driver_probe(): bus->probe, and its messages.
func (c *Core) callDriverProbe(drv *Driver, d *Device) error {
	err := d.Bus.Probe(c, d)
	switch err {
	case nil:
	case EPROBE_DEFER:
		c.devPrintk(d, "Driver %s requests probe deferral", drv.Name)
	case ENODEV, ENXIO:
		c.devPrintk(d, "probe with driver %s rejects match %d", drv.Name, Errno(err))
	default:
		c.devPrintk(d, "probe with driver %s failed with error %d", drv.Name, Errno(err))
	}
	return err
}

// driverBound is driver_bound(): links, then the deferred-probe kick.
func (c *Core) driverBound(d *Device) {
	// klist_add_tail(&dev->p->knode_driver, &dev->driver->p->klist_devices)
	c.bindSeq++
	d.boundSeq = c.bindSeq
	c.deviceLinksDriverBound(d)
	c.driverDeferredProbeDel(d)
	c.driverDeferredProbeTrigger()
}

// DeviceReleaseDriver is device_release_driver(): the sysfs unbind and
// bus_remove_device() path.
func (c *Core) DeviceReleaseDriver(d *Device) { c.deviceReleaseDriverInternal(d, nil) }

// deviceReleaseDriverInternal is device_release_driver_internal(): under
// the device lock, if drv is nil or bound, __device_release_driver().
func (c *Core) deviceReleaseDriverInternal(d *Device, drv *Driver) {
	c.Lock(&d.Mutex, "device_release_driver_internal")
	if drv == nil || drv == d.Driver {
		c.deviceReleaseDriverLocked(d)
	}
	c.Unlock(&d.Mutex)
}

// deviceReleaseDriverLocked is __device_release_driver() (dd.c), in order:
// force-unbind busy consumers (device lock dropped), device_remove(),
// device_unbind_cleanup(), device_links_driver_cleanup().
func (c *Core) deviceReleaseDriverLocked(d *Device) {
	drv := d.Driver
	if drv == nil {
		return
	}
	guard := retryGuard{d: d}
	for c.deviceLinksBusy(d) {
		if guard.stuck() {
			// the kernel spins here for ever (livelock.go)
			c.reportReleaseLivelock(d)
			break
		}
		c.Unlock(&d.Mutex)
		c.deviceLinksUnbindConsumers(d)
		c.Lock(&d.Mutex, "__device_release_driver")
		// a concurrent invocation may have released the driver
		if d.Driver != drv {
			return
		}
	}
	// device_remove(): bus->remove, else drv->remove
	if d.Bus.Remove != nil {
		d.Bus.Remove(c, d)
	} else if drv.Remove != nil {
		drv.Remove(c, d)
	}
	c.deviceUnbindCleanup(d)
	c.deviceLinksDriverCleanup(d)
}

// deviceUnbindCleanup is device_unbind_cleanup(): devres_release_all()
// (LIFO), clear driver and drvdata, and since f99508074e78 (v6.17, the
// platform bus; i2c/spi drop their own detach in v6.18) the PM domain
// detach.
func (c *Core) deviceUnbindCleanup(d *Device) {
	if !c.OF.Skipped("device_unbind_cleanup:devres_release_all") { // a kernel mutant, make bench only
		c.devresReleaseAll(d)
	}
	bus := d.Bus
	d.Driver = nil
	d.DrvData = nil
	if c.pmDetachInCleanup(bus) {
		c.DevPMDomainDetach(d, "device_unbind_cleanup")
	}
}

// pmDetachInCleanup reports whether bus detaches the PM domain in
// device_unbind_cleanup() rather than in its remove.
func (c *Core) pmDetachInCleanup(bus *Bus) bool {
	switch c.Prof.Get("pm_detach") {
	case "unbind-cleanup":
		return true
	case "platform":
		return bus == c.Platform
	}
	return false
}
