package drivers

import (
	"fmt"

	"dangle/sim/core"
)

// regulator-fixed (drivers/regulator/fixed.c, reg_fixed_voltage_probe):
// the regulator is registered with devm_regulator_register(), so it is
// unregistered by devres at unbind; there is no remove.

func init() {
	register(&core.Driver{Name: "reg-fixed-voltage", Doc: "fixed regulator (regulator/fixed.c): devm_regulator_register(), no remove", Bus: "platform", OfMatch: []string{"regulator-fixed"},
		Probe: regFixedVoltageProbe,
		Binding: &core.Binding{Node: "regulator", NoReg: true, Provides: []string{"regulator"},
			Props: []core.BindingProp{{Name: "regulator-name", Value: "\"$name\""}}}})
}

func regFixedVoltageProbe(c *core.Core, d *core.Device) error {
	// drvdata = devm_kzalloc(): "if (!drvdata) return -ENOMEM;"; its desc
	// is what rdev->desc points to; devres frees it after
	// devm_regulator_register's unregister (added later, released first)
	data, err := c.DevmKzallocObj(d, "fixed_voltage_data", "reg_fixed_voltage_probe")
	if err != nil {
		return err
	}
	name := d.OfNode.Name()
	if p := d.OfNode.Prop("regulator-name"); p != nil {
		if s, ok := p.ReadString(); ok {
			name = s
		}
	}
	rdev, err := c.DevmRegulatorRegister(d, d.OfNode, name)
	if err != nil {
		return c.DevErrProbe(d, err, fmt.Sprintf("Failed to register regulator: %d", core.Errno(err)))
	}
	rdev.Desc = data
	d.DrvData = rdev
	return nil
}
