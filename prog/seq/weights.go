package seq

import (
	"dangle/prog"
	"dangle/prog/gen"
)

// Bounds on a decoded program: its size is bounded whatever the input.
const (
	// MaxOps bounds the ops of a program, producers inserted included.
	MaxOps = 32
	// MaxFiles bounds the literal files of a hand-written program (the
	// stream may carry MaxFiles+MaxGenerated, so that every decoded
	// program encodes); MaxGenerated the overlays the generator writes
	// for one program.
	MaxFiles, MaxGenerated = 8, 6
	// MaxFileBytes, MaxName and MaxPath bound a literal file's data, a
	// file name or kernel line, and a literal node path.
	MaxFileBytes, MaxName, MaxPath = 16 << 10, 64, 128
	// MaxSchedCount bounds the ":N" of a sched item (0: run all).
	MaxSchedCount = 4
)

// DefaultOptional is the chance (in percent) that an optional argument
// without an entry in Weights.Optional is present.
const DefaultOptional = 30

// Weights are every tunable of op-sequence generation. Weights of ops are
// relative; chances are percentages, kept within 1..99 so that both
// answers stay encodable.
type Weights struct {
	// End weighs ending the program against the ops.
	End int
	// Ops weighs each op by name; an op without an entry weighs 1, and a
	// weight below 1 counts as 1, so every op stays reachable (and every
	// program encodable). The sum with End must stay within 256: an op
	// choice is one byte.
	Ops map[string]int
	// Optional is the chance, by argument key, that an optional
	// argument is present (DefaultOptional if absent).
	Optional map[string]int
	// FileApply is the chance that an apply reuses one of the
	// program's files rather than a new generated overlay.
	FileApply int
	// Swarm is the chance that a program gets a partial swarm (each
	// driver, fragment kind, action and op on or off); otherwise, and
	// on choice 0, everything is on, so that the plainest programs sit
	// within a few bytes of the empty input.
	Swarm int
	// Misuse is the chance that a program enables consumer misuse: reference arguments may then pick a handle the program
	// gave up (a put on a just-released descriptor, B6's double
	// gpiod_put), a node reference it never took, or a device link the
	// driver core owns or already freed. 0 switches misuse off: no
	// program then acts on a dead handle (and none that does encodes).
	Misuse int
	// MisuseRef weighs, where misuse is on, the misuse option of a
	// reference choice against liveWeight for each live handle.
	MisuseRef int
	// MisuseRepeat is the chance, where misuse is on, that a put (any
	// op giving up a handle but an overlay removal) is at once called
	// again on the same handle.
	MisuseRepeat int
	// Gen are the overlay generator's weights.
	Gen gen.Weights
	// Drivers, if set, restricts the driver swarm to these catalog
	// drivers (by gen.Driver.Name): the narrower fuzz targets.
	Drivers []string
	// SkipDrivers are catalog drivers never enabled.
	SkipDrivers []string
}

// DefaultWeights are the weights of FuzzLifecycle and the tests: every
// op, applies and removes most, workqueue runs often (so deferred work
// runs sometimes before and sometimes after a removal).
func DefaultWeights() Weights {
	return Weights{
		End: 6,
		Ops: map[string]int{
			"of_overlay_fdt_apply": 48, "of_overlay_remove": 26, "of_overlay_remove_all": 3,
			"flush_workqueue": 14, "run_work": 8, "device_link_wait_removal": 3,
			"device_release_driver": 6, "device_attach": 5, "driver_unregister": 3, "driver_register": 3,
			"of_platform_populate": 4, "of_platform_depopulate": 4,
			"of_node_get": 4, "of_node_put": 4, "get_device": 4, "put_device": 4,
			"device_link_add": 5, "device_link_del": 3, "device_link_remove": 2,
			"gpiod_get": 6, "gpiod_put": 5, "gpiod_ref": 2,
			"of_overlay_notifier_register": 3, "of_overlay_notifier_unregister": 2, "overlay_notifier_deref": 2,
			"devres_open_group": 2, "devres_close_group": 2, "devres_release_group": 2, "devres_remove_group": 2,
			"devm_add_action": 2, "devm_remove_action": 2,
		},
		// fail_nth (issue 10 item 5) arrives with the fault-injection
		// work: rare, so most programs run the success paths.
		Optional:  map[string]int{"sched": 35, "item": 30, "wq": 70, "fail_nth": 3},
		FileApply: 15,
		Swarm:     50,
		Misuse:    10,
		MisuseRef: 10,
		// a put on a just-released handle, B6's double gpiod_put
		MisuseRepeat: 50,
		Gen:          gen.DefaultWeights(),
	}
}

// Area weights for the narrower fuzz targets: the ops of the area weigh
// high, the others stay at 1 (reachable, so every seed still encodes).

// OverlayWeights are FuzzOverlay's: applies, removals, notifiers, node
// references and the workqueues.
func OverlayWeights() Weights {
	w := DefaultWeights()
	w.Ops = map[string]int{
		"of_overlay_fdt_apply": 50, "of_overlay_remove": 40, "of_overlay_remove_all": 6,
		"flush_workqueue": 14, "run_work": 10, "device_link_wait_removal": 4,
		"of_node_get": 8, "of_node_put": 8,
		"of_overlay_notifier_register": 6, "of_overlay_notifier_unregister": 4, "overlay_notifier_deref": 4,
	}
	return w
}

// DevlinkWeights are FuzzDevlink's: device links, binding and unbinding,
// devres and the workqueues, on overlays of suppliers and consumers.
func DevlinkWeights() Weights {
	w := DefaultWeights()
	w.Ops = map[string]int{
		"of_overlay_fdt_apply": 25, "of_overlay_remove": 18,
		"flush_workqueue": 12, "run_work": 10, "device_link_wait_removal": 5,
		"device_link_add": 14, "device_link_del": 8, "device_link_remove": 6,
		"device_release_driver": 10, "device_attach": 8, "driver_unregister": 5, "driver_register": 5,
		"get_device": 5, "put_device": 5, "of_platform_populate": 4, "of_platform_depopulate": 4,
		"devres_open_group": 3, "devres_close_group": 3, "devres_release_group": 3, "devres_remove_group": 3,
		"devm_add_action": 3, "devm_remove_action": 3,
	}
	w.Drivers = []string{"reg-fixed-voltage", "dangle-pd", "of_fixed_clk", "dangle-i2c", "dangle-spi", "dangle-devres-test",
		"dangle-i2c-input", "dangle-spi-input", "at24", "simple-pm-bus"}
	return w
}

// GPIOWeights are FuzzGPIO's: GPIO providers and consumers, descriptors
// and unbinding.
func GPIOWeights() Weights {
	w := DefaultWeights()
	w.Ops = map[string]int{
		"of_overlay_fdt_apply": 25, "of_overlay_remove": 15,
		"gpiod_get": 25, "gpiod_put": 20, "gpiod_ref": 8,
		"device_release_driver": 12, "device_attach": 8, "driver_unregister": 6, "driver_register": 6,
		"flush_workqueue": 8, "run_work": 4,
	}
	w.Drivers = []string{"dangle-gpio", "pca953x", "leds-gpio", "at24", "dangle-i2c", "reg-fixed-voltage"}
	// consumer nodes of a test module, whose lines the program requests
	w.Gen.Action[gen.ActConsumer] = 4
	return w
}

// kinds returns the op-kind weights: index 0 is End, index i+1 is
// prog.Ops[i]; disabled ops (off in the swarm) weigh 0.
func (w *Weights) kinds(enabled []bool) []int {
	out := make([]int, len(prog.Ops)+1)
	out[0] = max(w.End, 1)
	for i := range prog.Ops {
		if enabled != nil && !enabled[i] {
			continue
		}
		out[i+1] = max(w.Ops[prog.Ops[i].Name], 1)
	}
	return out
}

// chance clamps a chance to 1..99, so that both answers stay
// encodable.
func chance(pct int) int { return min(max(pct, 1), 99) }

// optional is the presence chance of an optional argument.
func (w *Weights) optional(key string) int {
	pct, ok := w.Optional[key]
	if !ok {
		pct = DefaultOptional
	}
	return chance(pct)
}
