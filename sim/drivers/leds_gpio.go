package drivers

import (
	"dangle/sim/core"
	"dangle/sim/gpio"
	"dangle/sim/of"
)

// gpio-leds (drivers/leds/leds-gpio.c, gpio_led_probe -> gpio_leds_create):
// for each available child node, in order, the line with
// devm_fwnode_gpiod_get(dev, child, NULL, GPIOD_ASIS, NULL), then the LED
// class device with devm_led_classdev_register_ext() (named by "label",
// else the node name), then gpiod_set_consumer_name(). No remove: devres
// unregisters each LED and puts each line, last child first. The lines
// are in child nodes, so fw_devlink gives the device only SYNC_STATE_ONLY
// proxy links to the providers: unbinding a provider does not unbind the
// LEDs.

func init() {
	register(&core.Driver{Name: "leds-gpio", Doc: "GPIO LEDs (leds-gpio.c): devm_fwnode_gpiod_get() per child node, then the LED class device", Bus: "platform", OfMatch: []string{"gpio-leds"}, Probe: gpioLedProbe,
		Binding: &core.Binding{Node: "leds", NoReg: true,
			Child: &core.Binding{Node: "led",
				Props:    []core.BindingProp{{Name: "label", Value: "\"$name\"", Optional: true}},
				Supplies: []core.BindingSupply{{Prop: "gpios", Provider: "gpio", Required: true}}}}})
}

func gpioLedProbe(c *core.Core, d *core.Device) error {
	// gpio_leds_create(): priv = devm_kzalloc(), ERR_PTR(-ENOMEM)
	if err := c.DevmKzalloc(d, "gpio_leds_create"); err != nil {
		return err
	}
	g := gpio.From(c)
	for child := range d.OfNode.Children() {
		if !child.IsAvailable() {
			continue
		}
		desc, err := g.DevmFwnodeGpiodGet(d, child, "", gpio.GPIOD_ASIS, "")
		if err != nil {
			return err
		}
		name := ledName(child)
		led := c.NewClassDevice(d, "leds", name, "led_classdev_register_ext", func(c *core.Core, ld *core.Device) {
			c.FreeDevice(ld, "device_create_release")
		})
		if err := c.DeviceRegister(led); err != nil {
			// device_create_groups_vargs(): put_device(), ERR_PTR()
			c.PutInitial(led, "device_create_groups_vargs")
			return err
		}
		c.DevresAdd(d, "devm_led_classdev_release", led, func(c *core.Core, data, _ any) { c.DeviceUnregister(data.(*core.Device)) })
		g.GpiodSetConsumerName(desc, name)
	}
	return nil
}

// ledName is led_compose_name() for a node with neither function nor
// color: "label", else the node name.
func ledName(np *of.Node) string {
	if p := np.Prop("label"); p != nil {
		if s, ok := p.ReadString(); ok {
			return s
		}
	}
	return np.Name()
}
