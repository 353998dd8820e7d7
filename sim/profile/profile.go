package profile

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
)

// Knob is one behaviour that differs between kernel versions.
type Knob struct {
	Name   string
	Values []Value // in the order they appeared in history
	Doc    string
}

// Value is one setting of a knob and where it comes from.
type Value struct {
	Name   string
	Commit string // the commit that introduced it ("" for the original behaviour)
	Doc    string
}

// Knobs is the knob table: the single source of truth for knob names,
// values and their history.
var Knobs = []Knob{
	{Name: "devlink_wait", Doc: "where of_overlay_remove() waits for device_link_wq (device_link_wait_removal())", Values: []Value{
		{Name: "none", Doc: "no wait: link release work races with the changeset destroy"},
		{Name: "remove-start", Doc: "Hervé Codina v1 (2023-11-30): at the very start of of_overlay_remove(), before of_mutex"},
		{Name: "before-free-unlocked", Doc: "Luca Ceresoli / Hervé v2-v3: before free_overlay_changeset(), dropping of_mutex around the wait"},
		{Name: "changeset-destroy", Commit: "8917e7385346", Doc: "landed (v6.9-rc3; stable 5.10.215 5.15.154 6.1.85 6.6.26 6.8.5): in of_changeset_destroy(), of_mutex held"},
	}},
	{Name: "gpiod_free", Doc: "what gpiod_free() does when gpiod_free_commit() fails", Values: []Value{
		{Name: "conditional", Doc: "< v6.5: module and gdev are put only if the free commit succeeded"},
		{Name: "unconditional", Commit: "3386fb86ecde", Doc: "v6.5-v6.7: puts unconditionally, warning only with extra_checks"},
		{Name: "warn-unconditional", Commit: "5d5dfc50e568", Doc: "v6.8: WARN_ON(1) then unconditional puts"},
		{Name: "silent", Commit: "5d60c1e61fda", Doc: "v6.9+: unconditional puts, no warning; also drops REMOVING GPIOCHIP WITH GPIOS STILL REQUESTED"},
	}},
	{Name: "nvmem_wp", Doc: "who owns nvmem's write-protect descriptor", Values: []Value{
		{Name: "borrowed-put", Commit: "6f57cbd7ce40", Doc: "up to v6.1: config->wp_gpio is borrowed without a reference and put at nvmem release"},
		{Name: "removed", Commit: "569653f022a2", Doc: "v6.2+: config->wp_gpio removed; nvmem puts only what it got itself"},
		{Name: "gpiod-ref", Doc: "the kref-per-descriptor patch proposed in seeds/003 (never merged)"},
	}},
	{Name: "i2c_devres_group", Doc: "whether i2c_device_probe() opens a devres group released right after driver remove", Values: []Value{
		{Name: "off", Doc: "< v5.13"},
		{Name: "on", Commit: "5b5475826c52", Doc: "v5.13+"},
	}},
	{Name: "pm_detach", Doc: "where the PM domain is detached at unbind, by bus", Values: []Value{
		{Name: "bus-remove", Doc: "< v6.17: every bus's remove detaches right after driver remove, before devres release"},
		{Name: "platform", Commit: "f99508074e78", Doc: "v6.17: platform detaches in device_unbind_cleanup(); i2c and spi still in bus remove"},
		{Name: "unbind-cleanup", Doc: "v6.18+: i2c and spi drop their dev_pm_domain_detach() too"},
	}},
	{Name: "overlay_list_del", Doc: "overlay changeset layout of apply/remove/free (ids, list_del, failure returns)", Values: []Value{
		{Name: "remove", Doc: "< v5.19: list_del in of_overlay_remove(); failed applies free the changeset and return id 0"},
		{Name: "free", Commit: "067c098766c6", Doc: "v5.19+ (and 5.15.118+): list_del/idr_remove in free_overlay_changeset(); failed applies return their id"},
	}},
	{Name: "remove_zero_id", Doc: "what of_overlay_remove() does with *ovcs_id == 0", Values: []Value{
		{Name: "enodev", Doc: "<= v6.18: idr_find(0) fails: \"remove: Could not find overlay #0\", -ENODEV"},
		{Name: "noop", Commit: "b012c2ac3745", Doc: "v6.19+: return 0 at once"},
	}},
	{Name: "resolver_errors", Doc: "which lines of_resolve_phandles() prints on failure", Values: []Value{
		{Name: "fixup-failed", Doc: "v5.7-v6.14: the cause, then \"overlay phandle fixup failed: %d\" on every failure"},
		{Name: "single", Commit: "5275e8b5293f", Doc: "v6.15+: each failure prints one line; \"fixup failed\" only for a malformed __fixups__ value"},
	}},
	{Name: "bad_put_msg", Doc: "of_node_release() on a node still attached", Values: []Value{
		{Name: "short", Doc: "< v6.3: \"ERROR: Bad of_node_put() on %pOF\" and a stack dump"},
		{Name: "detected", Commit: "23522dd7033a", Doc: "v6.3+: \"ERROR: %s() detected bad of_node_put() on %pOF/%s\"; also the unexpected-children check (ec0b7e24d566)"},
	}},
	{Name: "cset_err_msg", Doc: "the message of a failed changeset entry apply", Values: []Value{
		{Name: "per-action", Doc: "< v6.5: \"changeset: add_property failed @%pOF/%s\" and siblings"},
		{Name: "apply-failed", Commit: "914d9d831e61", Doc: "v6.5+: \"changeset: apply failed: %-15s %pOF%s%s\""},
	}},
}

// Profile is one kernel configuration: a knob setting for each knob.
type Profile struct {
	Name  string            // as given, canonicalized ("v6.8+wait-early devlink_wait=none")
	knobs map[string]string // knob -> value
}

// Get returns the value of a knob. An unknown knob is a simulator bug
// (a misspelt name in a model), so it panics rather than read as "".
func (p *Profile) Get(knob string) string {
	if lookupKnob(knob) == nil {
		panic(fmt.Sprintf("profile: unknown knob %q", knob))
	}
	return p.knobs[knob]
}

// Is reports whether knob has value v. An unknown knob or a value the
// knob does not have is a simulator bug: it panics, so a misspelling
// cannot silently read as false.
func (p *Profile) Is(knob, v string) bool {
	k := lookupKnob(knob)
	if k == nil {
		panic(fmt.Sprintf("profile: unknown knob %q", knob))
	}
	if !k.has(v) {
		panic(fmt.Sprintf("profile: knob %s has no value %q (values: %s)", knob, v, strings.Join(k.names(), " ")))
	}
	return p.knobs[knob] == v
}

type version struct {
	name    string
	settles map[string]string
	doc     string
}

// Versions lists the named versions, oldest first.
var versions = []version{
	{"v5.10", map[string]string{"devlink_wait": "none", "gpiod_free": "conditional", "nvmem_wp": "borrowed-put", "i2c_devres_group": "off", "pm_detach": "bus-remove", "overlay_list_del": "remove", "remove_zero_id": "enodev", "resolver_errors": "fixup-failed", "bad_put_msg": "short", "cset_err_msg": "per-action"}, ""},
	{"v5.15", map[string]string{"devlink_wait": "none", "gpiod_free": "conditional", "nvmem_wp": "borrowed-put", "i2c_devres_group": "on", "pm_detach": "bus-remove", "overlay_list_del": "remove", "remove_zero_id": "enodev", "resolver_errors": "fixup-failed", "bad_put_msg": "short", "cset_err_msg": "per-action"}, ""},
	{"v6.1", map[string]string{"devlink_wait": "none", "gpiod_free": "conditional", "nvmem_wp": "borrowed-put", "i2c_devres_group": "on", "pm_detach": "bus-remove", "overlay_list_del": "free", "remove_zero_id": "enodev", "resolver_errors": "fixup-failed", "bad_put_msg": "short", "cset_err_msg": "per-action"}, ""},
	{"v6.6", map[string]string{"devlink_wait": "none", "gpiod_free": "unconditional", "nvmem_wp": "removed", "i2c_devres_group": "on", "pm_detach": "bus-remove", "overlay_list_del": "free", "remove_zero_id": "enodev", "resolver_errors": "fixup-failed", "bad_put_msg": "detected", "cset_err_msg": "apply-failed"}, ""},
	{"v6.8", map[string]string{"devlink_wait": "none", "gpiod_free": "warn-unconditional", "nvmem_wp": "removed", "i2c_devres_group": "on", "pm_detach": "bus-remove", "overlay_list_del": "free", "remove_zero_id": "enodev", "resolver_errors": "fixup-failed", "bad_put_msg": "detected", "cset_err_msg": "apply-failed"}, ""},
	{"v6.8.5", map[string]string{"devlink_wait": "changeset-destroy", "gpiod_free": "warn-unconditional", "nvmem_wp": "removed", "i2c_devres_group": "on", "pm_detach": "bus-remove", "overlay_list_del": "free", "remove_zero_id": "enodev", "resolver_errors": "fixup-failed", "bad_put_msg": "detected", "cset_err_msg": "apply-failed"}, "stable: carries 8917e7385346"},
	{"v6.9", map[string]string{"devlink_wait": "changeset-destroy", "gpiod_free": "silent", "nvmem_wp": "removed", "i2c_devres_group": "on", "pm_detach": "bus-remove", "overlay_list_del": "free", "remove_zero_id": "enodev", "resolver_errors": "fixup-failed", "bad_put_msg": "detected", "cset_err_msg": "apply-failed"}, ""},
	{"v6.12", map[string]string{"devlink_wait": "changeset-destroy", "gpiod_free": "silent", "nvmem_wp": "removed", "i2c_devres_group": "on", "pm_detach": "bus-remove", "overlay_list_del": "free", "remove_zero_id": "enodev", "resolver_errors": "fixup-failed", "bad_put_msg": "detected", "cset_err_msg": "apply-failed"}, ""},
	{"v6.17", map[string]string{"devlink_wait": "changeset-destroy", "gpiod_free": "silent", "nvmem_wp": "removed", "i2c_devres_group": "on", "pm_detach": "platform", "overlay_list_del": "free", "remove_zero_id": "enodev", "resolver_errors": "single", "bad_put_msg": "detected", "cset_err_msg": "apply-failed"}, ""},
	{"mainline", map[string]string{"devlink_wait": "changeset-destroy", "gpiod_free": "silent", "nvmem_wp": "removed", "i2c_devres_group": "on", "pm_detach": "unbind-cleanup", "overlay_list_del": "free", "remove_zero_id": "noop", "resolver_errors": "single", "bad_put_msg": "detected", "cset_err_msg": "apply-failed"}, "v6.18 and later: the newest behaviour modelled"},
}

// Suffixes are the patch suffixes, each setting one knob.
var suffixes = []struct{ name, knob, value, doc string }{
	{"wait-early", "devlink_wait", "remove-start", "Hervé Codina's v1 placement"},
	{"wait-unlocked", "devlink_wait", "before-free-unlocked", "Luca Ceresoli's / v2-v3 placement"},
	{"gpiod-ref", "nvmem_wp", "gpiod-ref", "Bartosz Golaszewski's gpiod_ref() proposal (seeds/003)"},
}

// Patch is a patch suffix ("+wait-early") and what it stands for.
type Patch struct{ Suffix, Doc string }

// Patches returns the patch suffixes in table order.
func Patches() []Patch {
	out := make([]Patch, len(suffixes))
	for i, s := range suffixes {
		out[i] = Patch{Suffix: "+" + s.name, Doc: s.doc}
	}
	return out
}

// Default is the profile used when a program names none.
const Default = "mainline"

// Names returns the named versions, oldest first.
func Names() []string {
	out := make([]string, len(versions))
	for i, v := range versions {
		out[i] = v.name
	}
	return out
}

// Parse expands a profile string.
func Parse(s string) (*Profile, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		fields = []string{Default}
	}
	base, sfx, _ := strings.Cut(fields[0], "+")
	var ver *version
	for i := range versions {
		if versions[i].name == base {
			ver = &versions[i]
		}
	}
	if ver == nil {
		return nil, fmt.Errorf("unknown kernel version %q (known: %s)", base, strings.Join(Names(), " "))
	}
	p := &Profile{knobs: make(map[string]string, len(Knobs))}
	for k, v := range ver.settles {
		p.knobs[k] = v
	}
	if sfx != "" {
		for _, name := range strings.Split(sfx, "+") {
			ok := false
			for _, s := range suffixes {
				if s.name == name {
					p.knobs[s.knob] = s.value
					ok = true
				}
			}
			if !ok {
				return nil, fmt.Errorf("unknown patch suffix %q (known: wait-early wait-unlocked gpiod-ref)", "+"+name)
			}
		}
	}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("bad knob override %q: want knob=value", f)
		}
		knob := lookupKnob(k)
		if knob == nil {
			return nil, fmt.Errorf("unknown knob %q", k)
		}
		if !knob.has(v) {
			return nil, fmt.Errorf("knob %s has no value %q (values: %s)", k, v, strings.Join(knob.names(), " "))
		}
		p.knobs[k] = v
	}
	p.Name = strings.Join(fields, " ")
	return p, nil
}

// MustParse is Parse for profile strings known to be valid (tests, tables).
func MustParse(s string) *Profile {
	p, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}

func lookupKnob(name string) *Knob {
	for i := range Knobs {
		if Knobs[i].Name == name {
			return &Knobs[i]
		}
	}
	return nil
}

func (k *Knob) has(v string) bool {
	for _, x := range k.Values {
		if x.Name == v {
			return true
		}
	}
	return false
}

func (k *Knob) names() []string {
	out := make([]string, len(k.Values))
	for i, x := range k.Values {
		out[i] = x.Name
	}
	return out
}

// String renders the full knob setting, sorted by knob name.
func (p *Profile) String() string {
	keys := make([]string, 0, len(p.knobs))
	for k := range p.knobs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(p.Name)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, p.knobs[k])
	}
	return b.String()
}

// Table renders the profile table printed by "dangle profiles", its
// columns aligned.
func Table() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "profile")
	for _, k := range Knobs {
		fmt.Fprintf(tw, "\t%s", k.Name)
	}
	fmt.Fprint(tw, "\t\n")
	for _, v := range versions {
		fmt.Fprint(tw, v.name)
		for _, k := range Knobs {
			fmt.Fprintf(tw, "\t%s", v.settles[k.Name])
		}
		fmt.Fprint(tw, "\t")
		if v.doc != "" {
			fmt.Fprintf(tw, "# %s", v.doc)
		}
		fmt.Fprint(tw, "\n")
	}
	tw.Flush()
	table := b.String()
	b.Reset()
	for _, l := range strings.SplitAfter(table, "\n") {
		b.WriteString(strings.TrimRight(l, " \n"))
		if strings.HasSuffix(l, "\n") {
			b.WriteString("\n")
		}
	}
	b.WriteString("\npatch suffixes:\n")
	for _, s := range suffixes {
		fmt.Fprintf(&b, "  %-15s %-33s %s\n", "+"+s.name, s.knob+"="+s.value, s.doc)
	}
	b.WriteString("\nknobs:\n")
	for _, k := range Knobs {
		fmt.Fprintf(&b, "  %s: %s\n", k.Name, k.Doc)
		for _, v := range k.Values {
			c := v.Commit
			if c == "" {
				c = "-"
			}
			fmt.Fprintf(&b, "    %-22s %-13s %s\n", v.Name, c, v.Doc)
		}
	}
	return b.String()
}
