package drivers

import "dangle/sim/core"

// dangle,i2c-input and dangle,spi-input: touchscreen-like input drivers
// of the kind seeds/004 is about (e.g. the I2C driver in
// lore.kernel.org/linux-devicetree/20210305041236.3489-7-jeff@...):
// everything is devm — the input device, the threaded IRQ, the input
// registration — and there is no remove, so at unbind the input device
// is unregistered (and quiesces the chip) only when devres runs, which
// before the fixes is after the bus detached the PM domain.

func init() {
	register(&core.Driver{Name: "dangle-i2c-input", Doc: "all-devm input driver (seeds/004): the input device goes only when devres runs", Bus: "i2c", OfMatch: []string{"dangle,i2c-input"}, Probe: inputProbe,
		Binding: &core.Binding{Node: "touchscreen",
			Supplies: []core.BindingSupply{{Prop: "power-domains", Provider: "power-domain"}}}})
	register(&core.Driver{Name: "dangle-spi-input", Doc: "all-devm input driver on SPI (seeds/004)", Bus: "spi", OfMatch: []string{"dangle,spi-input"}, Probe: inputProbe,
		Binding: &core.Binding{Node: "touchscreen",
			Supplies: []core.BindingSupply{{Prop: "power-domains", Provider: "power-domain"}}}})
}

func inputProbe(c *core.Core, d *core.Device) error {
	input := c.DevmInputAllocateDevice(d)
	c.DevmRequestThreadedIRQ(d, d.Name+" irq")
	return c.InputRegisterDevice(d, input)
}
