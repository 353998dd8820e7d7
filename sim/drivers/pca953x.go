package drivers

import (
	"dangle/sim/core"
	"dangle/sim/gpio"
)

// nxp,pca9534 (drivers/gpio/gpio-pca953x.c): probe takes "vcc" with
// devm_regulator_get() (the stateless device link to the regulator's
// class device of seeds/000) and enables it, then registers the GPIO
// chip with devm_gpiochip_add_data() (label dev_name, 8 or 16 lines by
// model); remove disables the supply, and devres removes the chip
// (gpiochip_remove) before it puts the regulator. The optional
// "reset-gpios" is only looked up when the client has no i2c id, which
// OF-instantiated clients of this driver always have.

func init() {
	register(&core.Driver{Name: "pca953x", Doc: "I2C GPIO expander (gpio-pca953x.c): vcc supply (a stateless device link), devm_gpiochip_add_data()", Bus: "i2c",
		OfMatch: []string{"nxp,pca9534", "nxp,pca9535", "nxp,pca9555", "ti,tca6416"},
		Probe:   pca953xProbe, Remove: pca953xRemove,
		Binding: &core.Binding{Node: "gpio", Provides: []string{"gpio"}, GPIOLines: 8,
			Props:    []core.BindingProp{{Name: "gpio-controller"}, {Name: "#gpio-cells", Value: "<2>"}},
			Supplies: []core.BindingSupply{{Prop: "vcc-supply", Provider: "regulator"}}}})
}

type pca953xChip struct {
	regulator *core.Regulator
	gpioChip  *gpio.Chip
}

// pca953xNgpio is the line count of pca953x_id / pca953x_dt_ids.
func pca953xNgpio(d *core.Device) int {
	for _, comp := range core.Compatibles(d.OfNode) {
		if comp == "nxp,pca9534" {
			return 8
		}
	}
	return 16
}

func pca953xProbe(c *core.Core, d *core.Device) error {
	chip := &pca953xChip{}
	reg, err := c.DevmRegulatorGet(d, "vcc")
	if err != nil {
		return c.DevErrProbe(d, err, "reg get err")
	}
	if err := c.RegulatorEnable(reg); err != nil {
		c.DevErr(d, "reg en err %d", core.Errno(err))
		return err
	}
	chip.regulator = reg
	d.DrvData = chip
	// pca953x_setup_gpio(), then devm_gpiochip_add_data()
	chip.gpioChip = &gpio.Chip{Label: d.Name, Parent: d, Ngpio: pca953xNgpio(d), Node: d.OfNode}
	if err := gpio.From(c).DevmGpiochipAddData(d, chip.gpioChip); err != nil {
		c.RegulatorDisable(reg) // err_exit
		return err
	}
	return nil
}

func pca953xRemove(c *core.Core, d *core.Device) {
	chip := d.DrvData.(*pca953xChip)
	if !c.Forgot(d, "regulator_disable") {
		c.RegulatorDisable(chip.regulator)
	}
}
