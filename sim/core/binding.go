package core

// Binding is the device-tree binding a driver model implements: what a
// node it binds to carries and which supplier nodes it points at, as the
// driver's schema in Documentation/devicetree/bindings says. The
// simulator does not read it; the overlay generator does (sim.GenCatalog
// hands it to prog/gen), so that generated nodes are nodes the driver
// binds and probes. Each driver's file declares its own.
type Binding struct {
	// Node is the generic node name of such nodes ("regulator",
	// "gpio", "eeprom"), to which the generator adds a unit address or
	// a suffix.
	Node string
	// NoReg says the nodes carry no reg on a platform bus (fixed
	// regulators and clocks, gpio-leds); I2C and SPI nodes always have
	// one (the client address, the chip select).
	NoReg bool
	// Provides lists what a node offers other nodes: "gpio" (a
	// gpio-controller, #gpio-cells = <2>: <&x line flags>), "regulator"
	// (<&x> in *-supply), "clock" (#clock-cells = <0>), "power-domain"
	// (#power-domain-cells = <0>), or a bus its children live on:
	// "simple-bus" (platform children, #address-cells = #size-cells =
	// <1> with ranges), "i2c-bus", "spi-bus".
	Provides []string
	// GPIOLines is the number of lines a "gpio" provider has (the
	// smallest of its compatibles').
	GPIOLines int
	// Props are the properties a node carries besides compatible, reg,
	// ranges and status, in order. Values are DTS value text ("<2>",
	// "\"vdd\"", "" for a boolean); "$name" in a value stands for a
	// name unique to the node.
	Props []BindingProp
	// Supplies are the supplier properties the driver reads.
	Supplies []BindingSupply
	// Child, when set, is the binding of the child nodes the driver
	// reads itself (gpio-leds' LEDs), which get no device of their own.
	Child *Binding
}

// BindingProp is one property of a Binding.
type BindingProp struct {
	Name, Value string
	// Optional properties appear on some nodes only (dangle,fail-probe).
	Optional bool
}

// BindingSupply is one supplier property of a Binding.
type BindingSupply struct {
	// Prop is the property ("vcc-supply", "wp-gpios", "clocks", "gpios").
	Prop string
	// Provider is what it points at: a Provides value ("regulator",
	// "gpio", "clock", "power-domain").
	Provider string
	// Required supplies are always present: the driver fails without
	// them (gpio-leds without "gpios"); the others are optional.
	Required bool
}
