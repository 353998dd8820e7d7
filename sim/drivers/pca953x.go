package drivers

import "dangle/sim/core"

// nxp,pca9534 (drivers/gpio/gpio-pca953x.c), its supply part: probe
// takes "vcc" with devm_regulator_get() (the stateless device link to the
// regulator's class device of seeds/000) and enables it; remove disables
// it, and devres puts it. The GPIO provider part comes with the GPIO model.

func init() {
	register(&core.Driver{Name: "pca953x", Bus: "i2c",
		OfMatch: []string{"nxp,pca9534", "nxp,pca9535", "nxp,pca9555", "ti,tca6416"},
		Probe:   pca953xProbe, Remove: pca953xRemove})
}

type pca953xChip struct {
	regulator *core.Regulator
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
	return nil
}

func pca953xRemove(c *core.Core, d *core.Device) {
	chip := d.DrvData.(*pca953xChip)
	c.RegulatorDisable(chip.regulator)
}
