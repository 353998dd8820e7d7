// Package crashers holds the minimized, filing-ready reproducers (one
// directory per finding title, written by package crash) and replays
// them: each must raise its title on every profile its repro.prog lists
// as affected and be clean of it on the rest.
package crashers

import (
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dangle/crash"
	"dangle/prog"
	"dangle/sim"
	"dangle/sim/profile"
)

var regen = flag.Bool("regen", false, "rewrite the crashers from the corpus seeds (go test ./crashers -run TestRegen -regen)")

// seeds are the corpus programs the crashers come from, with the title
// each files: B1-B7 (B3's leak is a known finding, announced by the
// kernel, so it is no crasher) and the of_overlay_remove_all aliasing.
// B2 raises B1's title: the two merge into one crasher, as the soak
// would merge them.
var seeds = []struct{ file, title string }{
	{"b1-reg-expander.prog", "memory leak in of_changeset_destroy"},
	{"b2-depopulate-remove.prog", "memory leak in of_changeset_destroy"},
	{"b4-nvmem-wp-double-put.prog", "gpiod_put by non-owner from nvmem_release"},
	{"b4-nvmem-wp-double-put.prog", "double gpiod_put from devm_gpiod_release"},
	{"b5-gpiochip-remove-requested.prog", "REMOVING GPIOCHIP WITH GPIOS STILL REQUESTED in gpiochip_remove"},
	{"b5-gpiochip-remove-requested.prog", "reference leak of gpio_device taken in gpiod_request"},
	{"b6-gpiod-double-put.prog", "double gpiod_put"},
	{"b6-gpiod-double-put.prog", "use-after-free of gpio_device in gpiochip_remove"},
	{"b7-input-unbind.prog", "devres ran after PM domain detach in i2c_device_remove"},
	{"b7-input-unbind.prog", "devres ran after PM domain detach in spi_remove"},
	{"remove-all-aliasing.prog", "use-after-free of overlay_changeset in node_overlaps_later_cs"},
}

// TestRegen rewrites the crashers from the corpus (with -regen only):
// each seed through crash.Write, minimized on its own kernel line.
func TestRegen(t *testing.T) {
	if !*regen {
		t.Skip("-regen not set")
	}
	for _, s := range seeds {
		path := filepath.Join("..", "corpus", s.file)
		p, err := prog.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		c, err := crash.Write(".", p, s.title, crash.Options{Timeout: 20 * time.Second, FoundBy: []string{"corpus/" + s.file}, ReplayDir: "crashers"})
		if err != nil {
			t.Fatalf("%s: %v", s.file, err)
		}
		t.Logf("%s: %s (%d ops; affected %v)", s.file, c.Dir, len(c.Prog.Ops), c.Affected)
	}
}

// TestCrashers replays every crasher against its version matrix and
// checks its directory: report.txt starts with the title and names every
// affected profile and the holders, the sources are there as files, and
// timeline.svg is well-formed XML.
func TestCrashers(t *testing.T) {
	cs, err := crash.Load(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) < 8 {
		t.Fatalf("%d crashers, want B1-B7 and the remove_all aliasing (go test ./crashers -run TestRegen -regen)", len(cs))
	}
	for _, c := range cs {
		t.Run(filepath.Base(c.Dir), func(t *testing.T) {
			known := map[string]bool{} // the named profiles not yet seen in the matrix
			for _, n := range profile.Names() {
				known[n] = true
			}
			if c.Prog == nil || len(c.Raw) > 0 {
				t.Fatalf("raw findings not minimized: %v", c.Raw)
			}
			if filepath.Base(c.Dir) != crash.Slug(c.Title) {
				t.Errorf("directory %s for title %q (slug %s)", c.Dir, c.Title, crash.Slug(c.Title))
			}
			if len(c.Affected) == 0 || len(c.Affected)+len(c.Unaffected) < len(profile.Names()) {
				t.Fatalf("matrix: affected %v, unaffected %v", c.Affected, c.Unaffected)
			}
			for _, prof := range append(append([]string{}, c.Affected...), c.Unaffected...) {
				if _, err := profile.Parse(prof); err != nil {
					t.Fatalf("profile %q: %v", prof, err)
				}
				delete(known, prof)
				res, err := sim.Run(c.Prog, sim.Config{Filename: c.Dir + "/repro.prog", Profile: prof, Quiet: true})
				if err != nil {
					t.Fatal(err)
				}
				raised := false
				for _, f := range res.Findings {
					raised = raised || f.Title == c.Title
				}
				want := slices.Contains(c.Affected, prof)
				if raised != want {
					t.Errorf("%s: raised %v, the crasher says affected=%v; replay: go run ./cmd/dangle run -kernel %s crashers/%s/repro.prog", prof, raised, want, prof, filepath.Base(c.Dir))
				}
			}
			if len(known) > 0 {
				t.Errorf("profiles missing from the matrix: %v", known)
			}
			checkReport(t, c)
			for _, f := range c.Prog.Files {
				want := f.Data
				if prog.IsBlob(f.Name) {
					want, _ = f.Blob()
				}
				data, err := os.ReadFile(filepath.Join(c.Dir, f.Name))
				if err != nil || string(data) != string(want) {
					t.Errorf("source %s: %v (or differs from repro.prog)", f.Name, err)
				}
			}
			svg, err := os.ReadFile(filepath.Join(c.Dir, "timeline.svg"))
			if err != nil {
				t.Fatal(err)
			}
			if err := wellFormed(svg); err != nil || !strings.Contains(string(svg), "<svg") {
				t.Errorf("timeline.svg: %v", err)
			}
			if dot, err := os.ReadFile(filepath.Join(c.Dir, "graph.dot")); err != nil || !strings.HasPrefix(string(dot), "digraph") {
				t.Errorf("graph.dot: %v", err)
			}
		})
	}
}

// checkReport: the title on line 1, a paragraph, the log, every profile
// of the matrix, the op sequence and the replay command.
func checkReport(t *testing.T, c *crash.Crasher) {
	t.Helper()
	r := c.Report
	if first, _, _ := strings.Cut(r, "\n"); first != c.Title {
		t.Errorf("report.txt line 1 %q, want the title %q", first, c.Title)
	}
	for _, want := range []string{"What happened", "Kernel log", "Affected kernel versions", "Where to fix", "Reproducer", "Replay", "run -kernel " + c.Profile} {
		if !strings.Contains(r, want) {
			t.Errorf("report.txt lacks %q", want)
		}
	}
	for _, p := range c.Affected {
		if !strings.Contains(r, "  "+p+" ") {
			t.Errorf("report.txt does not list affected profile %s", p)
		}
	}
	res, err := sim.Run(c.Prog, sim.Config{Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if f.Title != c.Title {
			continue
		}
		for _, h := range f.Holders {
			name, _, _ := strings.Cut(h, " (")
			if !strings.Contains(r, name) {
				t.Errorf("report.txt does not name holder %q", name)
			}
		}
		break
	}
}

// TestModelledDrivers: B7 goes through the dangle,i2c-input model and its
// report says so; B1 goes through in-tree drivers only (regulator-fixed,
// pca953x) and says nothing of the kind.
func TestModelledDrivers(t *testing.T) {
	b7, err := os.ReadFile("devres-ran-after-pm-domain-detach-in-i2c-device-remove/report.txt")
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(strings.Fields(string(b7)), " "); !strings.Contains(s, "Modelled drivers:") || !strings.Contains(s, "dangle-i2c-input (dangle,i2c-input") {
		t.Errorf("B7 report does not name the modelled driver:\n%s", b7)
	}
	b1, err := os.ReadFile("memory-leak-in-of-changeset-destroy/report.txt")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b1), "Modelled drivers") {
		t.Errorf("B1 report claims modelled drivers:\n%s", b1)
	}
}

func wellFormed(data []byte) error {
	d := xml.NewDecoder(strings.NewReader(string(data)))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
