package drivers

import "dangle/sim/core"

// dangle,spi-controller: an SPI host driver using the devm helpers
// (devm_spi_alloc_host + devm_spi_register_controller): the controller is
// unregistered by devres at unbind.

func init() {
	register(&core.Driver{Name: "dangle-spi", Doc: "SPI host: devm_spi_alloc_host + devm_spi_register_controller", Bus: "platform", OfMatch: []string{"dangle,spi-controller"},
		Probe: spiControllerProbe,
		Binding: &core.Binding{Node: "spi", Provides: []string{"spi-bus"},
			Props: []core.BindingProp{{Name: "#address-cells", Value: "<1>"}, {Name: "#size-cells", Value: "<0>"}},
			Supplies: []core.BindingSupply{{Prop: "clocks", Provider: "clock"},
				{Prop: "power-domains", Provider: "power-domain"}}}})
}

func spiControllerProbe(c *core.Core, d *core.Device) error {
	if err := c.DevmClkGet(d); err != nil && err != core.ENOENT {
		return c.DevErrProbe(d, err, "failed to get clock")
	}
	ctlr := c.DevmSPIAllocHost(d)
	if ctlr == nil {
		return core.ENOMEM
	}
	if err := c.SPIRegisterController(ctlr); err != nil {
		return err
	}
	// devm_spi_register_controller(): devm_spi_unregister at unbind
	c.DevresAdd(d, "devm_spi_unregister", ctlr, func(c *core.Core, data, _ any) { c.SPIUnregisterController(data.(*core.SPIController)) })
	d.DrvData = ctlr
	return nil
}
