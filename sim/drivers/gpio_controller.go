package drivers

import (
	"dangle/sim/core"
	"dangle/sim/gpio"
)

// dangle,gpio-controller: a SoC GPIO controller of the usual shape (e.g.
// gpio-mxc, gpio-mpc8xxx): 32 lines registered with
// devm_gpiochip_add_data() in probe, no remove — the chip goes with the
// devres at unbind.

func init() {
	register(&core.Driver{Name: "dangle-gpio", Doc: "SoC GPIO controller: 32 lines with devm_gpiochip_add_data(), no remove", Bus: "platform", OfMatch: []string{"dangle,gpio-controller"},
		Probe: gpioControllerProbe,
		Binding: &core.Binding{Node: "gpio", Provides: []string{"gpio"}, GPIOLines: 32,
			Props:    []core.BindingProp{{Name: "gpio-controller"}, {Name: "#gpio-cells", Value: "<2>"}},
			Supplies: []core.BindingSupply{{Prop: "power-domains", Provider: "power-domain"}}}})
}

func gpioControllerProbe(c *core.Core, d *core.Device) error {
	gc := &gpio.Chip{Label: d.Name, Parent: d, Ngpio: 32, Node: d.OfNode}
	if err := gpio.From(c).DevmGpiochipAddData(d, gc); err != nil {
		return err
	}
	d.DrvData = gc
	return nil
}
