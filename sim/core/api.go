package core

import (
	"fmt"

	"dangle/sim/of"
)

// Helpers the driver catalog calls, named after the kernel API they model.

// DevErrProbe is dev_err_probe(): "error %pe: <msg>" at error level, or
// at debug level for -EPROBE_DEFER; it returns err.
func (c *Core) DevErrProbe(d *Device, err error, msg string) error {
	c.devPrintk(d, "error %s: %s", err.Error(), msg)
	return err
}

// DevErr is dev_err()/dev_info()/dev_dbg(): "<driver> <device>: msg".
func (c *Core) DevErr(d *Device, format string, args ...any) { c.devPrintk(d, format, args...) }

// DevWarn is dev_warn(): the same line at warning level. The console
// text does not show the level; the separate name keeps each call site
// what the kernel source says.
func (c *Core) DevWarn(d *Device, format string, args ...any) { c.devPrintk(d, format, args...) }

// NewClassDevice allocates and initializes a class device (device_create
// style) child of parent; release runs at the last put and must call
// FreeDevice. locks are the locks release takes.
func (c *Core) NewClassDevice(parent *Device, class, name, alloc string, release func(c *Core, d *Device), locks ...*of.Mutex) *Device {
	d := c.newDevice(name, alloc)
	d.Class = class
	d.Parent = parent
	d.release, d.releaseName = release, alloc
	d.ReleaseLocks = locks
	return d
}

// FreeDevice is the kfree() of a class device's container in its release.
func (c *Core) FreeDevice(d *Device, fn string) { c.freeDevice(d, fn) }

// NextID returns the next number of a per-kernel ida/atomic counter
// named key (a driver's instance numbers).
func (c *Core) NextID(key string) int {
	if c.ids == nil {
		c.ids = map[string]int{}
	}
	n := c.ids[key]
	c.ids[key] = n + 1
	return n
}

// DevmInputAllocateDevice, DevmRequestThreadedIRQ and InputRegisterDevice
// model the input/IRQ devres a touchscreen-like driver holds (seeds/004),
// drivers/input/input.c.
//
// DevmInputAllocateDevice is devm_input_allocate_device():
// input_allocate_device() (kzalloc + device_initialize of an "input"
// class device; named here, by input_register_device() in the kernel)
// with dev.parent = dev, and a devres devm_input_device_release whose
// input_put_device() drops the initial reference (input_dev_release
// kfrees it).
//
// The devres_alloc() can fail: NULL.
func (c *Core) DevmInputAllocateDevice(d *Device) *Device {
	if c.fail("devres_alloc", "devm_input_allocate_device", ENOMEM) {
		return nil
	}
	name := fmt.Sprintf("input%d", c.NextID("input"))
	input := c.NewClassDevice(d, "input", name, "input_allocate_device", func(c *Core, id *Device) {
		c.FreeDevice(id, "input_dev_release")
	})
	c.DevresAdd(d, "devm_input_device_release", input, func(c *Core, data, _ any) {
		input := data.(*Device)
		c.PutDevice(input, "input_put_device", input.initHolder)
	})
	return input
}

// DevmRequestThreadedIRQ is devm_request_threaded_irq(): free_irq() at
// release (devm_irq_release) — the handler may run until then. An IRQ
// action holds no reference count the model could see leak; a forgotten
// free_irq() is a handler left on a freed dev_id, which is not modelled.
func (c *Core) DevmRequestThreadedIRQ(d *Device, irq string) {
	c.DevresAdd(d, "devm_irq_release", irq, func(*Core, any, any) {})
}

// InputRegisterDevice is input_register_device() of a devm-allocated
// input device: device_add(&dev->dev), then (devres_managed) a devres
// devm_input_device_unregister whose __input_unregister_device() ends in
// device_del(&dev->dev) — it talks to the hardware to quiesce it. The
// last reference goes with devm_input_device_release.
//
// A devres_managed device allocates that devres first: -ENOMEM.
func (c *Core) InputRegisterDevice(d *Device, input *Device) error {
	if c.fail("devres_alloc", "input_register_device", ENOMEM) {
		return ENOMEM
	}
	if err := c.DeviceAdd(input); err != nil {
		return err
	}
	c.DevresAdd(d, "devm_input_device_unregister", input, func(c *Core, data, _ any) { c.DeviceDel(data.(*Device)) })
	return nil
}
