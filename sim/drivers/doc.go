// Package drivers is the driver catalog (architecture §4): one file per
// driver model, each reading like the C driver's probe and remove, built
// on the simulated kernel API of package core. A model registers itself
// by compatible in its file's init(), with the core.Binding of its nodes
// (what they carry, provide and consume) that the overlay generator
// reads through sim.GenCatalog; adding a driver needs no edits elsewhere
// (except the op table's list of driver= values).
//
// Models: simple-bus/simple-mfd (simple-pm-bus), dangle,i2c-controller,
// dangle,spi-controller, dangle,power-domain, regulator-fixed,
// fixed-clock, nxp,pca9534 (vcc supply and GPIO chip), dangle,i2c-input,
// dangle,spi-input, dangle,dt-fixup, dangle,devres-test,
// dangle,gpio-controller, atmel,24c32 (nvmem with wp-gpios), gpio-leds.
package drivers
