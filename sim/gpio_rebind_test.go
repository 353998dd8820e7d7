package sim

import (
	"os"
	"strings"
	"testing"

	"dangle/prog"
)

// A boot device unbound and bound again holds its GPIO line, and with it
// the provider's module reference, as it did at boot: the running system
// at the end of the run, not a reference leak (found by dangle explore on
// the B4 tree: try_module_get's hold had no owner, so the leak check saw
// a reference taken during the run and never dropped).
func TestRebindKeepsGpioModuleReference(t *testing.T) {
	b4, err := os.ReadFile("../corpus/b4-nvmem-wp-double-put.prog")
	if err != nil {
		t.Fatal(err)
	}
	_, files, _ := strings.Cut(string(b4), "-- base.dts --")
	text := "dangle program v1\nkernel mainline\n" +
		"device_release_driver node=/soc/i2c@3000/eeprom@50\n" +
		"device_attach node=/soc/i2c@3000/eeprom@50\n" +
		"-- base.dts --" + files
	p, err := prog.Parse("rebind.prog", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(p, Config{Filename: "rebind.prog"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 || !strings.Contains(res.Log, "bound device to driver at24") {
		t.Errorf("findings %v\n%s", res.Findings, res.Log)
	}
}
