// Package gen generates random device-tree overlays that the kernel
// accepts, for the fuzzers and the soak: the overlay-tree half of
// generation (architecture §6, issue 10); op sequences and the byte
// decoder build on it.
//
// The generator knows the model only through what it is given: a
// [Catalog] (each driver's bus, compatibles and binding: what its nodes
// provide, carry and consume) and a [Base] (the live tree's nodes with
// their labels, providers, buses and address windows). The simulator
// builds both from its driver files and the compiled base tree
// (sim.GenCatalog, sim.GenBase); gen imports neither the simulator nor
// the device-tree packages.
//
// A [State] is the live tree between overlays: [State.Generate] writes
// the next overlay against it, and [State.Apply] / [State.Remove] record
// what the kernel did with one, so later overlays target and refer to
// the nodes and labels of earlier ones. Every decision goes through a
// [Choices] (a seeded [Rand], or later a fuzzer's byte stream); choice 0
// is always the plainest option, so an exhausted stream ends loops.
// [Weights] hold every tunable; a [Swarm] enables a subset of drivers,
// fragment kinds and actions for one program.
//
// Besides device nodes, property updates and status toggles, a fragment
// can add a driverless GPIO consumer node (ActConsumer, consumer.go:
// disabled, "<con>-gpios" to a provider's free line), the node a test
// module requests lines by; only FuzzGPIO's weights enable it by
// default. Choice 0 writes a device's supplies, so the exhausted
// stream's overlay is a consumer with its supplier.
//
// An [Overlay] is DTS source ("/dts-v1/; /plugin/;" with &label, &{/path}
// and explicit fragment@N target / target-path fragments) plus a record
// of what it does: the reject class it carries ([Valid] or one the kernel
// must refuse), its fragments, the drivers it instantiates, the nodes it
// adds, the supplier links it writes and where their providers are.
package gen
