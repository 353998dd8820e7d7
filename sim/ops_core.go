package sim

import (
	"strconv"
	"strings"

	"dangle/sim/core"
	"dangle/sim/errno"
)

// Handlers of the driver-core ops (prog.Ops entries after
// overlay_notifier_deref).
func init() {
	handle("of_platform_populate", opOfPlatformPopulate)
	handle("of_platform_depopulate", opOfPlatformDepopulate).onDevice()
	handle("device_release_driver", opDeviceReleaseDriver).onDevice()
	handle("device_attach", opDeviceAttach).onDevice()
	handle("driver_unregister", opDriverUnregister)
	handle("driver_register", opDriverRegister)
	handle("run_work", opRunWork)
	handle("flush_workqueue", opFlushWorkqueue)
	handle("device_link_wait_removal", opDeviceLinkWaitRemoval)
	handle("get_device", opGetDevice)
	handle("put_device", opPutDevice)
	handle("device_link_add", opDeviceLinkAdd)
	handle("device_link_del", opDeviceLinkDel)
	handle("device_link_remove", opDeviceLinkRemove)
	handle("devres_open_group", opDevresOpenGroup).onDevice()
	handle("devres_close_group", opDevresCloseGroup).onDevice()
	handle("devres_release_group", opDevresReleaseGroup).onDevice()
	handle("devres_remove_group", opDevresRemoveGroup).onDevice()
	handle("devm_add_action", opDevmAddAction).onDevice()
	handle("devm_remove_action", opDevmRemoveAction).onDevice()
}

func opOfPlatformPopulate(c *call) string {
	np := c.arg("node").node
	if np == nil {
		return errnoName(core.EINVAL)
	}
	// of_platform_populate(np, NULL, NULL, dev): as a driver populating
	// its own node's children
	return errnoName(c.k.Core.OfPlatformPopulate(np, nil, c.k.Core.DeviceByNode(np)))
}

func opOfPlatformDepopulate(c *call) string {
	c.k.Core.OfPlatformDepopulate(c.dev)
	return "void"
}

// opDeviceReleaseDriver is unbind_store(): find the device (a reference
// across the call), detach it if bound, put it.
func opDeviceReleaseDriver(c *call) string {
	d, k := c.dev, c.k
	if d.Driver == nil {
		return errnoName(core.ENODEV)
	}
	k.Core.GetDevice(d, "bus_find_device_by_name", "unbind_store")
	k.Core.DeviceReleaseDriver(d)
	k.Core.PutDevice(d, "put_device", "unbind_store")
	return "0"
}

func opDeviceAttach(c *call) string {
	n, err := c.k.Core.DeviceAttach(c.dev)
	if err != nil {
		return errnoName(err)
	}
	return strconv.Itoa(n)
}

func opDriverUnregister(c *call) string {
	drv := c.k.Core.CatalogDriver(c.arg("driver").str)
	return errnoName(c.k.Core.DriverUnregister(drv))
}

func opDriverRegister(c *call) string {
	drv := c.k.Core.CatalogDriver(c.arg("driver").str)
	return errnoName(c.k.Core.DriverRegister(drv))
}

// wq returns the wq= argument's workqueue (default device_link_wq).
func (c *call) wq() *core.Workqueue {
	if c.arg("wq").str == "events" {
		return c.k.Core.SystemWQ
	}
	return c.k.Core.DeviceLinkWQ
}

func opRunWork(c *call) string {
	item := 1
	if v := c.arg("item"); v.set {
		item = v.n
	}
	if !c.k.Core.RunWork(c.wq(), item) {
		return errnoName(core.ENOENT)
	}
	return "0"
}

func opFlushWorkqueue(c *call) string {
	c.k.Core.FlushWorkqueue(c.wq(), "flush_workqueue")
	return "void"
}

func opDeviceLinkWaitRemoval(c *call) string {
	if !c.k.Core.HasDeviceLinkWaitRemoval() {
		return errnoName(errno.ENOSYS) // predates 0462c56c290a
	}
	c.k.Core.DeviceLinkWaitRemoval()
	return "void"
}

// deviceRef is a device pointer the program holds a reference on.
type deviceRef struct {
	d      *core.Device
	holder string
}

func opGetDevice(c *call) string {
	d := c.k.Core.DeviceByNode(c.arg("node").node)
	holder := c.k.holder(progHold{slot: c.slot})
	c.k.Core.GetDevice(d, "get_device", holder)
	c.bind(&deviceRef{d: d, holder: holder})
	if d == nil {
		return "NULL"
	}
	return d.Name
}

func opPutDevice(c *call) string {
	r, ok := c.arg("dev").ref.(*deviceRef)
	if !ok || r.d == nil {
		return "void"
	}
	c.k.Core.PutDevice(r.d, "put_device", r.holder)
	return "void"
}

// dlFlags are the DL_FLAG_* values of prog.DeviceLinkFlags.
var dlFlags = map[string]uint32{
	"0":                           0,
	"DL_FLAG_STATELESS":           core.DL_FLAG_STATELESS,
	"DL_FLAG_AUTOREMOVE_CONSUMER": core.DL_FLAG_AUTOREMOVE_CONSUMER,
	"DL_FLAG_AUTOREMOVE_SUPPLIER": core.DL_FLAG_AUTOREMOVE_SUPPLIER,
	"DL_FLAG_AUTOPROBE_CONSUMER":  core.DL_FLAG_AUTOPROBE_CONSUMER,
}

func parseDLFlags(v string) uint32 {
	var f uint32
	for _, name := range strings.Split(v, "|") {
		f |= dlFlags[name]
	}
	return f
}

// linkRef is a device link pointer device_link_add returned, and the
// owner of the kref reference the add took (ownership.go).
type linkRef struct {
	l      *core.Link
	holder string
}

// opDeviceLinkAdd is device_link_add() called by driver code on the
// devices of two nodes (NULL for a node without a device).
func opDeviceLinkAdd(c *call) string {
	con := c.k.Core.DeviceByNode(c.arg("consumer").node)
	sup := c.k.Core.DeviceByNode(c.arg("supplier").node)
	holder := c.k.holder(progHold{slot: c.slot})
	flags := parseDLFlags(c.arg("flags").str)
	if con != nil && sup != nil && flags&core.DL_FLAG_STATELESS == 0 {
		switch {
		case con.Driver == nil && flags&core.DL_FLAG_AUTOREMOVE_CONSUMER != 0:
			c.misuseAt("device_link_add(DL_FLAG_AUTOREMOVE_CONSUMER) for " + con.Name + ", which no driver is bound to: the flag is for the consumer driver's probe")
		case con.Driver != nil && sup.Driver == nil:
			c.misuseAt("a managed device_link_add from bound consumer " + con.Name + " to unbound supplier " + sup.Name +
				": a bound consumer's managed suppliers must be bound (device_links_driver_bound() can only make the link AVAILABLE, never ACTIVE)")
		}
	}
	l := c.k.Core.DeviceLinkAddBy(con, sup, flags, holder)
	c.bind(&linkRef{l: l, holder: holder})
	if l == nil {
		return "NULL"
	}
	return l.Name()
}

func opDeviceLinkDel(c *call) string {
	r, ok := c.arg("link").ref.(*linkRef)
	if !ok || r.l == nil {
		return errnoName(core.EINVAL)
	}
	if r.l.Deleted() {
		c.misuseAt("device_link_del of " + r.l.Name() + ", which the kernel already deleted: the program's handle is dead")
	}
	c.k.Core.DeviceLinkDelBy(r.l, r.holder)
	return "void"
}

func opDeviceLinkRemove(c *call) string {
	con := c.k.Core.DeviceByNode(c.arg("consumer").node)
	sup := c.k.Core.DeviceByNode(c.arg("supplier").node)
	if con == nil || sup == nil {
		return errnoName(core.ENODEV)
	}
	c.k.Core.DeviceLinkRemoveBy(con, sup, programHolder)
	return "void"
}

// devresGroupID is a devres group id= value (the void *id the caller
// passes); devresAction an action's data.
type (
	devresGroupID struct{ n int }
	devresAction  struct{ n int }
)

// group returns the id= argument, nil (NULL) when absent.
func (c *call) group() any {
	v := c.arg("id")
	if !v.set {
		return nil
	}
	return devresGroupID{v.n}
}

func opDevresOpenGroup(c *call) string {
	c.checkDevresBound()
	id := c.k.Core.DevresOpenGroup(c.dev, c.group(), "devres_open_group")
	if id == nil {
		return "NULL"
	}
	c.openedGroup(c.group())
	if g, ok := id.(devresGroupID); ok {
		return strconv.Itoa(g.n)
	}
	return "grp"
}

func opDevresCloseGroup(c *call) string {
	c.checkOwnGroup(c.group())
	c.k.Core.DevresCloseGroup(c.dev, c.group())
	return "void"
}

func opDevresReleaseGroup(c *call) string {
	c.checkOwnGroup(c.group())
	return strconv.Itoa(c.k.Core.DevresReleaseGroup(c.dev, c.group()))
}

func opDevresRemoveGroup(c *call) string {
	c.checkOwnGroup(c.group())
	c.k.Core.DevresRemoveGroup(c.dev, c.group())
	return "void"
}

// opDevmAddAction registers dangle_test_action(N), which logs when the
// driver core runs it.
func opDevmAddAction(c *call) string {
	c.checkDevresBound()
	d, k, n := c.dev, c.k, c.arg("action").n
	return errnoName(k.Core.DevmAddActionErr(d, "dangle_test_action", devresAction{n}, d, func(c *core.Core, data, arg any) {
		c.DevErr(arg.(*core.Device), "dangle_test_action: %d", data.(devresAction).n)
	}))
}

func opDevmRemoveAction(c *call) string {
	c.k.Core.DevmRemoveAction(c.dev, "dangle_test_action", devresAction{c.arg("action").n})
	return "void"
}
