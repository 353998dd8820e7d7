package sim

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dangle/prog"
	"dangle/sim/profile"
)

// corpusPrograms returns every program of the repository's corpus.
func corpusPrograms(t testing.TB) map[string]*prog.Program {
	files, err := filepath.Glob("../corpus/*.prog")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus programs: %v", err)
	}
	out := map[string]*prog.Program{}
	for _, f := range files {
		p, err := prog.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = p
	}
	return out
}

// sortedNames returns the keys of m in order, so tests run and report
// in the same order every time.
func sortedNames(m map[string]*prog.Program) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// findingsText renders every finding and known finding of res as dangle
// run prints them: two runs agree on findings when their texts agree.
func findingsText(res *Result) string {
	var b strings.Builder
	for i := range res.Findings {
		b.WriteString(res.Findings[i].String())
	}
	for i := range res.Known {
		b.WriteString(res.Known[i].KnownString())
	}
	return b.String()
}

// TestDeterminism: the same program under the same profile gives
// byte-identical output (log, trace and every finding's text), for every
// corpus program and every profile.
func TestDeterminism(t *testing.T) {
	progs := corpusPrograms(t)
	for _, name := range sortedNames(progs) {
		p := progs[name]
		for _, kern := range profile.Names() {
			a, err := Run(p, Config{Filename: name, Profile: kern, Trace: true})
			if err != nil {
				t.Fatalf("%s %s: %v", name, kern, err)
			}
			b, err := Run(p, Config{Filename: name, Profile: kern, Trace: true})
			if err != nil {
				t.Fatal(err)
			}
			if a.Log != b.Log || a.Trace != b.Trace || findingsText(a) != findingsText(b) {
				t.Errorf("%s under %s: two runs differ", name, kern)
			}
		}
	}
}

// An expect is one "# expect" header line of a corpus program:
//
//	# expect: WHAT                   under the program's own kernel line
//	# expect P1,P2,…: WHAT           under each profile listed
//
// where WHAT is a finding title (that finding is raised), "not TITLE"
// (it is not), "known TITLE" (it is raised as a known finding) or
// "clean" (no finding counts; known findings may be listed).
type expect struct {
	line     string
	profiles []string
	what     string
}

// parseExpects returns p's expectations, or an error naming the line.
func parseExpects(name string, p *prog.Program) ([]expect, error) {
	own := p.Kernel
	if own == "" {
		own = profile.Default
	}
	var out []expect
	for _, h := range p.Header {
		rest, ok := strings.CutPrefix(h, "# expect")
		if !ok {
			continue
		}
		profs, what, ok := strings.Cut(rest, ":")
		what = strings.TrimSpace(what)
		if !ok || what == "" {
			return nil, fmt.Errorf("%s: %q: want \"# expect[ PROFILES]: WHAT\"", name, h)
		}
		e := expect{line: h, what: what, profiles: []string{own}}
		if profs = strings.TrimSpace(profs); profs != "" {
			e.profiles = strings.Split(profs, ",")
			for _, pr := range e.profiles {
				if _, err := profile.Parse(pr); err != nil || strings.TrimSpace(pr) != pr {
					return nil, fmt.Errorf("%s: %q: bad profile %q: %v", name, h, pr, err)
				}
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// check reports what of e does not hold for res ("" if it holds).
func (e expect) check(res *Result) string {
	has := func(fs []string, title string) bool { return slices.Contains(fs, title) }
	var titles, known []string
	for _, f := range res.Findings {
		titles = append(titles, f.Title)
	}
	for _, f := range res.Known {
		known = append(known, f.Title)
	}
	switch {
	case e.what == "clean":
		if len(titles) != 0 {
			return fmt.Sprintf("want clean, got %q", titles)
		}
	case strings.HasPrefix(e.what, "not "):
		if t := strings.TrimPrefix(e.what, "not "); has(titles, t) {
			return fmt.Sprintf("want no %q, got it", t)
		}
	case strings.HasPrefix(e.what, "known "):
		if t := strings.TrimPrefix(e.what, "known "); !has(known, t) {
			return fmt.Sprintf("want known %q, got known %q", t, known)
		}
	default:
		if !has(titles, e.what) {
			return fmt.Sprintf("want %q, got %q", e.what, titles)
		}
	}
	return ""
}

// TestCorpusRuns: every corpus program runs on every profile (and on any
// other profile its expect lines name) without a simulator bug, and every
// "# expect" header line holds under the profiles it names. Every program
// has at least one.
func TestCorpusRuns(t *testing.T) {
	progs := corpusPrograms(t)
	for _, name := range sortedNames(progs) {
		p := progs[name]
		exps, err := parseExpects(name, p)
		if err != nil {
			t.Error(err)
			continue
		}
		if len(exps) == 0 {
			t.Errorf("%s: no \"# expect\" line", name)
		}
		kernels := profile.Names()
		for _, e := range exps {
			for _, pr := range e.profiles {
				if !slices.Contains(kernels, pr) {
					kernels = append(kernels, pr)
				}
			}
		}
		for _, kern := range kernels {
			res, err := Run(p, Config{Filename: name, Profile: kern})
			if err != nil {
				t.Fatalf("%s under %s: %v", name, kern, err)
			}
			for _, e := range exps {
				if !slices.Contains(e.profiles, kern) {
					continue
				}
				if msg := e.check(res); msg != "" {
					t.Errorf("%s under %s: %s: %s\n%s", name, kern, e.line, msg, res.Log)
				}
			}
		}
	}
}

// TestExpectParsing: the expect syntax and its errors.
func TestExpectParsing(t *testing.T) {
	p := &prog.Program{Kernel: "v6.8", Header: []string{
		"# title: x",
		"# expect: memory leak in of_changeset_destroy",
		"# expect v6.8.5,mainline: clean",
		"# expect v6.1+gpiod-ref: not double gpiod_put",
	}}
	exps, err := parseExpects("x.prog", p)
	if err != nil {
		t.Fatal(err)
	}
	if len(exps) != 3 || exps[0].profiles[0] != "v6.8" || !slices.Equal(exps[1].profiles, []string{"v6.8.5", "mainline"}) ||
		exps[1].what != "clean" || exps[2].profiles[0] != "v6.1+gpiod-ref" {
		t.Errorf("parsed %+v", exps)
	}
	for _, bad := range []string{"# expect v9.9: clean", "# expect:", "# expect mainline clean", "# expect v6.1, mainline: clean"} {
		p := &prog.Program{Header: []string{bad}}
		if _, err := parseExpects("x.prog", p); err == nil || !strings.Contains(err.Error(), "x.prog") {
			t.Errorf("%q: err %v, want one naming x.prog", bad, err)
		}
	}
	res := &Result{}
	if msg := (expect{what: "clean"}).check(res); msg != "" {
		t.Errorf("clean on no findings: %s", msg)
	}
	if msg := (expect{what: "known t"}).check(res); msg == "" {
		t.Errorf("known t held with no known findings")
	}
}
