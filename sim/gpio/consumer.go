package gpio

import (
	"fmt"

	"dangle/sim/core"
	"dangle/sim/kobj"
	"dangle/sim/of"
)

// Flags are the enum gpiod_flags bits the model distinguishes.
type Flags uint8

const (
	// GPIOD_ASIS etc.: direction flags are accepted and not modelled.
	GPIOD_ASIS     Flags = 0
	GPIOD_OUT_LOW  Flags = 1 << 1
	GPIOD_OUT_HIGH Flags = 1 << 2
	// GPIOD_FLAGS_BIT_NONEXCLUSIVE turns -EBUSY into success (fixed
	// regulators sharing an enable line).
	GPIOD_FLAGS_BIT_NONEXCLUSIVE Flags = 1 << 4
)

// ofFindGpio is of_find_gpio() -> of_get_named_gpiod_flags() for np:
// "<con>-gpios", "<con>-gpio" (or "gpios", "gpio"), the idx-th phandle
// with its #gpio-cells, the chip by of_find_gpiochip_by_xlate() (only
// live chips: -EPROBE_DEFER otherwise) and of_gpio_simple_xlate()
// (-EINVAL past ngpio). -ENOENT when there is no such property.
func (g *GPIO) ofFindGpio(np *of.Node, con string, idx int) (*Desc, error) {
	if np == nil {
		return nil, core.ENOENT
	}
	for _, sfx := range []string{"gpios", "gpio"} {
		name := sfx
		if con != "" {
			name = con + "-" + sfx
		}
		p := np.Prop(name)
		if p == nil {
			continue
		}
		v := p.Value
		for i := 0; ; i++ {
			if len(v) < 4 {
				return nil, core.ENOENT
			}
			sup := g.c.OF.FindNodeByPhandle(be32(v))
			if sup == nil {
				return nil, core.EINVAL
			}
			n := 2
			if cp := sup.Prop("#gpio-cells"); cp != nil {
				x, _ := cp.U32()
				n = int(x)
			}
			if len(v) < 4+4*n {
				return nil, core.EINVAL
			}
			if i < idx {
				v = v[4+4*n:]
				continue
			}
			var gdev *Device
			for _, x := range g.devices {
				if x.chip != nil && x.node == sup {
					gdev = x
					break
				}
			}
			if gdev == nil {
				return nil, core.EPROBE_DEFER
			}
			off := 0
			if n > 0 {
				off = int(be32(v[4:]))
			}
			if off >= len(gdev.descs) {
				return nil, core.EINVAL
			}
			return gdev.descs[off], nil
		}
	}
	return nil, core.ENOENT
}

func be32(v []byte) uint32 {
	return uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
}

// validateDesc is validate_desc(): 0 for NULL, and up to v6.8 also for a
// gone chip, with dev_warn(&gdev->dev, "backing chip is gone") (removed
// in v6.9).
func (g *GPIO) validateDesc(d *Desc, fn string) bool {
	if d == nil {
		return false
	}
	if !g.silent() && d.gdev.chip == nil {
		g.c.DevWarn(d.gdev.Dev, "%s: backing chip is gone", fn)
		return false
	}
	return true
}

// gpiodRequest is gpiod_request(): VALIDATE_DESC, try_module_get (else
// -EPROBE_DEFER), gpiod_request_commit (-ENODEV for a gone chip from
// v6.9, -EBUSY if already requested), then get_device(&gdev->dev).
// holder names the references the request takes; owner, when set, is
// the consumer device whose requested line keeps the module reference
// (a live bound device's GPIO is the running system, not a leak).
func (g *GPIO) gpiodRequest(d *Desc, label, holder string, owner *kobj.Object) error {
	if !g.reg.Touch(d.gdev.descsObj, "gpiod_request") {
		return core.ENODEV
	}
	if d.gdev.chip == nil {
		if !g.silent() {
			// VALIDATE_DESC returns 0: "success" without references;
			// not reachable through a lookup, which skips gone chips
			g.c.DevWarn(d.gdev.Dev, "%s: backing chip is gone", "gpiod_request")
			return nil
		}
	}
	if !g.tryModuleGet(d.gdev.owner, holder, owner) {
		return core.EPROBE_DEFER
	}
	err := g.gpiodRequestCommit(d, label)
	if err != nil {
		g.modulePut(d.gdev.owner, "gpiod_request", holder)
		return err
	}
	d.holder = holder
	g.c.GetDevice(d.gdev.Dev, "gpiod_request", holder)
	return nil
}

// gpiodRequestCommit is gpiod_request_commit(): test_and_set_bit
// FLAG_REQUESTED, the label, and with the gpiod_ref() patch kref_init().
func (g *GPIO) gpiodRequestCommit(d *Desc, label string) error {
	if d.gdev.chip == nil {
		return core.ENODEV // v6.9+: CLASS(gpio_chip_guard) finds no chip
	}
	if d.requested {
		return core.EBUSY
	}
	d.requested = true
	if label == "" {
		label = "?"
	}
	// v6.9+ desc_set_label() allocates the label (SRCU-protected labels,
	// 1f2bcb8c8ccd / 35b545332b80: kstrdup_const(); later a kzalloc()'d
	// struct gpio_desc_label): -ENOMEM, goto out_clear_bit. Before, it
	// only stored the pointer.
	if g.silent() && g.c.Fail("kzalloc", "desc_set_label ("+d.Name()+")", core.ENOMEM) {
		d.requested = false
		return core.ENOMEM
	}
	d.label = label
	d.gen++
	if g.gpiodRef() {
		d.kref = g.reg.Alloc("gpio_desc", d.Name(), "gpiod_request_commit", false, true, d.holder0(label))
	}
	return nil
}

// holder0 is the kref's initial holder: the request itself.
func (d *Desc) holder0(label string) string { return d.Name() + " (" + label + ") request" }

// gpiodFreeCommit is gpiod_free_commit(): with the chip present and the
// line requested, chip->free, clear the flags and label; true if freed.
func (g *GPIO) gpiodFreeCommit(d *Desc) bool {
	if d.gdev.chip == nil || !d.requested {
		return false
	}
	d.requested = false
	d.label = ""
	g.endRequest(d)
	return true
}

// gpiodFree is gpiod_free() per the gpiod_free knob:
//   - conditional (< v6.5): module and gdev put only if the commit freed
//     the line, else WARN_ON(extra_checks) (silent without DEBUG);
//   - unconditional (3386fb86ecde, v6.5): puts regardless, same WARN_ON;
//   - warn-unconditional (5d5dfc50e568, v6.8): WARN_ON(1), then puts;
//   - silent (5d60c1e61fda, v6.9+): VALIDATE_DESC_VOID, commit, puts.
//
// module_put comes before the gdev put (the device may be freed).
func (g *GPIO) gpiodFree(d *Desc) {
	if d == nil || !g.reg.Touch(d.gdev.descsObj, "gpiod_free") {
		return
	}
	gdev := d.gdev
	switch g.c.Prof.Get("gpiod_free") {
	case "conditional":
		// v6.1 gpiod_free(): "if (desc && desc->gdev &&
		// gpiod_free_commit(desc)) { module_put(); put_device(); } else
		// WARN_ON(extra_checks);" - once gpiochip_remove() cleared
		// gdev->chip the commit fails and the consumer's module and
		// gdev references are given up without a put: they leak,
		// whether the chip and the request date from boot or not.
		if !g.gpiodFreeCommit(d) {
			if gdev.owner != nil {
				g.reg.Abandon(gdev.owner, "gpiod_free", d.holder)
			}
			g.reg.Abandon(gdev.Dev.Obj(), "gpiod_free", d.holder)
			return // WARN_ON(extra_checks): silent without DEBUG_GPIO
		}
	case "warn-unconditional":
		if !g.gpiodFreeCommit(d) {
			g.warn("drivers/gpio/gpiolib.c", "gpiod_free", d.Name())
		}
	default:
		g.gpiodFreeCommit(d)
	}
	g.modulePut(gdev.owner, "gpiod_free", d.holder)
	g.c.PutDevice(gdev.Dev, "gpiod_free", d.holder)
}

// warn is WARN_ON() in fn of file (report.Log.Warn).
func (g *GPIO) warn(file, fn, what string) { g.log.Warn(file, fn, what) }

// GpiodGetIndex is gpiod_get_index(dev, con_id, idx, flags): lookup on
// dev's node, gpiod_request(desc, con_id ?: dev_name) — with
// NONEXCLUSIVE an -EBUSY returns the same descriptor after "nonexclusive
// access to GPIO for %s" and mints no token — then configure. owner names
// who the returned reference belongs to (the ownership oracle's token).
func (g *GPIO) GpiodGetIndex(dev *core.Device, con string, idx int, flags Flags, owner string) (*Desc, error) {
	d, err := g.ofFindGpio(dev.OfNode, con, idx)
	if err != nil {
		return nil, err
	}
	label := con
	if label == "" {
		label = dev.Name
	}
	if err := g.gpiodRequest(d, label, requestHolder(dev.Name, con, d), dev.Obj()); err != nil {
		if !(err == core.EBUSY && flags&GPIOD_FLAGS_BIT_NONEXCLUSIVE != 0) {
			return nil, err
		}
		g.c.DevErr(dev, "nonexclusive access to GPIO for %s", label)
		return d, nil
	}
	g.mint(d, owner, "gpiod_get_index")
	return d, nil
}

func requestHolder(consumer, con string, d *Desc) string {
	prop := "gpios"
	if con != "" {
		prop = con + "-gpios"
	}
	return fmt.Sprintf("%s %s (%s)", consumer, prop, d.Name())
}

// GpiodGet is gpiod_get(): index 0.
func (g *GPIO) GpiodGet(dev *core.Device, con string, flags Flags, owner string) (*Desc, error) {
	return g.GpiodGetIndex(dev, con, 0, flags, owner)
}

// GpiodGetOptional is gpiod_get_optional(): NULL instead of -ENOENT.
func (g *GPIO) GpiodGetOptional(dev *core.Device, con string, flags Flags, owner string) (*Desc, error) {
	d, err := g.GpiodGetIndex(dev, con, 0, flags, owner)
	if err == core.ENOENT {
		return nil, nil
	}
	return d, err
}

// FwnodeGpiodGetIndex is fwnode_gpiod_get_index() for an OF node (no
// struct device: a node without a device, or a child node of one):
// gpiod_get_from_of_node() requests with label, and with NONEXCLUSIVE
// returns the busy descriptor silently. consumer names the requester in
// the references it takes.
func (g *GPIO) FwnodeGpiodGetIndex(np *of.Node, con string, idx int, flags Flags, label, consumer, owner string) (*Desc, error) {
	d, err := g.ofFindGpio(np, con, idx)
	if err != nil {
		return nil, err
	}
	if err := g.gpiodRequest(d, label, requestHolder(consumer, con, d), nil); err != nil {
		if err == core.EBUSY && flags&GPIOD_FLAGS_BIT_NONEXCLUSIVE != 0 {
			return d, nil
		}
		return nil, err
	}
	g.mint(d, owner, "fwnode_gpiod_get_index")
	return d, nil
}

// devmOwner is the owner token name of a descriptor managed by dev's
// devres (spent by devm_gpiod_release).
func devmOwner(dev *core.Device, con string) string {
	prop := "gpios"
	if con != "" {
		prop = con + "-gpios"
	}
	return dev.Name + " " + prop + " (devm)"
}

// devmGpiod is the argument of a devm_gpiod_release devres.
type devmGpiod struct {
	key   devmKey
	owner string
}

// devmAdd is the devres half of devm_gpiod_get_index() and
// devm_fwnode_gpiod_get_index(): a non-exclusive descriptor this device
// already manages is returned as is (devres_find); otherwise a devres
// whose release (devm_gpiod_release) is gpiod_put(). The devres
// allocation can fail: gpiod_put(desc), -ENOMEM (v6.1's devres_alloc()
// path and the later devm_add_action_or_reset() alike).
func (g *GPIO) devmAdd(dev *core.Device, d *Desc, flags Flags, owner string) (*Desc, error) {
	k := devmKey{dev, d}
	if flags&GPIOD_FLAGS_BIT_NONEXCLUSIVE != 0 && g.devm[k] {
		return d, nil
	}
	if g.c.Fail("devres_alloc", "devm_gpiod_get_index ("+owner+")", core.ENOMEM) {
		g.GpiodPut(d, owner, "devm_gpiod_get_index")
		return nil, core.ENOMEM
	}
	g.devm[k] = true
	g.c.DevresAddArg(dev, "devm_gpiod_release", d, devmGpiod{k, owner}, func(c *core.Core, data, arg any) {
		g, a := c.GPIO.(*GPIO), arg.(devmGpiod)
		delete(g.devm, a.key)
		g.GpiodPut(data.(*Desc), a.owner, "devm_gpiod_release")
	})
	return d, nil
}

// DevmGpiodGetIndex is devm_gpiod_get_index().
func (g *GPIO) DevmGpiodGetIndex(dev *core.Device, con string, idx int, flags Flags) (*Desc, error) {
	owner := devmOwner(dev, con)
	d, err := g.GpiodGetIndex(dev, con, idx, flags, owner)
	if err != nil {
		return nil, err
	}
	return g.devmAdd(dev, d, flags, owner)
}

// DevmGpiodGet is devm_gpiod_get().
func (g *GPIO) DevmGpiodGet(dev *core.Device, con string, flags Flags) (*Desc, error) {
	return g.DevmGpiodGetIndex(dev, con, 0, flags)
}

// DevmGpiodGetOptional is devm_gpiod_get_optional(): NULL for -ENOENT.
func (g *GPIO) DevmGpiodGetOptional(dev *core.Device, con string, flags Flags) (*Desc, error) {
	d, err := g.DevmGpiodGetIndex(dev, con, 0, flags)
	if err == core.ENOENT {
		return nil, nil
	}
	return d, err
}

// DevmFwnodeGpiodGet is devm_fwnode_gpiod_get(dev, child, con, flags,
// label): the descriptor of a child node, managed by dev.
func (g *GPIO) DevmFwnodeGpiodGet(dev *core.Device, child *of.Node, con string, flags Flags, label string) (*Desc, error) {
	owner := devmOwner(dev, con) + " " + child.Name()
	d, err := g.FwnodeGpiodGetIndex(child, con, 0, flags, label, dev.Name+" "+child.Name(), owner)
	if err != nil {
		return nil, err
	}
	return g.devmAdd(dev, d, flags, owner)
}

// GpiodSetConsumerName is gpiod_set_consumer_name().
func (g *GPIO) GpiodSetConsumerName(d *Desc, name string) {
	if g.validateDesc(d, "gpiod_set_consumer_name") {
		d.label = name
	}
}

// GpiodPut is gpiod_put(desc) called by caller from fn: the ownership
// oracle first, then gpiod_free(); with the gpiod_ref() patch
// VALIDATE_DESC_VOID then kref_put(&desc->ref, gpiod_free_kref).
func (g *GPIO) GpiodPut(d *Desc, caller, fn string) {
	if d == nil {
		return
	}
	g.spend(d, caller, fn)
	if !g.gpiodRef() {
		g.gpiodFree(d)
		return
	}
	if !g.reg.Touch(d.gdev.descsObj, "gpiod_put") || !g.validateDesc(d, "gpiod_put") {
		return
	}
	if d.kref == nil {
		// never requested: a zeroed kref
		d.kref = g.reg.Alloc("gpio_desc", d.Name(), "gpiochip_add_data_with_key", false, false, "")
	}
	if g.reg.Put(d.kref, "gpiod_put", caller) {
		g.gpiodFree(d)
	}
}

// GpiodRef is gpiod_ref() of the seeds/003 patch (+gpiod-ref):
// VALIDATE_DESC_PTR (NULL for a gone chip up to v6.8), the warning for
// an unrequested descriptor, else kref_get — and a token for caller.
// Without the patch the function does not exist: it returns ok=false.
func (g *GPIO) GpiodRef(d *Desc, caller string) (ret *Desc, ok bool) {
	if !g.gpiodRef() {
		return nil, false
	}
	if d == nil || !g.reg.Touch(d.gdev.descsObj, "gpiod_ref") || !g.validateDesc(d, "gpiod_ref") {
		return nil, true
	}
	if !d.requested {
		g.log.Printf("gpiolib: unable to increase the reference count of unrequested GPIO descriptor")
		return d, true
	}
	g.reg.Get(d.kref, "gpiod_ref", caller)
	g.mint(d, caller, "gpiod_ref")
	return d, true
}
