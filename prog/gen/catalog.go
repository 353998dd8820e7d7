package gen

// Catalog is what the generator knows of the driver models: one entry
// per driver, in the catalog's order. The simulator builds it from its
// driver files (sim.GenCatalog); the generator imports none of them.
type Catalog struct {
	Drivers []Driver
}

// Bus is the bus a driver registers on, which decides where its nodes
// go: "platform" nodes under a simple-bus (or the root), "i2c" and "spi"
// nodes under a controller providing that bus.
type Bus string

// The buses.
const (
	BusPlatform Bus = "platform"
	BusI2C      Bus = "i2c"
	BusSPI      Bus = "spi"
)

// Kind is something a node provides to others: a supplier that phandle
// properties point at, or a bus that holds child nodes.
type Kind string

// The kinds. Suppliers are referred to as <&x> (<&x line 0> for gpio).
const (
	KindGPIO        Kind = "gpio"         // gpio-controller, #gpio-cells = <2>
	KindRegulator   Kind = "regulator"    // *-supply = <&x>
	KindClock       Kind = "clock"        // #clock-cells = <0>
	KindPowerDomain Kind = "power-domain" // #power-domain-cells = <0>
	KindSimpleBus   Kind = "simple-bus"   // platform children, cells 1/1, ranges
	KindI2CBus      Kind = "i2c-bus"      // I2C clients, cells 1/0
	KindSPIBus      Kind = "spi-bus"      // SPI devices, cells 1/0
)

// childBus is the bus whose devices a bus kind holds ("" for suppliers).
func (k Kind) childBus() Bus {
	switch k {
	case KindSimpleBus:
		return BusPlatform
	case KindI2CBus:
		return BusI2C
	case KindSPIBus:
		return BusSPI
	}
	return ""
}

// Driver is one catalog driver model and the binding of its nodes.
type Driver struct {
	// Name is the driver's name ("reg-fixed-voltage"), the unit the
	// reachability counts use.
	Name string
	// Compatibles is its OF match table; a generated node takes one.
	Compatibles []string
	// Bus is where its nodes live.
	Bus Bus
	// Binding is the shape of its nodes.
	Binding
}

// Binding is the shape of a node a driver binds: see core.Binding, of
// which this is a copy in the generator's types.
type Binding struct {
	// Node is the generic node name ("regulator").
	Node string
	// NoReg: a platform node without reg (and so without unit address).
	NoReg bool
	// Provides lists what the node offers others.
	Provides []Kind
	// GPIOLines is the number of lines of a KindGPIO provider.
	GPIOLines int
	// Props are the node's other properties, in order; "$name" in a
	// value stands for a name unique to the node.
	Props []Prop
	// Supplies are the supplier properties the driver reads.
	Supplies []Supply
	// Child is the binding of child nodes the driver reads itself
	// (gpio-leds' LEDs); nil if none.
	Child *Binding
}

// Prop is one property of a Binding: Value is DTS value text, "" for a
// boolean property.
type Prop struct {
	Name, Value string
	// Optional properties are present on some nodes only.
	Optional bool
}

// Supply is a supplier property of a Binding.
type Supply struct {
	// Prop is the property name ("vcc-supply", "wp-gpios").
	Prop string
	// Provider is the kind of node it points at.
	Provider Kind
	// Required supplies are always written; optional ones sometimes.
	Required bool
}

// provides reports whether b provides k.
func (b *Binding) provides(k Kind) bool {
	for _, x := range b.Provides {
		if x == k {
			return true
		}
	}
	return false
}

// busKind is the bus kind b provides, or "".
func (b *Binding) busKind() Kind {
	for _, k := range b.Provides {
		if k.childBus() != "" {
			return k
		}
	}
	return ""
}
