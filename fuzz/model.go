package fuzz

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"dangle/prog"
	"dangle/prog/gen"
	"dangle/prog/seq"
	"dangle/sim"
	"dangle/sim/profile"
)

// NewModel returns the simulator's knowledge for the byte decoder: the
// driver catalog, the generator's view of a base tree, the profiles.
func NewModel() *seq.Model {
	cat := sim.GenCatalog()
	return &seq.Model{
		Catalog: cat,
		Base: func(name string, data []byte) *gen.Base {
			b, err := sim.GenBaseOf(&sim.Source{Name: name, Data: data}, cat)
			if err != nil {
				return nil
			}
			return b
		},
		Kernels:     profile.Names(),
		CheckKernel: func(s string) bool { _, err := profile.Parse(s); return err == nil },
	}
}

// Targets are the byte-decoding fuzz targets and their weights (their
// swarm of ops and drivers).
var Targets = []struct {
	Name    string
	Weights func() seq.Weights
}{
	{"FuzzLifecycle", seq.DefaultWeights},
	{"FuzzOverlay", seq.OverlayWeights},
	{"FuzzDevlink", seq.DevlinkWeights},
	{"FuzzGPIO", seq.GPIOWeights},
}

// TargetWeights returns the weights of the target called name (the
// FuzzLifecycle ones for any other name).
func TargetWeights(name string) seq.Weights {
	for _, t := range Targets {
		if t.Name == name {
			return t.Weights()
		}
	}
	return seq.DefaultWeights()
}

// Seed is one seed program: a corpus program or a crasher, and the
// finding titles it is expected to produce (its "# expect" lines, a
// crasher's title), which replaying the seeds accepts.
type Seed struct {
	Path   string
	Prog   *prog.Program
	Expect []string
}

// LoadSeeds reads root/corpus/*.prog and root/crashers/*/repro.prog. A
// missing directory gives no seeds (a libFuzzer binary runs outside the
// tree); a program that does not parse is an error.
func LoadSeeds(root string) ([]Seed, error) {
	var files []string
	for _, pat := range []string{"corpus/*.prog", "crashers/*/repro.prog"} {
		m, _ := filepath.Glob(filepath.Join(root, pat))
		files = append(files, m...)
	}
	sort.Strings(files)
	var out []Seed
	for _, name := range files {
		p, err := prog.ParseFile(name)
		if err != nil {
			return nil, err
		}
		s := Seed{Path: name, Prog: p, Expect: expectTitles(p)}
		if strings.Contains(name, "crashers"+string(filepath.Separator)) {
			if data, err := os.ReadFile(filepath.Join(filepath.Dir(name), "report.txt")); err == nil {
				title, _, _ := strings.Cut(string(data), "\n")
				s.Expect = append(s.Expect, strings.TrimSpace(title))
			}
			if t := p.Title(); t != "" {
				s.Expect = append(s.Expect, t)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// expectTitles collects the titles of a program's "# expect: TITLE" and
// "# expect PROFILES: TITLE" header lines (without a "known " prefix;
// "clean" and "not TITLE" lines name nothing to accept).
func expectTitles(p *prog.Program) []string {
	var out []string
	for _, c := range p.Header {
		rest, ok := strings.CutPrefix(c, "# expect")
		if !ok {
			continue
		}
		_, t, ok := strings.Cut(rest, ":")
		if !ok {
			continue
		}
		t = strings.TrimSpace(t)
		t = strings.TrimPrefix(t, "known ")
		if t != "" && t != "clean" && !strings.HasPrefix(t, "not ") {
			out = append(out, t)
		}
	}
	return out
}

// RepoRoot is the directory whose corpus/ the seeds come from: the
// nearest of ".", ".." (go test runs in fuzz/; scripts/libfuzzer.sh runs
// its binary at the root, so that replaying its seed files accepts their
// expected titles too) holding corpus/ and go.mod; "." if none (no seeds).
func RepoRoot() string {
	for _, dir := range []string{".", ".."} {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "corpus")); err == nil {
			return dir
		}
	}
	return "."
}
