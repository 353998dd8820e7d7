package gpio

import (
	"fmt"

	"dangle/sim/core"
)

// nvmem (drivers/nvmem/core.c): the provider's nvmem device is on the
// nvmem bus (no drivers), its release (nvmem_release) puts the
// write-protect descriptor — which until 569653f022a2 (v6.2) may be one
// the provider passed in nvmem_config->wp_gpio and still owns (B4).

// NVMEM_DEVID_NONE and NVMEM_DEVID_AUTO are the special config ids.
const (
	NVMEM_DEVID_NONE = -1
	NVMEM_DEVID_AUTO = -2
)

// NvmemConfig is the part of struct nvmem_config the model uses.
type NvmemConfig struct {
	Dev  *core.Device
	Name string
	ID   int
	// WpGpio is config->wp_gpio (2a127da461a9 .. 569653f022a2): ignored
	// where the profile has nvmem_wp=removed.
	WpGpio   *Desc
	IgnoreWp bool
}

// Nvmem is a struct nvmem_device.
type Nvmem struct {
	Dev    *core.Device
	id     int
	wpGpio *Desc
	// owner is the name the write-protect reference is held under.
	owner  string
	refcnt int // nvmem->refcnt (kref)
}

// NvmemRegister is nvmem_register(): ida id, the write-protect line —
// config->wp_gpio if the field exists and is set (borrowed without a
// reference; with the gpiod_ref() patch, gpiod_ref()), else unless
// ignore_wp gpiod_get_optional(config->dev, "wp", GPIOD_OUT_HIGH) — kref,
// the name, and the device (release nvmem_release).
//
// Its first steps can fail: kzalloc(nvmem) (ERR_PTR(-ENOMEM)) and
// ida_alloc() (kfree(nvmem), ERR_PTR(rval)), before anything is held.
func (g *GPIO) NvmemRegister(cfg *NvmemConfig) (*Nvmem, error) {
	if g.c.Fail("kzalloc", "nvmem_register (nvmem_device)", core.ENOMEM) ||
		g.c.Fail("ida_alloc", "nvmem_register", core.ENOMEM) {
		return nil, core.ENOMEM
	}
	id := g.nvmemIDA.alloc()
	var name string
	switch {
	case cfg.Name == "":
		name = fmt.Sprintf("nvmem%d", id)
	case cfg.ID == NVMEM_DEVID_NONE:
		name = cfg.Name
	case cfg.ID == NVMEM_DEVID_AUTO:
		name = fmt.Sprintf("%s%d", cfg.Name, id)
	default:
		name = fmt.Sprintf("%s%d", cfg.Name, cfg.ID)
	}
	nv := &Nvmem{id: id, owner: "nvmem " + name}
	wpField := !g.c.Prof.Is("nvmem_wp", "removed")
	switch {
	case wpField && cfg.WpGpio != nil:
		if g.gpiodRef() {
			// seeds/003 patch 3/3: nvmem->wp_gpio = gpiod_ref(config->wp_gpio)
			nv.wpGpio, _ = g.GpiodRef(cfg.WpGpio, nv.owner)
		} else {
			nv.wpGpio = cfg.WpGpio // 2a127da461a9: no reference taken
		}
	case !cfg.IgnoreWp:
		d, err := g.GpiodGetOptional(cfg.Dev, "wp", GPIOD_OUT_HIGH, nv.owner)
		if err != nil {
			g.nvmemIDA.free(id)
			return nil, err
		}
		nv.wpGpio = d
	}
	nv.refcnt = 1
	nv.Dev = g.c.NewClassDevice(cfg.Dev, "nvmem", name, "nvmem_register", func(c *core.Core, d *core.Device) { c.GPIO.(*GPIO).nvmemRelease(d.Priv.(*Nvmem)) })
	nv.Dev.Obj().Type = "nvmem_device"
	nv.Dev.OfNode = cfg.Dev.OfNode
	nv.Dev.Priv = nv
	if err := g.c.DeviceAdd(nv.Dev); err != nil {
		g.c.PutDevice(nv.Dev, "nvmem_register", initHolder(nv.Dev))
		return nil, err
	}
	return nv, nil
}

// nvmemRelease is nvmem_release() (the device type's release): ida_free,
// gpiod_put(nvmem->wp_gpio) (6f57cbd7ce40 "nvmem: release the
// write-protect pin"), kfree.
func (g *GPIO) nvmemRelease(nv *Nvmem) {
	g.nvmemIDA.free(nv.id)
	g.GpiodPut(nv.wpGpio, nv.owner, "nvmem_release")
	g.c.FreeDevice(nv.Dev, "nvmem_release")
}

// NvmemUnregister is nvmem_unregister(): kref_put(&nvmem->refcnt,
// nvmem_device_release), which notifies NVMEM_REMOVE, removes the cells
// and device_unregister()s the device.
func (g *GPIO) NvmemUnregister(nv *Nvmem) {
	if nv == nil || !g.reg.Touch(nv.Dev.Obj(), "nvmem_unregister") {
		return
	}
	nv.refcnt--
	if nv.refcnt == 0 {
		g.c.DeviceUnregister(nv.Dev)
	}
}

// DevmNvmemRegister is devm_nvmem_register(): nvmem_register() and a
// devm action devm_nvmem_unregister.
func (g *GPIO) DevmNvmemRegister(dev *core.Device, cfg *NvmemConfig) (*Nvmem, error) {
	nv, err := g.NvmemRegister(cfg)
	if err != nil {
		return nil, err
	}
	// devm_add_action_or_reset(): on failure nvmem_unregister() now
	if err := g.c.DevmAddActionOrReset(dev, "devm_nvmem_unregister", nv, nil, func(c *core.Core, data, _ any) { c.GPIO.(*GPIO).NvmemUnregister(data.(*Nvmem)) }); err != nil {
		return nil, err
	}
	return nv, nil
}
