package gpio

import (
	"fmt"

	"dangle/sim/core"
	"dangle/sim/kobj"
	"dangle/sim/of"
	"dangle/sim/report"
)

// GPIO is the GPIO and nvmem state of one simulated kernel.
type GPIO struct {
	c   *core.Core
	reg *kobj.Registry
	log *report.Log

	// devices is gpio_devices: registered gpio_devices in add order
	// (a removed chip's device leaves the list at gpiochip_remove()).
	devices []*Device
	gpioIDA ida // gpio_ida
	// nvmemIDA is nvmem_ida.
	nvmemIDA ida
	// modules are the catalog drivers' modules (try_module_get targets).
	modules map[*core.Driver]*kobj.Object
	// devm is devres_find(dev, devm_gpiod_release, devm_gpiod_match, desc)
	// for the non-exclusive devm path: the descriptors a device manages.
	devm map[devmKey]bool
}

type devmKey struct {
	dev  *core.Device
	desc *Desc
}

// ida is a struct ida: the lowest free id.
type ida struct{ used []bool }

func (a *ida) alloc() int {
	for i, u := range a.used {
		if !u {
			a.used[i] = true
			return i
		}
	}
	a.used = append(a.used, true)
	return len(a.used) - 1
}

func (a *ida) free(id int) {
	if id >= 0 && id < len(a.used) {
		a.used[id] = false
	}
}

// New returns the GPIO subsystem for c and hooks it into c (c.GPIO), so
// driver models reach it through From. Call it before c.Boot().
func New(c *core.Core) *GPIO {
	g := &GPIO{c: c, reg: c.Reg, log: c.Log, modules: map[*core.Driver]*kobj.Object{}, devm: map[devmKey]bool{}}
	c.GPIO = g
	return g
}

// From returns the GPIO subsystem of c.
func From(c *core.Core) *GPIO { return c.GPIO.(*GPIO) }

// Chip is a struct gpio_chip: owned by the provider driver, valid while
// it is bound.
type Chip struct {
	Label  string
	Parent *core.Device
	Ngpio  int
	// Node is the chip's firmware node (gc->fwnode, else the parent's).
	Node    *of.Node
	gpiodev *Device
}

// Device is a struct gpio_device. Its struct device (Dev, kobj type
// "gpio_device", name "gpiochip%d") is a child of the chip's parent.
//
// Invariants: chip is nil once gpiochip_remove() numbed the device;
// descsObj (the kcalloc'd descs array) is freed with the device in
// gpiodevice_release().
type Device struct {
	Dev      *core.Device
	ID       int
	chip     *Chip
	descs    []*Desc
	descsObj *kobj.Object
	node     *of.Node
	// owner is gdev->owner: the provider driver's module.
	owner *kobj.Object
	// klist holds the references device_add() takes through the parent's
	// klist_children and the gpio bus's klist_devices (klist_children_get,
	// klist_devices_get), dropped in device_del(). sim/core leaves these
	// balanced pairs out; here they are what keeps a registered
	// gpio_device alive across an over-put (B6) until the chip is removed.
	klist []string
}

// Desc is a struct gpio_desc, an element of its device's descs array.
type Desc struct {
	gdev      *Device
	hw        int
	requested bool // FLAG_REQUESTED
	label     string
	// holder names the gdev/module references of the current request.
	holder string
	// kref is desc->ref of the gpiod_ref() patch (+gpiod-ref only): a
	// fresh counter per request (kref_init in gpiod_request_commit()).
	kref *kobj.Object
	// ownership oracle state (owner.go)
	gen     int
	tokens  []token
	history []string
}

// Name is the descriptor's log name: "gpiochip1:3".
func (d *Desc) Name() string { return fmt.Sprintf("%s:%d", d.gdev.Dev.Name, d.hw) }

// module returns the module object of drv, loaded at boot: its base
// reference (MODULE_REF_BASE) is a boot-time hold.
func (g *GPIO) module(drv *core.Driver) *kobj.Object {
	if drv == nil {
		return nil // built in: THIS_MODULE is NULL
	}
	if m := g.modules[drv]; m != nil {
		return m
	}
	op := g.log.Op
	g.log.Op = 0
	m := g.reg.Alloc("module", drv.Name, "load_module", false, true, "module "+drv.Name+" (loaded)")
	g.log.Op = op
	g.modules[drv] = m
	return m
}

func (g *GPIO) tryModuleGet(m *kobj.Object, holder string, owner *kobj.Object) bool {
	if m == nil {
		return true
	}
	return g.reg.GetOwned(m, "try_module_get", holder, owner)
}

// modulePut is module_put(): atomic_dec_if_positive plus WARN_ON(ret < 0),
// which the registry reports as an underflow.
func (g *GPIO) modulePut(m *kobj.Object, fn, holder string) {
	if m != nil {
		g.reg.Put(m, fn, holder)
	}
}

func initHolder(d *core.Device) string { return d.Name + " (device_initialize)" }

// GpiochipAddData is gpiochip_add_data_with_key() (gpiolib.c, v6.1 order):
// allocate gdev, ida id, "gpiochip%d", device_initialize, owner module,
// descs, gpio_devices, then gpiochip_setup_dev() -> gcdev_register()
// (device_add) with release gpiodevice_release.
func (g *GPIO) GpiochipAddData(gc *Chip) error {
	if gc.Ngpio == 0 {
		g.log.Printf("gpio gpiochip: tried to insert a GPIO chip with zero lines")
		return core.EINVAL
	}
	node := gc.Node
	if node == nil && gc.Parent != nil {
		node = gc.Parent.OfNode
	}
	id := g.gpioIDA.alloc()
	name := fmt.Sprintf("gpiochip%d", id)
	gdev := &Device{ID: id, chip: gc, node: node}
	gdev.Dev = g.c.NewClassDevice(gc.Parent, "gpio", name, "gpiochip_add_data_with_key",
		func(c *core.Core, d *core.Device) { c.GPIO.(*GPIO).gpiodeviceRelease(d.Priv.(*Device)) })
	// the struct device is embedded in struct gpio_device: the
	// allocation the oracles name is the gpio_device
	gdev.Dev.Obj().Type = "gpio_device"
	gdev.Dev.OfNode, gdev.Dev.Fwnode = node, node // of_gpio_dev_init(): no reference
	gdev.Dev.Priv = gdev
	gc.gpiodev = gdev
	if gc.Parent != nil {
		gdev.owner = g.module(gc.Parent.Driver)
	}
	gdev.descsObj = g.reg.Alloc("gpio_desc", name+" descs", "gpiochip_add_data_with_key", true, false, "")
	gdev.descsObj.In = gdev.Dev.Obj()
	// the kcalloc'd descs array: one allocation, as in the kernel
	descs := make([]Desc, gc.Ngpio)
	gdev.descs = make([]*Desc, gc.Ngpio)
	for i := range descs {
		descs[i] = Desc{gdev: gdev, hw: i}
		gdev.descs[i] = &descs[i]
	}
	g.devices = append(g.devices, gdev)
	// gpiochip_setup_dev() -> gcdev_register() -> cdev_device_add(). Its
	// failure is not a fault-injection point: the err_remove_from_list
	// path and its "failed to register" line (which prints the GPIO base
	// the model does not number) are not modelled.
	gdev.Dev.AddNotFallible = true
	if err := g.c.DeviceAdd(gdev.Dev); err != nil {
		return err
	}
	gdev.klist = []string{name + " (klist_devices of bus gpio)"}
	g.c.GetDevice(gdev.Dev, "bus_add_device", gdev.klist[0])
	if gc.Parent != nil {
		gdev.klist = append(gdev.klist, name+" (klist_children of "+gc.Parent.Name+")")
		g.c.GetDevice(gdev.Dev, "device_add", gdev.klist[1])
	}
	return nil
}

// DevmGpiochipAddData is devm_gpiochip_add_data(): gpiochip_add_data()
// and a devres (devm_gpio_chip_release) calling gpiochip_remove() at
// provider unbind.
func (g *GPIO) DevmGpiochipAddData(dev *core.Device, gc *Chip) error {
	if err := g.GpiochipAddData(gc); err != nil {
		return err
	}
	return g.c.DevmAddActionOrReset(dev, "devm_gpio_chip_release", gc, nil, func(c *core.Core, data, _ any) { c.GPIO.(*GPIO).GpiochipRemove(data.(*Chip)) })
}

// GpiochipRemove is gpiochip_remove(): sysfs unregister, hogs, numb the
// device (gdev->chip = NULL), irqchip/of/pin ranges, data = NULL, then up
// to v6.8 the scan for requested lines and its dev_crit (removed with
// 5d60c1e61fda, v6.9), gcdev_unregister() (device_del) and the put of the
// registration reference.
func (g *GPIO) GpiochipRemove(gc *Chip) {
	gdev := gc.gpiodev
	if gdev == nil || !g.reg.Touch(gdev.Dev.Obj(), "gpiochip_remove") {
		return
	}
	// v6.9+ list_del_rcu() + synchronize_srcu() come before the numbing;
	// v6.1 removes the list entry in gpiodevice_release(). Lookups skip
	// numbed devices either way.
	for i, x := range g.devices {
		if x == gdev {
			g.devices = append(g.devices[:i:i], g.devices[i+1:]...)
			break
		}
	}
	gdev.chip = nil // numb: "cancelling all outstanding operations"
	if !g.silent() {
		for _, d := range gdev.descs {
			if d.requested {
				g.c.DevErr(gdev.Dev, "REMOVING GPIOCHIP WITH GPIOS STILL REQUESTED")
				g.log.Report(report.Finding{Kind: report.KernelError,
					Title: "REMOVING GPIOCHIP WITH GPIOS STILL REQUESTED in gpiochip_remove", Objects: []string{d.Name() + " (" + d.label + ")"}})
				break
			}
		}
	}
	g.c.DeviceDel(gdev.Dev)
	for _, h := range gdev.klist {
		g.c.PutDevice(gdev.Dev, "device_del", h)
	}
	gdev.klist = nil
	g.c.PutDevice(gdev.Dev, "gpiochip_remove", initHolder(gdev.Dev))
}

// gpiodeviceRelease is gpiodevice_release() (gpiodev_release() from
// v6.9): list_del, ida_free, label, descs, gdev.
func (g *GPIO) gpiodeviceRelease(gdev *Device) {
	for i, x := range g.devices {
		if x == gdev {
			g.devices = append(g.devices[:i:i], g.devices[i+1:]...)
			break
		}
	}
	g.gpioIDA.free(gdev.ID)
	g.reg.Free(gdev.descsObj, "gpiodevice_release")
	g.c.FreeDevice(gdev.Dev, "gpiodevice_release")
}

// silent reports the v6.9+ gpiolib (5d60c1e61fda and "gpio: reduce the
// functionality of validate_desc()"): no REMOVING GPIOCHIP message, no
// gpiod_free warning, validate_desc() no longer checks for a gone chip.
func (g *GPIO) silent() bool { return g.c.Prof.Is("gpiod_free", "silent") }

// gpiodRef reports the gpiod_ref() patch of seeds/003 (+gpiod-ref).
func (g *GPIO) gpiodRef() bool { return g.c.Prof.Is("nvmem_wp", "gpiod-ref") }

// Devices returns the registered gpio_devices.
func (g *GPIO) Devices() []*Device { return g.devices }
