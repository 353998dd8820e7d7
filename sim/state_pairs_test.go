package sim

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"dangle/prog"
	"dangle/sim/canon"
)

// stateFiles are the sources the state-pair programs use: three
// devres-test devices on the bus (T1..T3), a GPIO consumer node without
// a device, and a second overlay to apply later.
const stateFiles = `-- tests.dtso --
/dts-v1/;
/plugin/;
&bus {
	test@100 { compatible = "dangle,devres-test"; reg = <0x100 0x10>; };
	test@200 { compatible = "dangle,devres-test"; reg = <0x200 0x10>; };
	test@300 { compatible = "dangle,devres-test"; reg = <0x300 0x10>; };
};
&{/} {
	gpio-consumer {
		status = "disabled";
		reset-gpios = <&gpio0 5 0>;
	};
};
-- other.dtso --
/dts-v1/;
/plugin/;
&bus { other@400 { compatible = "dangle,devres-test"; reg = <0x400 0x10>; }; };
`

const (
	t1 = "/soc/bus@10000/test@100"
	t2 = "/soc/bus@10000/test@200"
)

// splitRun runs the first n ops of the program made of ops (then
// stateFiles), returns the encoding there, and the log of the remaining
// ops (teardown excluded): what a later op shows of the state.
func splitRun(t *testing.T, ops []string, n int) (enc, later string) {
	t.Helper()
	text := "dangle program v1\nkernel mainline\n" + strings.Join(ops, "\n") + "\n" + stateFiles
	p, err := prog.Parse("pair.prog", []byte(text))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	k, err := New(p, Config{Filename: "pair.prog"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range p.Ops[:n] {
		k.Step(i)
	}
	enc = k.Encode()
	// the state key hashes the same bytes (so it tells these pairs
	// apart, or not, exactly as the encoding does)
	var b canon.Buf
	if k.StateKey(&b); !bytes.Equal(b.B, []byte(enc)) {
		t.Errorf("the state key's text differs from Encode:\n%s", lineDiff(string(b.B), enc))
	}
	mark := k.Log.Mark()
	for i := range p.Ops[n:] {
		k.Step(n + i)
	}
	return enc, strings.Join(k.Log.Lines()[mark:], "\n")
}

// TestStateEqualAcrossOrderAndNames: programs reaching the same state by
// a different order of independent ops, or with other variable names,
// encode (and hash) alike.
func TestStateEqualAcrossOrderAndNames(t *testing.T) {
	apply := "ov = of_overlay_fdt_apply blob=tests.dtso"
	for _, c := range []struct {
		name string
		a, b []string
	}{
		{"get then flush / flush then get",
			[]string{"n = of_node_get node=/soc/bus@10000", "flush_workqueue"},
			[]string{"flush_workqueue", "n = of_node_get node=/soc/bus@10000"}},
		{"names n / m",
			[]string{"n = of_node_get node=/soc/bus@10000", "flush_workqueue"},
			[]string{"m = of_node_get node=/soc/bus@10000", "flush_workqueue"}},
		{"two refs taken in either order of names",
			[]string{"a = of_node_get node=/soc", "b = of_node_get node=/soc/bus@10000"},
			[]string{"x = of_node_get node=/soc/bus@10000", "y = of_node_get node=/soc"}},
		{"overlay id names",
			[]string{apply, "flush_workqueue"},
			[]string{"flush_workqueue", "other = of_overlay_fdt_apply blob=tests.dtso"}},
		{"device and gpio handles, other names and order",
			[]string{apply, "d = get_device node=" + t1, "g = gpiod_get node=/gpio-consumer con=reset"},
			[]string{apply, "h = gpiod_get node=/gpio-consumer con=reset", "e = get_device node=" + t1}},
		{"notifier names",
			[]string{"nb = of_overlay_notifier_register action=keep-overlay", apply},
			[]string{"keeper = of_overlay_notifier_register action=keep-overlay", apply}},
	} {
		ea, _ := splitRun(t, c.a, len(c.a))
		eb, _ := splitRun(t, c.b, len(c.b))
		if ea != eb {
			t.Errorf("%s: encodings differ:\n%s", c.name, lineDiff(ea, eb))
		}
	}
}

// TestStateComponents: for each component of the state, two programs
// that differ only there encode differently — in a line naming that
// component — and a later op, the same for both, logs differently.
func TestStateComponents(t *testing.T) {
	apply := "ov = of_overlay_fdt_apply blob=tests.dtso"
	settle := []string{apply, "flush_workqueue wq=events", "flush_workqueue"}
	noop := "flush_workqueue wq=events" // nothing pending there once settled
	for _, c := range []struct {
		name  string
		pre   []string // after settle, for both
		a, b  string   // the ops that differ (as many on each side, "\n" between)
		later []string
		want  string // a line of the encoding diff contains this ("": none, lines reordered)
	}{
		{"devres action vs flush_workqueue", nil, "devm_add_action node=" + t1 + " action=7", "flush_workqueue",
			[]string{"device_release_driver node=" + t1}, "devres devm_action_release(dangle_test_action) data="},
		{"devres action data", nil, "devm_add_action node=" + t1 + " action=7", "devm_add_action node=" + t1 + " action=8",
			[]string{"device_release_driver node=" + t1}, "sim.devresAction{n:7}"},
		{"devres group", nil, "devres_open_group node=" + t1 + " id=1", noop,
			[]string{"devres_release_group node=" + t1 + " id=1"}, "devres group_open id=sim.devresGroupID{n:1}"},
		{"device link flags", nil, "l = device_link_add consumer=" + t2 + " supplier=" + t1 + " flags=DL_FLAG_STATELESS",
			"l = device_link_add consumer=" + t2 + " supplier=" + t1 + " flags=0",
			[]string{"device_link_del link=l"}, "link platform:10100.test--platform:10200.test"},
		{"device link status", []string{"l = device_link_add consumer=" + t2 + " supplier=" + t1 + " flags=0"},
			"device_release_driver node=" + t2, noop,
			[]string{"device_release_driver node=" + t1}, "link platform:10100.test--platform:10200.test supplier=10100.test consumer=10200.test flags=0x"},
		{"program handle (to a device whose reference it put)", nil, "d = get_device node=" + t1 + "\nput_device dev=d", "d = get_device node=/soc/bus@10000/none@1\n" + noop,
			[]string{"put_device dev=d"}, "handle device 10100.test"},
		{"bound driver", nil, "device_release_driver node=" + t1, noop,
			[]string{"device_attach node=" + t1}, "driver=dangle-devres-test"},
		{"registered drivers", nil, "driver_unregister driver=dangle,devres-test", noop,
			[]string{"driver_register driver=dangle,devres-test"}, "drivers registered="},
		{"node state flags (OF_POPULATED)", nil, "of_platform_depopulate node=/soc/bus@10000", noop,
			[]string{"of_platform_populate node=/soc/bus@10000"}, "/soc/bus@10000/test@100 flags="},
		{"gpio requested", nil, "d = gpiod_get node=/gpio-consumer con=reset", noop,
			[]string{"e = gpiod_get node=/gpio-consumer con=reset"}, "gpio_desc 5 requested=true"},
		{"gpio ownership (a put spent the token)", []string{"d = gpiod_get node=/gpio-consumer con=reset"}, "gpiod_put desc=d", noop,
			[]string{"gpiod_put desc=d"}, "history_owners=[program]"},
		{"node state flags (OF_DETACHED, held)", []string{"n = of_node_get node=" + t1}, "of_overlay_remove ov=ov", noop,
			[]string{"device_attach node=n"}, "DETACHED"},
		{"notifier registered", nil, "nb = of_overlay_notifier_register action=fail-pre-apply", noop,
			[]string{"ov2 = of_overlay_fdt_apply blob=other.dtso"}, "overlay_notifier action=fail-pre-apply"},
		{"notifier action", nil, "nb = of_overlay_notifier_register action=fail-pre-apply",
			"nb = of_overlay_notifier_register action=keep-overlay",
			[]string{"ov2 = of_overlay_fdt_apply blob=other.dtso"}, "overlay_notifier action="},
		{"pending work order across queues",
			[]string{"device_release_driver node=" + t1, "l = device_link_add consumer=" + t2 + " supplier=/soc/bus@10000/test@300 flags=DL_FLAG_STATELESS"},
			"device_link_del link=l\ndevice_attach node=" + t1, "device_attach node=" + t1 + "\ndevice_link_del link=l",
			[]string{"of_overlay_remove ov=ov sched=after-revert-notify:1"}, ""}, // the same lines, reordered
		{"pending work", []string{"l = device_link_add consumer=" + t2 + " supplier=" + t1 + " flags=DL_FLAG_STATELESS", "device_link_del link=l"},
			noop, "flush_workqueue wq=device_link_wq",
			[]string{"run_work wq=device_link_wq"}, "pending device_link_wq device_link_release_fn"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pre := append(append([]string(nil), settle...), c.pre...)
			a, b := strings.Split(c.a, "\n"), strings.Split(c.b, "\n")
			if len(a) != len(b) {
				t.Fatal("a and b must be as many ops (the later ops' numbers are compared)")
			}
			opsA := append(append(append([]string(nil), pre...), a...), c.later...)
			opsB := append(append(append([]string(nil), pre...), b...), c.later...)
			n := len(pre) + len(a)
			ea, la := splitRun(t, opsA, n)
			eb, lb := splitRun(t, opsB, n)
			if ea == eb {
				t.Fatalf("encodings equal:\n%s", ea)
			}
			if d := lineDiff(ea, eb); c.want != "" && !strings.Contains(d, c.want) {
				t.Errorf("no encoding difference mentions %q:\n%s", c.want, d)
			}
			if la == lb {
				t.Errorf("the later ops %q log alike:\n%s", c.later, la)
			}
			if testing.Verbose() {
				fmt.Printf("--- %s\n%s\n", c.name, lineDiff(la, lb))
			}
		})
	}
}

// TestStateEncodingClean: over every corpus program, on its own profile
// and on v5.10 and mainline, the encoding after every op carries no op
// index, no address and is the same when taken twice (no map order
// leaks into it).
func TestStateEncodingClean(t *testing.T) {
	addr := regexp.MustCompile(`0xc[0-9a-f]{9}`)
	for name, p := range corpusPrograms(t) {
		for _, prof := range []string{"", "v5.10", "mainline"} {
			k, err := New(p, Config{Filename: name, Profile: prof, Quiet: true})
			if err != nil {
				t.Fatal(err)
			}
			for i := range p.Ops {
				k.Step(i)
				enc := k.Encode()
				if strings.Contains(enc, "(op ") || addr.MatchString(enc) {
					t.Fatalf("%s %s op %d: the encoding carries an op index or an address:\n%s", name, prof, i+1, enc)
				}
				if again := k.Encode(); again != enc {
					t.Fatalf("%s %s op %d: Encode is not stable:\n%s", name, prof, i+1, lineDiff(enc, again))
				}
			}
		}
	}
}
