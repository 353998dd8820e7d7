package sim

import (
	"strings"
	"testing"

	"dangle/prog"
)

// The programs of the Laters tests: B1 (seeds/000) on v6.8, whose
// of_changeset_destroy leak at the removal is followed by its cascade at
// teardown (the overlay node freed late, then leaked), and the leds-gpio
// overlay of the leds-gpio mutants (sim/mutants.go).
const (
	laterB1     = "ov = of_overlay_fdt_apply blob=b1.dtso\nof_overlay_remove ov=ov\n"
	laterB1File = "-- b1.dtso --\n/dts-v1/;\n/plugin/;\n" + mutantRegExpander // B1's regulator + expander
	laterLeds   = "ov2 = of_overlay_fdt_apply blob=o.dtso\nof_overlay_remove ov=ov2\n"
)

// laterRun runs ops and files on kernel with mutant m (nil: none) and
// returns the program, the result and what Laters files.
func laterRun(t *testing.T, kernel, ops, files string, m *Mutant) (*prog.Program, *Result, []Later) {
	t.Helper()
	p, err := prog.Parse("t.prog", []byte("dangle program v1\nkernel "+kernel+"\n"+ops+files))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Filename: "t.prog", Quiet: true, Mutant: m}
	res, err := Run(p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p, res, Laters(p, res, cfg, nil)
}

func ledsFiles(t *testing.T, m *Mutant) string {
	t.Helper()
	_, files, ok := strings.Cut(m.Prog, "-- o.dtso --")
	if !ok {
		t.Fatalf("mutant %s: no o.dtso", m.Name())
	}
	return "-- o.dtso --" + files
}

func mutant(t *testing.T, name string) *Mutant {
	t.Helper()
	m, err := MutantByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestLatersCascade: B1's teardown findings ("memory leak before free
// overlay changeset in of_node_release", "memory leak of device_node
// allocated in add_changeset_node") are its cascade: removing the
// removal op moves B1 to the teardown, removing the apply removes them
// too, and the leaked node is the one of_changeset_destroy reported.
// Laters files neither.
func TestLatersCascade(t *testing.T) {
	_, res, later := laterRun(t, "v6.8", laterB1, laterB1File, nil)
	titles := map[string]bool{}
	for _, f := range res.Findings {
		titles[f.Title] = true
	}
	if len(titles) < 3 || res.Findings[0].Title != "memory leak in of_changeset_destroy" {
		t.Fatalf("B1 on v6.8: findings %v, want the changeset leak then its cascade", res.Findings)
	}
	for _, l := range later {
		t.Errorf("cascade filed: %q at %d", l.Finding.Title, l.Finding.Op)
	}
}

// TestLatersDisjointLeak: a leds-gpio that forgets
// devm_led_classdev_release: the removal's of_changeset_destroy leak
// comes first, held only by the class device the teardown then reports
// leaked (its consequence), so the leak is filed, with the program
// itself (no removal makes it first: the teardown removes the leds
// overlay again). After B1 on v6.8 it is not: B1's cascade at teardown
// (the overlay node freed late) says the teardown itself went wrong.
func TestLatersDisjointLeak(t *testing.T) {
	const want = "memory leak of device allocated in led_classdev_register_ext"
	m := mutant(t, "leds-gpio/devm_led_classdev_release")
	p, res, later := laterRun(t, "mainline", laterLeds, ledsFiles(t, m), m)
	if f, _ := Primary(p, res); f == nil || f.Title == want {
		t.Fatalf("primary %v: want the changeset leak first", f)
	}
	if len(later) != 1 || later[0].Finding.Title != want || later[0].Prog != p {
		t.Fatalf("laters %v, want %q with the program itself", later, want)
	}
	if _, _, later := laterRun(t, "mainline", laterLeds, ledsFiles(t, m), nil); len(later) != 0 {
		t.Errorf("without the mutant: laters %v", later)
	}
	_, res, later = laterRun(t, "v6.8", laterB1+laterLeds, laterB1File+ledsFiles(t, m), m)
	if findingTitled(res, want) == nil || len(later) != 0 {
		t.Errorf("after B1 on v6.8: laters %v, want none (findings %v)", later, res.Findings)
	}
}

// TestLatersReverified: a forgotten devm_gpiod_release after the
// program's own misuse (a release of the driver's devres group): the
// teardown module leak is tainted by the misuse, so Primary files
// nothing; without the misusing op it is the primary finding, and
// Laters files it with that reduced program.
func TestLatersReverified(t *testing.T) {
	const want = "reference leak of module taken in try_module_get"
	m := mutant(t, "leds-gpio/devm_gpiod_release")
	ops := "devres_release_group node=/soc/i2c@3000\n" + laterLeds
	p, res, later := laterRun(t, "mainline", ops, ledsFiles(t, m), m)
	if f, why := Primary(p, res); f == nil || why == "" {
		t.Fatalf("primary %v (%q): want misuse", f, why)
	}
	if len(later) != 1 || later[0].Finding.Title != want {
		t.Fatalf("laters %v, want %q", later, want)
	}
	q := later[0].Prog
	qres, err := Run(q, Config{Filename: "q.prog", Quiet: true, Mutant: m})
	if err != nil {
		t.Fatal(err)
	}
	if f, why := Primary(q, qres); len(q.Ops) != len(p.Ops)-1 || f == nil || f.Title != want || why != "" {
		t.Errorf("reduced program (%d ops of %d): primary %v (%q), want %q first\n%s", len(q.Ops), len(p.Ops), f, why, want, q.Print())
	}
}

// TestLatersNoticedLeak: a pca953x that forgets devm_regulator_release
// keeps its supply open: regulator_unregister() WARNs at the removal,
// and the teardown finds the regulator device leaked, held by the
// consumer's reference from the apply (op 1), older than the warning, so
// the warning noticed the leak and did not cause it: the leak is filed.
func TestLatersNoticedLeak(t *testing.T) {
	const want = "memory leak of device allocated in regulator_register"
	m := mutant(t, "pca953x/devm_regulator_release")
	ops, files, _ := strings.Cut(m.Prog, "-- ")
	p, res, later := laterRun(t, "mainline", ops, "-- "+files, m)
	if f, _ := Primary(p, res); f == nil || f.Title != "WARNING in regulator_unregister" {
		t.Fatalf("primary %v: want the regulator_unregister warning", f)
	}
	if len(later) != 1 || later[0].Finding.Title != want || later[0].Prog != p {
		t.Fatalf("laters %v, want %q", later, want)
	}
}

// TestLatersCorrupted: after a double gpiod_put (B6) freed a gpiochip
// under its users, the teardown's leak of the expander's i2c client is
// not filed by its objects: the state was corrupted before it
// (testdata/laters/b6_cascade.prog, from a mainline soak that filed it
// before the rule).
func TestLatersCorrupted(t *testing.T) {
	const leak = "memory leak of device allocated in i2c_new_client_device"
	p, err := prog.ParseFile("testdata/laters/b6_cascade.prog")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Filename: "b6_cascade.prog", Quiet: true}
	res, err := Run(p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if findingTitled(res, leak) == nil {
		t.Fatalf("no %q in %v", leak, res.Findings)
	}
	for _, l := range Laters(p, res, cfg, nil) {
		if l.Finding.Title == leak {
			t.Errorf("filed %q after the double put", leak)
		}
	}
}
