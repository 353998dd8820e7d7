package profile

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		knob string
		want string
	}{
		{"", "devlink_wait", "changeset-destroy"},
		{"mainline", "remove_zero_id", "noop"},
		{"v6.8", "devlink_wait", "none"},
		{"v6.8.5", "devlink_wait", "changeset-destroy"},
		{"v6.8+wait-early", "devlink_wait", "remove-start"},
		{"v6.8+wait-unlocked", "devlink_wait", "before-free-unlocked"},
		{"v6.1+gpiod-ref", "nvmem_wp", "gpiod-ref"},
		{"v6.8 devlink_wait=changeset-destroy", "devlink_wait", "changeset-destroy"},
		{"v5.15", "overlay_list_del", "remove"},
		{"v6.1", "overlay_list_del", "free"},
		{"v6.12", "resolver_errors", "fixup-failed"},
		{"v6.17", "resolver_errors", "single"},
		{"v6.1", "bad_put_msg", "short"},
		{"v6.6", "cset_err_msg", "apply-failed"},
		{"v5.10", "i2c_devres_group", "off"},
		{"v6.17", "pm_detach", "platform"},
	} {
		p, err := Parse(tc.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.in, err)
		}
		if got := p.Get(tc.knob); got != tc.want {
			t.Errorf("Parse(%q).%s = %q, want %q", tc.in, tc.knob, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		"v9.9":                     "unknown kernel version",
		"v6.8+nope":                "unknown patch suffix",
		"v6.8 devlink_wait":        "bad knob override",
		"v6.8 nosuchknob=1":        "unknown knob",
		"v6.8 devlink_wait=always": "has no value",
	} {
		if _, err := Parse(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want error containing %q", in, err, want)
		}
	}
}

// TestEveryVersionSetsEveryKnob: a profile with a knob unset would make
// the simulator silently take a third behaviour.
func TestEveryVersionSetsEveryKnob(t *testing.T) {
	for _, v := range versions {
		for _, k := range Knobs {
			val, ok := v.settles[k.Name]
			if !ok {
				t.Errorf("%s does not set %s", v.name, k.Name)
				continue
			}
			if !k.has(val) {
				t.Errorf("%s sets %s to unknown value %q", v.name, k.Name, val)
			}
		}
		if len(v.settles) != len(Knobs) {
			t.Errorf("%s sets %d knobs, the table has %d", v.name, len(v.settles), len(Knobs))
		}
	}
}

func TestTableNamesCommits(t *testing.T) {
	tab := Table()
	for _, c := range []string{"8917e7385346", "067c098766c6", "5275e8b5293f", "b012c2ac3745", "3386fb86ecde"} {
		if !strings.Contains(tab, c) {
			t.Errorf("profile table lacks commit %s", c)
		}
	}
}

// TestIsPanicsOnUnknown: a misspelt knob or value in a model is a
// simulator bug, not a silent false.
func TestIsPanicsOnUnknown(t *testing.T) {
	p := MustParse("mainline")
	for _, tc := range [][2]string{{"gpiod_fre", "silent"}, {"gpiod_free", "silnet"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Is(%q, %q) did not panic", tc[0], tc[1])
				}
			}()
			p.Is(tc[0], tc[1])
		}()
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("Get of an unknown knob did not panic")
			}
		}()
		p.Get("pm_detatch")
	}()
	if !p.Is("gpiod_free", "silent") || p.Is("gpiod_free", "conditional") {
		t.Errorf("Is gives the wrong answer on mainline")
	}
}

// TestEveryCallNamesAKnob checks every literal Is/Get call and every
// case of a switch on Get in the simulator's sources against the knob
// table, so a misspelling fails here rather than on the one path that
// reaches it.
func TestEveryCallNamesAKnob(t *testing.T) {
	isCall := regexp.MustCompile(`\.Is\("([^"]*)", "([^"]*)"\)`)
	getSwitch := regexp.MustCompile(`switch [^{]*\.Get\("([^"]*)"\) \{`)
	getCall := regexp.MustCompile(`Prof(?:ile\(\))?\.Get\("([^"]*)"\)`)
	caseLine := regexp.MustCompile(`^\s*case ("[^:]*):`)
	n := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		lines := strings.Split(string(data), "\n")
		for i, l := range lines {
			for _, m := range isCall.FindAllStringSubmatch(l, -1) {
				n++
				if k := lookupKnob(m[1]); k == nil || !k.has(m[2]) {
					t.Errorf("%s:%d: Is(%q, %q) names no knob value", path, i+1, m[1], m[2])
				}
			}
			for _, m := range getCall.FindAllStringSubmatch(l, -1) {
				n++
				if lookupKnob(m[1]) == nil {
					t.Errorf("%s:%d: Get(%q) names no knob", path, i+1, m[1])
				}
			}
			m := getSwitch.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			k := lookupKnob(m[1])
			for _, c := range lines[i+1:] {
				if strings.HasPrefix(strings.TrimSpace(c), "}") && !strings.HasPrefix(strings.TrimSpace(c), "})") && len(c)-len(strings.TrimLeft(c, "\t")) <= len(l)-len(strings.TrimLeft(l, "\t")) {
					break
				}
				cm := caseLine.FindStringSubmatch(c)
				if cm == nil || k == nil {
					continue
				}
				for _, v := range strings.Split(cm[1], ",") {
					v = strings.Trim(strings.TrimSpace(v), `"`)
					n++
					if !k.has(v) {
						t.Errorf("%s: case %q of switch on %s names no value", path, v, m[1])
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Errorf("found only %d knob uses under sim/: the scan is broken", n)
	}
}
