package drivers

import (
	"dangle/sim/core"
	"dangle/sim/gpio"
)

// atmel,24c32 (drivers/misc/eeprom/at24.c, at24_probe): the EEPROM
// registers its nvmem device with devm_nvmem_register(), named after the
// client with NVMEM_DEVID_AUTO ("0-00500").
//
// Not the in-tree driver in one respect, on purpose: while
// nvmem_config->wp_gpio exists (2a127da461a9 .. 569653f022a2, profiles
// with nvmem_wp=borrowed-put or gpiod-ref) this model takes "wp-gpios"
// itself with devm_gpiod_get_optional(dev, "wp", GPIOD_OUT_HIGH) and
// passes it as config->wp_gpio, as the at24 Bartosz Golaszewski tested
// in seeds/003 did ("Modules linked in: at24") — the provider the field
// invited and B4 needs. In-tree at24 left the line to the nvmem core in
// every version ("No one provides wp_gpio", 569653f022a2), which is what
// this model does where the field is gone. at24's vcc regulator, regmap
// and runtime PM are not modelled.

func init() {
	register(&core.Driver{Name: "at24", Doc: "EEPROM (at24.c): devm_nvmem_register(); takes wp-gpios itself where nvmem_config->wp_gpio exists", Bus: "i2c", OfMatch: []string{"atmel,24c32"}, Probe: at24Probe,
		Binding: &core.Binding{Node: "eeprom",
			Supplies: []core.BindingSupply{{Prop: "wp-gpios", Provider: "gpio"}}}})
}

func at24Probe(c *core.Core, d *core.Device) error {
	g := gpio.From(c)
	cfg := &gpio.NvmemConfig{Dev: d, Name: d.Name, ID: gpio.NVMEM_DEVID_AUTO}
	if !c.Prof.Is("nvmem_wp", "removed") {
		wp, err := g.DevmGpiodGetOptional(d, "wp", gpio.GPIOD_OUT_HIGH)
		if err != nil {
			return c.DevErrProbe(d, err, "failed to get wp gpio")
		}
		cfg.WpGpio = wp
	}
	nv, err := g.DevmNvmemRegister(d, cfg)
	if err != nil {
		return err
	}
	d.DrvData = nv
	return nil
}
