package drivers

import (
	"dangle/sim/core"
	"dangle/sim/of"
)

// fixed-clock (drivers/clk/clk-fixed-rate.c): CLK_OF_DECLARE(fixed_clk,
// "fixed-clock", of_fixed_clk_setup) registers every fixed-clock present
// at boot without a device (of_clk_init marks it OF_POPULATED); nodes
// added later get a platform device bound by of_fixed_clk_driver.

func init() {
	register(&core.Driver{Name: "of_fixed_clk", Doc: "fixed-rate clock (clk-fixed-rate.c): CLK_OF_DECLARE at boot, a platform driver for later nodes", Bus: "platform", OfMatch: []string{"fixed-clock"},
		Probe: ofFixedClkProbe, Remove: ofFixedClkRemove,
		OfDeclare: func(c *core.Core, np *of.Node) { c.OfClkInitDeclared(np) },
		Binding: &core.Binding{Node: "clock", NoReg: true, Provides: []string{"clock"},
			Props: []core.BindingProp{{Name: "#clock-cells", Value: "<0>"}, {Name: "clock-frequency", Value: "<24000000>"}}}})
}

func ofFixedClkProbe(c *core.Core, d *core.Device) error {
	// _of_fixed_clk_setup(): clk_hw_register_fixed_rate + of_clk_add_hw_provider
	c.OfClkAddHwProvider(d.OfNode, d)
	return nil
}

func ofFixedClkRemove(c *core.Core, d *core.Device) {
	if !c.Forgot(d, "of_clk_del_provider") {
		c.OfClkDelProvider(d.OfNode)
	}
}
