package profile

import (
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
