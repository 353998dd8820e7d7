package sim

import (
	"fmt"
	"strings"
	"testing"

	"dangle/prog"
	"dangle/sim/core"
	"dangle/sim/drivers"
)

// forgetExempt are the catalog drivers that take nothing a forgotten
// release could leak, and why.
//
// Not cases, on purpose: devm_irq_release (an IRQ action holds no
// reference count; a forgotten free_irq() leaves a handler on a freed
// dev_id, which is not modelled); dangle-devres-test's log-only actions
// (they hold nothing by design); at24's own wp line on the nvmem_wp=
// borrowed-put profiles, which nvmem_release() puts anyway (B4).
var forgetExempt = map[string]string{
	"simple-pm-bus": "probe only checks the match; the children were populated by of_platform_default_populate()",
}

// TestForgottenReleases: for each catalog driver, every release it makes
// is modelled so that a driver forgetting it is a finding; every catalog
// driver has a case or a stated exemption. Each kernel mutant (a step of
// a kernel path left out) has its finding too, and none without.
func TestForgottenReleases(t *testing.T) {
	covered := map[string]bool{}
	for i := range Mutants {
		tc := &Mutants[i]
		covered[tc.Driver] = true
		name := tc.Driver + "/" + tc.Release
		t.Run(name, func(t *testing.T) {
			if tc.Driver == KernelMutant {
				configMutantRun(t, tc)
				return
			}
			clean := forgetRun(t, tc, false)
			if f := findingWith(clean, tc.Want); f != "" {
				t.Fatalf("%s: the unmutated driver already has %q:\n%s", name, f, strings.Join(clean, "\n"))
			}
			mut := forgetRun(t, tc, true)
			if findingWith(mut, tc.Want) == "" {
				t.Errorf("%s: forgetting %s gives no finding containing %q; findings:\n%s", name, tc.Release, tc.Want, strings.Join(mut, "\n"))
			}
			configMutantRun(t, tc)
		})
	}
	if _, err := MutantByName("no-such/driver"); err == nil {
		t.Error("MutantByName: no error for an unknown mutant")
	}
	for _, d := range drivers.Catalog() {
		if !covered[d.Name] && forgetExempt[d.Name] == "" {
			t.Errorf("catalog driver %s has no forgotten-release case and no exemption", d.Name)
		}
	}
}

// configMutantRun runs tc's program with tc on through Config.Mutant (the
// soak's hook: any device of the driver; a kernel mutant's site) from a
// snapshot cache, as the soak runs it, then unmutated from the same cache:
// the finding must be there with the mutant and gone without.
func configMutantRun(t *testing.T, tc *Mutant) {
	t.Helper()
	name := tc.Name()
	p, err := prog.Parse("mutant.prog", []byte("dangle program v1\n"+tc.Prog))
	if err != nil {
		t.Fatal(err)
	}
	cache := NewCache()
	cache.SetSnapshots(true)
	for _, m := range []*Mutant{tc, nil} { // nil: the next run of the cache is clean again
		res, err := Run(p, Config{Filename: "mutant.prog", Profile: tc.Kernel, Quiet: true, Cache: cache, Mutant: m})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range res.Findings {
			got = append(got, f.Title)
		}
		if hit := findingWith(got, tc.Want) != ""; hit != (m != nil) {
			t.Errorf("%s: Config.Mutant=%v: finding containing %q: %v, want %v; findings:\n%s", name, m != nil, tc.Want, hit, m != nil, strings.Join(got, "\n"))
		}
	}
}

// forgetRun runs tc's program, with the mutant if mutate, and returns the
// findings' titles.
func forgetRun(t *testing.T, tc *Mutant, mutate bool) []string {
	t.Helper()
	p, err := prog.Parse("mutant.prog", []byte("dangle program v1\n"+tc.Prog))
	if err != nil {
		t.Fatal(err)
	}
	k, err := New(p, Config{Filename: "mutant.prog", Profile: tc.Kernel, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	forgot := false
	if mutate {
		k.Core.Forgets = func(d *core.Device, release string) bool {
			if d.OfNode != nil && d.OfNode.Path() == tc.Node && release == tc.Release && d.Class == "" {
				forgot = true
				return true
			}
			return false
		}
	}
	k.RunOps()
	k.Teardown()
	if mutate && !forgot {
		t.Fatalf("the mutant never reached %s on %s", tc.Release, tc.Node)
	}
	var out []string
	for _, f := range k.Log.Findings() {
		out = append(out, fmt.Sprintf("%s (%s)", f.Title, f.Kind))
	}
	return out
}

func findingWith(titles []string, want string) string {
	for _, s := range titles {
		if strings.Contains(s, want) {
			return s
		}
	}
	return ""
}
