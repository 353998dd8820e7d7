package core

import (
	"fmt"

	"dangle/sim/kobj"
	"dangle/sim/of"
)

// Regulators (drivers/regulator/core.c): a regulator_dev is a class
// device holding its node until regulator_dev_release(); every consumer
// handle pins it (get_device) and is tied to it by a stateless device
// link, removed again in regulator_put().

// RegulatorDev is a struct regulator_dev.
type RegulatorDev struct {
	Name      string
	Dev       *Device
	openCount int
	// useCount is rdev->use_count: consumer handles enabled.
	useCount int
	// Desc is the allocation rdev->desc points into (the driver's
	// regulator_desc: reg-fixed-voltage's devm_kzalloc'd
	// fixed_voltage_data), nil when it is static; _regulator_do_enable
	// and _regulator_do_disable read desc->ops.
	Desc *kobj.Object
}

// Regulator is a consumer handle (struct regulator).
type Regulator struct {
	rdev        *RegulatorDev
	dev         *Device
	supply      string
	enableCount int
	deviceLink  bool
	holder      string
}

// RegulatorRegister is regulator_register(): the class device
// "regulator.%lu" (regulator.0 is the dummy regulator registered at
// boot), child of the provider device, holding np. A failing device_add()
// goes to unset_supplies and, since 9177514ce349 (v5.9), wash:
// put_device(&rdev->dev), whose regulator_dev_release() puts the node and
// frees the rdev; ERR_PTR(ret) is returned.
func (c *Core) RegulatorRegister(pdev *Device, np *of.Node, name string) (*RegulatorDev, error) {
	c.regNo++
	rdev := &RegulatorDev{Name: name}
	d := c.newDevice(fmt.Sprintf("regulator.%d", c.regNo), "regulator_register")
	d.Class = "regulator"
	d.Parent = pdev
	d.Priv = rdev
	rdev.Dev = d
	// rdev->dev.of_node = of_node_get(config->of_node): no fwnode, so
	// fwnode->dev stays the provider's platform device
	d.OfNode = c.OF.NodeGetOwned(np, "regulator_register", d.nodeHolder(), d.obj)
	d.release, d.releaseName = (*Core).regulatorDevRelease, "regulator_dev_release"
	c.Lock(&c.RegulatorListMutex, "regulator_register")
	if err := c.DeviceRegister(d); err != nil {
		c.Unlock(&c.RegulatorListMutex)
		c.PutDevice(d, "regulator_register", d.initHolder)
		return nil, err
	}
	c.regulators = append(c.regulators, rdev)
	c.Unlock(&c.RegulatorListMutex)
	return rdev, nil
}

// regulatorDevRelease is regulator_dev_release(): the node reference
// goes when the class device's last reference does.
func (c *Core) regulatorDevRelease(d *Device) {
	c.OF.NodePutOwned(d.OfNode, "regulator_dev_release", d.nodeHolder(), d.obj)
	c.freeDevice(d, "regulator_dev_release")
}

// RegulatorUnregister is regulator_unregister(): WARN_ON(open_count),
// then device_unregister() under regulator_list_mutex.
func (c *Core) RegulatorUnregister(rdev *RegulatorDev) {
	c.Lock(&c.RegulatorListMutex, "regulator_unregister")
	if rdev.openCount != 0 {
		c.warn("drivers/regulator/core.c", "regulator_unregister", rdev.Dev.Name)
	}
	for i, x := range c.regulators {
		if x == rdev {
			c.regulators = append(c.regulators[:i:i], c.regulators[i+1:]...)
			break
		}
	}
	c.DeviceUnregister(rdev.Dev)
	c.Unlock(&c.RegulatorListMutex)
}

// DevmRegulatorRegister is devm_regulator_register(): devres_alloc()
// (-ENOMEM), regulator_register(), and devres_add() on success,
// devres_free() on failure.
func (c *Core) DevmRegulatorRegister(pdev *Device, np *of.Node, name string) (*RegulatorDev, error) {
	if c.fail("devres_alloc", "devm_regulator_register", ENOMEM) {
		return nil, ENOMEM
	}
	rdev, err := c.RegulatorRegister(pdev, np, name)
	if err != nil {
		return nil, err
	}
	c.DevresAdd(pdev, "devm_rdev_release", rdev, func(c *Core, data, _ any) { c.RegulatorUnregister(data.(*RegulatorDev)) })
	return rdev, nil
}

// RegulatorGet is regulator_get(dev, id): look up "<id>-supply"
// (-EPROBE_DEFER while its regulator is not registered; the dummy
// regulator when there is no such property), pin the rdev, and link the
// consumer to it with a stateless device link. create_regulator()'s
// kzalloc() can fail: ERR_PTR(-ENOMEM) after module_put() and
// put_device() of the rdev.
func (c *Core) RegulatorGet(dev *Device, id string) (*Regulator, error) {
	var np *of.Node
	if dev.OfNode != nil {
		if p := dev.OfNode.Prop(id + "-supply"); p != nil && len(p.Value) >= 4 {
			np = c.OF.FindNodeByPhandle(be32(p.Value))
			if np == nil {
				return nil, ENODEV
			}
		}
	}
	r := &Regulator{dev: dev, supply: id, holder: fmt.Sprintf("regulator %s-%s", dev.Name, id)}
	const createFn = "create_regulator (regulator)"
	if np == nil {
		c.devPrintk(dev, "supply %s not found, using dummy regulator", id)
		if c.fail("kzalloc", createFn, ENOMEM) {
			return nil, ENOMEM
		}
		return r, nil
	}
	rd := c.FindClassDeviceByNode("regulator", np, "regulator_dev_lookup", r.holder)
	if rd == nil {
		return nil, EPROBE_DEFER
	}
	if c.fail("kzalloc", createFn, ENOMEM) {
		c.PutDevice(rd, "_regulator_get", r.holder)
		return nil, ENOMEM
	}
	r.rdev = rd.Priv.(*RegulatorDev)
	r.rdev.openCount++
	if c.DeviceLinkAddBy(dev, rd, DL_FLAG_STATELESS, r.holder) != nil {
		r.deviceLink = true
	}
	return r, nil
}

// RegulatorPut is regulator_put(): under regulator_list_mutex, WARN_ON
// an enabled handle, device_link_remove(), then put the rdev.
func (c *Core) RegulatorPut(r *Regulator) {
	if r == nil {
		return
	}
	c.Lock(&c.RegulatorListMutex, "regulator_put")
	if r.enableCount != 0 {
		c.warn("drivers/regulator/core.c", "_regulator_put", r.holder)
	}
	if r.rdev != nil {
		if r.deviceLink {
			c.DeviceLinkRemoveBy(r.dev, r.rdev.Dev, r.holder)
		}
		r.rdev.openCount--
		c.PutDevice(r.rdev.Dev, "_regulator_put", r.holder)
	}
	c.Unlock(&c.RegulatorListMutex)
}

// DevmRegulatorGet is devm_regulator_get(): regulator_get() with a
// devres whose release (devm_regulator_release) is regulator_put().
//
// The devres is allocated first: -ENOMEM before the lookup.
func (c *Core) DevmRegulatorGet(dev *Device, id string) (*Regulator, error) {
	if c.fail("devres_alloc", "_devm_regulator_get", ENOMEM) {
		return nil, ENOMEM
	}
	r, err := c.RegulatorGet(dev, id)
	if err != nil {
		return nil, err
	}
	c.DevresAdd(dev, "devm_regulator_release", r, func(c *Core, data, _ any) { c.RegulatorPut(data.(*Regulator)) })
	return r, nil
}

// RegulatorEnable is regulator_enable() -> _regulator_enable(): a
// handle's first enable counts in rdev->use_count, and the first user
// turns the regulator on (_regulator_do_enable reads rdev->desc->ops).
func (c *Core) RegulatorEnable(r *Regulator) error {
	if rd := r.rdev; rd != nil && r.enableCount == 0 {
		if rd.useCount == 0 && rd.Desc != nil {
			c.Reg.Touch(rd.Desc, "_regulator_do_enable")
		}
		rd.useCount++
	}
	r.enableCount++
	return nil
}

// RegulatorDisable is regulator_disable() -> _regulator_disable(): the
// handle's last disable; the last user (use_count 1, not always-on, so
// REGULATOR_CHANGE_STATUS is valid) turns it off in
// _regulator_do_disable(), which reads rdev->desc->ops - freed memory
// when the provider's devres has already run (drivers/regulator/core.c).
func (c *Core) RegulatorDisable(r *Regulator) error {
	if r.enableCount == 0 {
		c.warn("drivers/regulator/core.c", "regulator_disable", r.holder)
		return EINVAL
	}
	if rd := r.rdev; rd != nil && r.enableCount == 1 {
		switch {
		case rd.useCount == 1:
			if rd.Desc != nil {
				c.Reg.Touch(rd.Desc, "_regulator_do_disable")
			}
			rd.useCount = 0
		case rd.useCount > 1:
			rd.useCount--
		}
	}
	r.enableCount--
	return nil
}
