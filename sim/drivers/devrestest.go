package drivers

import (
	"dangle/sim/core"
)

// dangle,devres-test: a test module of the kind lib/test_*.c and KUnit
// device tests are, whose probe acquires managed resources in a known
// order so a scenario can watch the driver core release them:
// devm_add_action "first", the "vcc" supply if the node has vcc-supply
// (devm_regulator_get: a stateless device link to the regulator), then
// devm_add_action "last". If the node has dangle,fail-probe = <errno>,
// probe then fails with -errno, after acquiring all of them, as a probe
// whose last step fails does. Every action logs when it runs, so the
// log shows devres_release_all() going last-added first.

func init() {
	register(&core.Driver{Name: "dangle-devres-test", Doc: "test module: probe takes devm resources in a known order (action, vcc supply) to watch devres release them", Bus: "platform", OfMatch: []string{"dangle,devres-test"},
		Probe: devresTestProbe, Remove: devresTestRemove,
		Binding: &core.Binding{Node: "devres-test",
			Props:    []core.BindingProp{{Name: "dangle,fail-probe", Value: "<12>", Optional: true}},
			Supplies: []core.BindingSupply{{Prop: "vcc-supply", Provider: "regulator"}}}})
}

// devresTestAction registers devm_add_action(dev, devres_test_release, what).
func devresTestAction(c *core.Core, d *core.Device, what string) {
	c.DevmAddAction(d, "devres_test_release", what, d, func(c *core.Core, data, arg any) {
		c.DevErr(arg.(*core.Device), "devres_test_release: %s", data.(string))
	})
}

func devresTestProbe(c *core.Core, d *core.Device) error {
	devresTestAction(c, d, "first")
	if d.OfNode.Prop("vcc-supply") != nil {
		if _, err := c.DevmRegulatorGet(d, "vcc"); err != nil {
			return c.DevErrProbe(d, err, "failed to get vcc")
		}
	}
	devresTestAction(c, d, "last")
	if p := d.OfNode.Prop("dangle,fail-probe"); p != nil {
		if n, ok := p.U32(); ok {
			return errnoOf(int(n))
		}
	}
	return nil
}

func devresTestRemove(c *core.Core, d *core.Device) {
	c.DevErr(d, "devres_test_remove")
}

// errnoOf returns the driver core's error for -n (-EINVAL for errnos the
// model does not name).
func errnoOf(n int) error {
	for _, err := range []error{core.ENOENT, core.ENXIO, core.ENOMEM, core.EBUSY, core.EEXIST,
		core.ENODEV, core.EINVAL, core.EPROBE_DEFER} {
		if core.Errno(err) == -n {
			return err
		}
	}
	return core.EINVAL
}
