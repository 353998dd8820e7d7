package drivers

import "dangle/sim/core"

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
	name := d.OfNode.Name()
	if p := d.OfNode.Prop("regulator-name"); p != nil {
		if s, ok := p.ReadString(); ok {
			name = s
		}
	}
	d.DrvData = c.DevmRegulatorRegister(d, d.OfNode, name)
	return nil
}
