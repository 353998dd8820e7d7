package sim

import (
	"fmt"
	"strings"

	"dangle/sim/core"
)

// Mutant is an injected bug, a benchmarking and test aid that no user
// run reaches (Config.Mutant is nil unless a test or make bench sets it):
// the catalog driver Driver forgets the release Release (a call its
// remove makes, or a devres entry: the non-devm API whose undo the
// driver leaves out). Node, Kernel, Prog and Want are its demonstration:
// a program whose device on Node, on profile Kernel ("" = mainline),
// has a finding containing Want with the mutant and none without.
type Mutant struct {
	Driver  string // catalog driver name
	Release string // the remove call or devres entry the mutant skips
	Node    string // the node of the demonstration's device
	Kernel  string // the demonstration's profile ("" = mainline)
	Prog    string // the demonstration: ops and files after the header
	Want    string // a finding title containing this
}

// KernelMutant is the Driver of a kernel mutant: a regression in the
// kernel's own code, not in a driver. Its Release is the site the kernel
// leaves out (of.OF.Skips), "function:call".
const KernelMutant = "kernel"

// Name is the mutant's name, driver/release.
func (m *Mutant) Name() string { return m.Driver + "/" + m.Release }

// forgets is the core.Core.Forgets hook of a run with the mutant: every
// device bound to the driver forgets the release (class devices, which
// carry no driver of their own, never do).
func (m *Mutant) forgets(d *core.Device, release string) bool {
	return m.Driver != KernelMutant && d != nil && d.Class == "" && d.Driver != nil && d.Driver.Name == m.Driver && release == m.Release
}

// MutantByName returns the mutant called name (Mutant.Name).
func MutantByName(name string) (*Mutant, error) {
	var names []string
	for i := range Mutants {
		if Mutants[i].Name() == name {
			return &Mutants[i], nil
		}
		names = append(names, Mutants[i].Name())
	}
	return nil, fmt.Errorf("no mutant %q (have %s)", name, strings.Join(names, ", "))
}

// mutantOverlay wraps a body (fragments) into a one-overlay apply/remove program.
func mutantOverlay(body string) string {
	return "ov = of_overlay_fdt_apply blob=o.dtso\nof_overlay_remove ov=ov\n-- o.dtso --\n/dts-v1/;\n/plugin/;\n" + body
}

const (
	mutantRegExpander = `&bus {
	vdd: regulator-vdd {
		compatible = "regulator-fixed";
		regulator-name = "vdd";
	};
};
&i2c0 {
	gpio@20 {
		compatible = "nxp,pca9534";
		reg = <0x20>;
		vcc-supply = <&vdd>;
		gpio-controller;
		#gpio-cells = <2>;
	};
};
`
	mutantGPIOLeds = `&bus {
	leds {
		compatible = "gpio-leds";
		led0 {
			gpios = <&gpio0 1 0>;
		};
	};
};
`
)

// Mutants are the injected bugs: every release a catalog driver makes,
// each forgotten by a mutant, with a program that shows it. Run as is,
// the program has no finding containing Want; with the mutant on, it
// must (TestForgottenReleases). make bench soaks each mutant for a fixed
// time (BENCHMARKS.md table 6).
var Mutants = []Mutant{
	{Driver: "of_fixed_clk", Release: "of_clk_del_provider", Node: "/soc/bus@10000/clk@100",
		Prog: mutantOverlay("&bus { clk@100 { compatible = \"fixed-clock\"; #clock-cells = <0>; clock-frequency = <1000000>; }; };\n"),
		Want: "memory leak of of_clk_provider allocated in of_clk_add_hw_provider"},
	{Driver: "dangle-pd", Release: "of_genpd_del_provider", Node: "/soc/bus@10000/power-controller@300",
		Prog: mutantOverlay("&bus { power-controller@300 { compatible = \"dangle,power-domain\"; reg = <0x300 0x10>; #power-domain-cells = <0>; }; };\n"),
		Want: "memory leak of of_genpd_provider allocated in genpd_add_provider"},
	{Driver: "dangle-i2c", Release: "i2c_del_adapter", Node: "/soc/bus@10000/i2c@200",
		Prog: mutantOverlay("&bus { i2c@200 { compatible = \"dangle,i2c-controller\"; reg = <0x200 0x10>; #address-cells = <1>; #size-cells = <0>; }; };\n"),
		Want: "memory leak of device allocated in i2c_register_adapter"},
	{Driver: "dangle-spi", Release: "devm_spi_unregister", Node: "/soc/bus@10000/spi@400",
		Prog: mutantOverlay("&bus { spi@400 { compatible = \"dangle,spi-controller\"; reg = <0x400 0x10>; #address-cells = <1>; #size-cells = <0>; }; };\n"),
		Want: "memory leak of device allocated in __spi_alloc_controller"},
	{Driver: "dangle-gpio", Release: "devm_action_release(devm_gpio_chip_release)", Node: "/soc/bus@10000/gpio@500",
		Prog: mutantOverlay("&bus { gpio@500 { compatible = \"dangle,gpio-controller\"; reg = <0x500 0x10>; gpio-controller; #gpio-cells = <2>; }; };\n"),
		Want: "memory leak of gpio_device"},
	{Driver: "reg-fixed-voltage", Release: "devm_rdev_release", Node: "/soc/bus@10000/regulator-vdd",
		Prog: mutantOverlay(mutantRegExpander), Want: "memory leak of device allocated in regulator_register"},
	{Driver: "pca953x", Release: "regulator_disable", Node: "/soc/i2c@3000/gpio@20",
		Prog: mutantOverlay(mutantRegExpander), Want: "WARNING in _regulator_put"},
	{Driver: "pca953x", Release: "devm_regulator_release", Node: "/soc/i2c@3000/gpio@20",
		Prog: mutantOverlay(mutantRegExpander), Want: "memory leak of device allocated in regulator_register"},
	{Driver: "pca953x", Release: "devm_action_release(devm_gpio_chip_release)", Node: "/soc/i2c@3000/gpio@20",
		Prog: mutantOverlay(mutantRegExpander), Want: "memory leak of gpio_device"},
	{Driver: "at24", Release: "devm_action_release(devm_nvmem_unregister)", Node: "/soc/i2c@3000/eeprom@50",
		Prog: mutantOverlay("&i2c0 { eeprom@50 { compatible = \"atmel,24c32\"; reg = <0x50>; }; };\n"),
		Want: "memory leak of nvmem_device allocated in nvmem_register"},
	{Driver: "leds-gpio", Release: "devm_led_classdev_release", Node: "/soc/bus@10000/leds",
		Prog: mutantOverlay(mutantGPIOLeds), Want: "memory leak of device allocated in led_classdev_register_ext"},
	{Driver: "leds-gpio", Release: "devm_gpiod_release", Node: "/soc/bus@10000/leds",
		Prog: mutantOverlay(mutantGPIOLeds), Want: "reference leak of module taken in try_module_get"},
	{Driver: "dangle-i2c-input", Release: "devm_input_device_unregister", Node: "/soc/i2c@3000/touchscreen@38",
		Prog: mutantOverlay("&i2c0 { touchscreen@38 { compatible = \"dangle,i2c-input\"; reg = <0x38>; }; };\n"),
		Want: "memory leak of device allocated in i2c_new_client_device"},
	{Driver: "dangle-i2c-input", Release: "devm_input_device_release", Node: "/soc/i2c@3000/touchscreen@38",
		Prog: mutantOverlay("&i2c0 { touchscreen@38 { compatible = \"dangle,i2c-input\"; reg = <0x38>; }; };\n"),
		Want: "memory leak of device allocated in input_allocate_device"},
	{Driver: "dangle-spi-input", Release: "devm_input_device_unregister", Node: "/soc/spi@4000/touchscreen@0",
		Prog: mutantOverlay("&spi0 { touchscreen@0 { compatible = \"dangle,spi-input\"; reg = <0>; }; };\n"),
		Want: "memory leak of device allocated in spi_alloc_device"},
	{Driver: "dangle-spi-input", Release: "devm_input_device_release", Node: "/soc/spi@4000/touchscreen@0",
		Prog: mutantOverlay("&spi0 { touchscreen@0 { compatible = \"dangle,spi-input\"; reg = <0>; }; };\n"),
		Want: "memory leak of device allocated in input_allocate_device"},
	{Driver: "dangle-dt-fixup", Release: "device_unregister", Node: "/soc/bus@10000/fixup@600",
		Prog: mutantOverlay("&bus { fixup@600 { compatible = \"dangle,dt-fixup\"; reg = <0x600 0x10>; }; };\n"),
		Want: "memory leak of device allocated in dt_fixup_register"},
	{Driver: "dangle-devres-test", Release: "devm_regulator_release", Node: "/soc/bus@10000/test@100",
		Prog: mutantOverlay(`&bus {
	vdd: regulator-vdd {
		compatible = "regulator-fixed";
		regulator-name = "vdd";
	};
	test@100 {
		compatible = "dangle,devres-test";
		reg = <0x100 0x10>;
		vcc-supply = <&vdd>;
	};
};
`), Want: "memory leak of device allocated in regulator_register"},

	// Kernel mutants: plausible regressions in the kernel's own code, each
	// one call of a mainline path left out (of.OF.Skips sites).
	//
	// free_overlay_changeset() (drivers/of/overlay.c) puts each
	// fragment's target, taken by find_target() in init_overlay_changeset().
	{Driver: KernelMutant, Release: "free_overlay_changeset:of_node_put(target)",
		Prog: mutantOverlay(mutantRegExpander), Want: "reference leak of device_node taken in init_overlay_changeset"},
	// __of_changeset_entry_destroy() (drivers/of/dynamic.c) puts the
	// node of_changeset_action() got for the entry.
	{Driver: KernelMutant, Release: "__of_changeset_entry_destroy:of_node_put(np)",
		Prog: mutantOverlay(mutantRegExpander), Want: "reference leak of device_node taken in of_changeset_action"},
	// device_link_release_fn() (drivers/base/core.c) puts the consumer
	// and the supplier device_link_add() got.
	{Driver: KernelMutant, Release: "device_link_release_fn:put_device(supplier)",
		Prog: mutantOverlay(mutantRegExpander), Want: "memory leak of device allocated in of_device_alloc"},
	// device_unbind_cleanup() (drivers/base/dd.c) releases the devres a
	// driver left; a platform device's remove has no devres group of its
	// own (i2c's and spi's have), so a rebind finds them.
	{Driver: KernelMutant, Release: "device_unbind_cleanup:devres_release_all",
		Prog: "ov = of_overlay_fdt_apply blob=o.dtso\ndevice_release_driver node=/soc/bus@10000/regulator-vdd\n" +
			"device_attach node=/soc/bus@10000/regulator-vdd\nof_overlay_remove ov=ov\n-- o.dtso --\n/dts-v1/;\n/plugin/;\n" + mutantRegExpander,
		Want: "Resources present before probing in really_probe"},
}
