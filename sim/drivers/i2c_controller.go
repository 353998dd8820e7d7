package drivers

import "dangle/sim/core"

// dangle,i2c-controller: a SoC I2C controller driver of the usual shape
// (e.g. i2c-designware-platdrv): clock, then i2c_add_adapter() in probe,
// i2c_del_adapter() in remove.

func init() {
	register(&core.Driver{Name: "dangle-i2c", Doc: "SoC I2C controller: i2c_add_adapter() in probe, i2c_del_adapter() in remove", Bus: "platform", OfMatch: []string{"dangle,i2c-controller"},
		Probe: i2cControllerProbe, Remove: i2cControllerRemove,
		Binding: &core.Binding{Node: "i2c", Provides: []string{"i2c-bus"},
			Props: []core.BindingProp{{Name: "#address-cells", Value: "<1>"}, {Name: "#size-cells", Value: "<0>"}},
			Supplies: []core.BindingSupply{{Prop: "clocks", Provider: "clock"},
				{Prop: "power-domains", Provider: "power-domain"}}}})
}

func i2cControllerProbe(c *core.Core, d *core.Device) error {
	if err := c.DevmClkGet(d); err != nil && err != core.ENOENT {
		return c.DevErrProbe(d, err, "failed to get clock")
	}
	d.DrvData = c.I2CAddAdapter(d)
	return nil
}

func i2cControllerRemove(c *core.Core, d *core.Device) {
	if !c.Forgot(d, "i2c_del_adapter") {
		c.I2CDelAdapter(d.DrvData.(*core.I2CAdapter))
	}
}
