package sim

import (
	"fmt"
	"strconv"
	"strings"

	"dangle/prog"
	"dangle/sim/core"
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
}

// argNode resolves a node= argument: a path in the live tree, or a name
// bound by of_node_get.
func (k *Kernel) argNode(op *prog.Op) *of.Node {
	v := arg(op, "node")
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
