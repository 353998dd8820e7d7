package drivers

import "dangle/sim/core"

// simple-pm-bus (drivers/bus/simple-pm-bus.c) also binds the transparent
// buses of of_default_bus_match_table (ONLY_BUS, since v5.16): their
// children were populated by of_platform_default_populate(), so probe
// does nothing, and it binds only if the match is the node's most
// specific compatible.
var simpleBusMatch = []string{"simple-bus", "simple-mfd", "isa", "arm,amba-bus"}

func init() {
	register(&core.Driver{Name: "simple-pm-bus", Doc: "transparent buses (simple-pm-bus.c): probe does nothing, children populated at boot", Bus: "platform", OfMatch: simpleBusMatch, Probe: simplePMBusProbe,
		Binding: &core.Binding{Node: "bus", Provides: []string{"simple-bus"},
			Props: []core.BindingProp{{Name: "#address-cells", Value: "<1>"}, {Name: "#size-cells", Value: "<1>"}}}})
}

func simplePMBusProbe(c *core.Core, d *core.Device) error {
	comps := core.Compatibles(d.OfNode)
	for _, m := range simpleBusMatch {
		if len(comps) > 0 && comps[0] == m {
			return nil
		}
	}
	return core.ENODEV
}
