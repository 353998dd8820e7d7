package core

import (
	"fmt"

	"dangle/sim/errno"
	"dangle/sim/kobj"
	"dangle/sim/of"
	"dangle/sim/profile"
	"dangle/sim/report"
)

// Kernel errnos of the driver core (shared with every subsystem).
// Drivers return them from probe.
var (
	EPROBE_DEFER error = errno.EPROBE_DEFER
	ENODEV       error = errno.ENODEV
	ENXIO        error = errno.ENXIO
	EBUSY        error = errno.EBUSY
	EINVAL       error = errno.EINVAL
	ENOMEM       error = errno.ENOMEM
	ENOENT       error = errno.ENOENT
	EEXIST       error = errno.EEXIST
)

// Errno returns the kernel's numeric value of err (0 for nil).
func Errno(err error) int { return errno.Of(err) }

// Core is the driver-core state of one simulated kernel: buses, drivers,
// devices, device links, workqueues, PM domains, regulators and the lock
// checker. It is created by New and lives for one run.
type Core struct {
	Reg  *kobj.Registry
	Log  *report.Log
	OF   *of.OF
	Prof *profile.Profile

	// Platform, I2C and SPI are the three buses (platform_bus_type,
	// i2c_bus_type, spi_bus_type).
	Platform, I2C, SPI *Bus
	// PlatformBus is the platform_bus device, parent of top-level
	// platform devices.
	PlatformBus *Device

	catalog []*Driver
	drivers []*Driver // registered, in registration order
	bindSeq int       // driver_bound() calls so far (Device.boundSeq)

	// devices is devices_kset: every registered device in add order.
	devices []*Device
	// byNode indexes devices by the of_node they had at device_add, each
	// list in add order: the kernel's bus_find_device_by_of_node() walks
	// the whole bus, and so did this model, which made a 20k-node overlay
	// quadratic (issue 14). The lookups check d.OfNode again.
	byNode map[*of.Node][]*Device

	// DeviceLinkWQ is the queue devlink_dev_release() queues the link
	// release work on: device_link_wq, or system_long_wq on a profile
	// that predates 0462c56c290a (deviceLinkWQName). Programs name it
	// wq=device_link_wq on every profile. SystemWQ is system_wq, where
	// deferred_probe_work runs.
	DeviceLinkWQ, SystemWQ *Workqueue
	workSeq                int

	// deferred probe (drivers/base/dd.c)
	deferredPending, deferredActive []*Device
	deferredProbeEnable             bool
	deferredProbeWork               *Work
	// fwDevlinkDrvRegDone is fw_devlink_drv_reg_done (set at late_initcall).
	fwDevlinkDrvRegDone bool

	// fwnode links: consumer/supplier lists per node, in creation order.
	fwSuppliers, fwConsumers map[*of.Node][]*fwnodeLink

	// DeviceLinksLock is device_links_lock; RegulatorListMutex is
	// regulator_list_mutex.
	DeviceLinksLock    of.Mutex
	RegulatorListMutex of.Mutex
	locks              lockState

	genpds     []*GenericPMDomain
	regulators []*RegulatorDev
	regNo      int
	i2cNextNr  int
	spiNextNr  int
	clocks     []*ClkProvider
	ids        map[string]int

	// Forgets is a test and benchmarking hook, nil in every user run: it
	// reports whether the driver model bound to d forgets the release
	// named release (a call its remove makes, or a devres entry: the
	// non-devm API whose undo the driver leaves out). TestForgottenReleases
	// sets it to prove that forgetting each release a catalog driver makes
	// is a finding; sim.Config.Mutant sets it for make bench's table 6.
	Forgets func(d *Device, release string) bool

	// GPIO is the GPIO and nvmem subsystem (a *gpio.GPIO, set by
	// gpio.New before Boot): catalog models reach it with gpio.From.
	GPIO any
}

// New returns the driver core for one kernel, wired to the OF layer's
// hooks (the devlink wait, sched points, lock tracking). catalog is the
// driver catalog, registered at Boot.
func New(reg *kobj.Registry, log *report.Log, t *of.OF, prof *profile.Profile, catalog []*Driver) *Core {
	c := &Core{Reg: reg, Log: log, OF: t, Prof: prof, catalog: catalog,
		fwSuppliers: map[*of.Node][]*fwnodeLink{}, fwConsumers: map[*of.Node][]*fwnodeLink{}}
	c.DeviceLinksLock = of.Mutex{Name: "device_links_lock"}
	c.RegulatorListMutex = of.Mutex{Name: "regulator_list_mutex"}
	c.locks.init()
	c.Platform = &Bus{Name: "platform", Probe: (*Core).platformProbe, Remove: (*Core).platformRemove}
	c.I2C = &Bus{Name: "i2c", Probe: (*Core).i2cDeviceProbe, Remove: (*Core).i2cDeviceRemove}
	c.SPI = &Bus{Name: "spi", Probe: (*Core).spiProbe, Remove: (*Core).spiRemove}
	c.DeviceLinkWQ = &Workqueue{Name: deviceLinkWQName(prof)}
	c.SystemWQ = &Workqueue{Name: "events"}
	t.Hooks = of.Hooks{Ctx: c,
		DeviceLinkWaitRemoval:  func(ctx any) { ctx.(*Core).DeviceLinkWaitRemoval() },
		Sched:                  func(ctx any, point string, n int) { ctx.(*Core).Sched(point, n) },
		Lock:                   func(ctx any, m *of.Mutex, holder string) { ctx.(*Core).acquire(m, holder) },
		Unlock:                 func(ctx any, m *of.Mutex) { ctx.(*Core).release(m) },
		FwDevlinkRefreshFwnode: func(ctx any, np *of.Node) { ctx.(*Core).FwDevlinkRefreshFwnode(np) }}
	// platform_bus is a static device (device_register(&platform_bus) in
	// platform_bus_init()): never freed, so not dynamic.
	c.PlatformBus = &Device{c: c, Name: "platform"}
	c.PlatformBus.obj = reg.Alloc("device", "platform", "platform_bus_init", false, true, "platform_bus_init")
	c.PlatformBus.registered = true
	return c
}

// devName is dev_name(); "(null)" for nil.
func devName(d *Device) string {
	if d == nil {
		return "(null)"
	}
	return d.Name
}

// driverString is dev_driver_string(): the bound driver's name, else the
// bus name, else the class name.
func (d *Device) driverString() string {
	if d.Driver != nil {
		return d.Driver.Name
	}
	return d.busName()
}

// busName is dev_bus_name(): the bus's name, else the class's name.
func (d *Device) busName() string {
	if d.Bus != nil {
		return d.Bus.Name
	}
	return d.Class
}

// devPrintk prints as dev_printk() does: "<driver> <device>: message".
// The simulated kernel runs with dynamic debug on for the driver core
// (dyndbg="file drivers/base/* +p"), so dev_dbg() lines print too.
// With the log off it returns before formatting anything.
func (c *Core) devPrintk(d *Device, format string, args ...any) {
	if c.Log.Quiet {
		return
	}
	c.Log.Printf("%s %s: %s", d.driverString(), d.Name, fmt.Sprintf(format, args...))
}

// prDebug prints a pr_debug() line (dynamic debug on).
func (c *Core) prDebug(format string, args ...any) { c.Log.Printf(format, args...) }

// warn is WARN()/WARN_ON() in fn of file (report.Log.Warn).
func (c *Core) warn(file, fn, what string) { c.Log.Warn(file, fn, what) }

// Forgot reports whether the Forgets hook says d's driver forgets
// release (always false outside tests and make bench's mutant table).
func (c *Core) Forgot(d *Device, release string) bool {
	return c.Forgets != nil && c.Forgets(d, release)
}
