package sim

import (
	"fmt"
	"strconv"
	"strings"

	"dangle/prog"
	"dangle/sim/core"
	"dangle/sim/errno"
	"dangle/sim/of"
)

// Handlers of the driver-core ops (prog.Ops entries after
// overlay_notifier_deref).
func init() {
	handlers["of_platform_populate"] = opOfPlatformPopulate
	handlers["of_platform_depopulate"] = opOfPlatformDepopulate
	handlers["device_release_driver"] = opDeviceReleaseDriver
	handlers["device_attach"] = opDeviceAttach
	handlers["driver_unregister"] = opDriverUnregister
	handlers["driver_register"] = opDriverRegister
	handlers["run_work"] = opRunWork
	handlers["flush_workqueue"] = opFlushWorkqueue
	handlers["device_link_wait_removal"] = opDeviceLinkWaitRemoval
	handlers["get_device"] = opGetDevice
	handlers["put_device"] = opPutDevice
	handlers["device_link_add"] = opDeviceLinkAdd
	handlers["device_link_del"] = opDeviceLinkDel
	handlers["device_link_remove"] = opDeviceLinkRemove
	handlers["devres_open_group"] = opDevresOpenGroup
	handlers["devres_close_group"] = opDevresCloseGroup
	handlers["devres_release_group"] = opDevresReleaseGroup
	handlers["devres_remove_group"] = opDevresRemoveGroup
	handlers["devm_add_action"] = opDevmAddAction
	handlers["devm_remove_action"] = opDevmRemoveAction
}

// argNode resolves a node= argument: a path in the live tree, or a name
// bound by of_node_get.
func (k *Kernel) argNode(op *prog.Op) *of.Node { return k.argNodeKey(op, "node") }

// argNodeKey resolves the node argument called key.
func (k *Kernel) argNodeKey(op *prog.Op, key string) *of.Node {
	v := arg(op, key)
	if strings.HasPrefix(v, "/") {
		return k.OF.FindNodeByPath(v)
	}
	if r, ok := k.vars[v].(*nodeRef); ok {
		return r.np
	}
	return nil
}

// argDevice resolves node= to the node's device (-ENODEV when none).
func (k *Kernel) argDevice(op *prog.Op) *core.Device {
	return k.Core.DeviceByNode(k.argNode(op))
}

func opOfPlatformPopulate(k *Kernel, op *prog.Op) string {
	np := k.argNode(op)
	if np == nil {
		return errnoName(core.EINVAL)
	}
	// of_platform_populate(np, NULL, NULL, dev): as a driver populating
	// its own node's children
	return errnoName(k.Core.OfPlatformPopulate(np, nil, k.Core.DeviceByNode(np)))
}

func opOfPlatformDepopulate(k *Kernel, op *prog.Op) string {
	d := k.argDevice(op)
	if d == nil {
		return errnoName(core.ENODEV)
	}
	k.Core.OfPlatformDepopulate(d)
	return "void"
}

// opDeviceReleaseDriver is unbind_store(): find the device (a reference
// across the call), detach it if bound, put it.
func opDeviceReleaseDriver(k *Kernel, op *prog.Op) string {
	d := k.argDevice(op)
	if d == nil || d.Driver == nil {
		return errnoName(core.ENODEV)
	}
	k.Core.GetDevice(d, "bus_find_device_by_name", "unbind_store")
	k.Core.DeviceReleaseDriver(d)
	k.Core.PutDevice(d, "put_device", "unbind_store")
	return "0"
}

func opDeviceAttach(k *Kernel, op *prog.Op) string {
	d := k.argDevice(op)
	if d == nil {
		return errnoName(core.ENODEV)
	}
	n, err := k.Core.DeviceAttach(d)
	if err != nil {
		return errnoName(err)
	}
	return strconv.Itoa(n)
}

func opDriverUnregister(k *Kernel, op *prog.Op) string {
	drv := k.Core.CatalogDriver(arg(op, "driver"))
	return errnoName(k.Core.DriverUnregister(drv))
}

func opDriverRegister(k *Kernel, op *prog.Op) string {
	drv := k.Core.CatalogDriver(arg(op, "driver"))
	return errnoName(k.Core.DriverRegister(drv))
}

func (k *Kernel) argWQ(op *prog.Op) *core.Workqueue {
	if arg(op, "wq") == "events" {
		return k.Core.SystemWQ
	}
	return k.Core.DeviceLinkWQ
}

func opRunWork(k *Kernel, op *prog.Op) string {
	item := 1
	if v := arg(op, "item"); v != "" {
		item, _ = strconv.Atoi(v)
	}
	if !k.Core.RunWork(k.argWQ(op), item) {
		return errnoName(core.ENOENT)
	}
	return "0"
}

func opFlushWorkqueue(k *Kernel, op *prog.Op) string {
	wq := k.argWQ(op)
	k.Core.FlushWorkqueue(wq, "flush_workqueue")
	return "void"
}

func opDeviceLinkWaitRemoval(k *Kernel, op *prog.Op) string {
	if !k.Core.HasDeviceLinkWaitRemoval() {
		return errnoName(errno.ENOSYS) // predates 0462c56c290a
	}
	k.Core.DeviceLinkWaitRemoval()
	return "void"
}

// deviceRef is a device pointer the program holds a reference on.
type deviceRef struct {
	d      *core.Device
	holder string
}

func opGetDevice(k *Kernel, op *prog.Op) string {
	d := k.argDevice(op)
	holder := fmt.Sprintf("program ref %s (op %d)", op.Result, k.Log.Op)
	if op.Result == "" {
		holder = fmt.Sprintf("program (op %d)", k.Log.Op)
	}
	k.Core.GetDevice(d, "get_device", holder)
	k.bind(op, &deviceRef{d: d, holder: holder})
	if d == nil {
		return "NULL"
	}
	return d.Name
}

func opPutDevice(k *Kernel, op *prog.Op) string {
	r, ok := k.vars[arg(op, "dev")].(*deviceRef)
	if !ok || r.d == nil {
		return "void"
	}
	k.Core.PutDevice(r.d, "put_device", r.holder)
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

// linkRef is a device link pointer device_link_add returned.
type linkRef struct{ l *core.Link }

// opDeviceLinkAdd is device_link_add() called by driver code on the
// devices of two nodes (NULL for a node without a device).
func opDeviceLinkAdd(k *Kernel, op *prog.Op) string {
	con := k.Core.DeviceByNode(k.argNodeKey(op, "consumer"))
	sup := k.Core.DeviceByNode(k.argNodeKey(op, "supplier"))
	l := k.Core.DeviceLinkAdd(con, sup, parseDLFlags(arg(op, "flags")))
	k.bind(op, &linkRef{l: l})
	if l == nil {
		return "NULL"
	}
	return l.Name()
}

func opDeviceLinkDel(k *Kernel, op *prog.Op) string {
	r, ok := k.vars[arg(op, "link")].(*linkRef)
	if !ok || r.l == nil {
		return errnoName(core.EINVAL)
	}
	k.Core.DeviceLinkDel(r.l)
	return "void"
}

func opDeviceLinkRemove(k *Kernel, op *prog.Op) string {
	con := k.Core.DeviceByNode(k.argNodeKey(op, "consumer"))
	sup := k.Core.DeviceByNode(k.argNodeKey(op, "supplier"))
	if con == nil || sup == nil {
		return errnoName(core.ENODEV)
	}
	k.Core.DeviceLinkRemove(con, sup)
	return "void"
}

// devresGroupID is a devres group id= value (the void *id the caller
// passes); devresAction an action's data.
type (
	devresGroupID struct{ n int }
	devresAction  struct{ n int }
)

// argGroup returns the id= argument, nil (NULL) when absent.
func argGroup(op *prog.Op) any {
	v := arg(op, "id")
	if v == "" {
		return nil
	}
	n, _ := strconv.Atoi(v)
	return devresGroupID{n}
}

func opDevresOpenGroup(k *Kernel, op *prog.Op) string {
	d := k.argDevice(op)
	if d == nil {
		return errnoName(core.ENODEV)
	}
	id := k.Core.DevresOpenGroup(d, argGroup(op), "devres_open_group")
	if g, ok := id.(devresGroupID); ok {
		return strconv.Itoa(g.n)
	}
	return "grp"
}

func opDevresCloseGroup(k *Kernel, op *prog.Op) string {
	d := k.argDevice(op)
	if d == nil {
		return errnoName(core.ENODEV)
	}
	k.Core.DevresCloseGroup(d, argGroup(op))
	return "void"
}

func opDevresReleaseGroup(k *Kernel, op *prog.Op) string {
	d := k.argDevice(op)
	if d == nil {
		return errnoName(core.ENODEV)
	}
	return strconv.Itoa(k.Core.DevresReleaseGroup(d, argGroup(op)))
}

func opDevresRemoveGroup(k *Kernel, op *prog.Op) string {
	d := k.argDevice(op)
	if d == nil {
		return errnoName(core.ENODEV)
	}
	k.Core.DevresRemoveGroup(d, argGroup(op))
	return "void"
}

// opDevmAddAction registers dangle_test_action(N), which logs when the
// driver core runs it.
func opDevmAddAction(k *Kernel, op *prog.Op) string {
	d := k.argDevice(op)
	if d == nil {
		return errnoName(core.ENODEV)
	}
	n, _ := strconv.Atoi(arg(op, "action"))
	k.Core.DevmAddAction(d, "dangle_test_action", devresAction{n}, func() {
		k.Core.DevErr(d, "dangle_test_action: %d", n)
	})
	return "0"
}

func opDevmRemoveAction(k *Kernel, op *prog.Op) string {
	d := k.argDevice(op)
	if d == nil {
		return errnoName(core.ENODEV)
	}
	n, _ := strconv.Atoi(arg(op, "action"))
	k.Core.DevmRemoveAction(d, "dangle_test_action", devresAction{n})
	return "void"
}
