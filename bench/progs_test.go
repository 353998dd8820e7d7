package bench

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"

	"dangle/fuzz"
	"dangle/prog"
	"dangle/prog/gen"
	"dangle/prog/seq"
	"dangle/sim"
	"dangle/sim/report"
)

// bug is one row of scripts/bench/bugs.tsv.
type bug struct {
	Name, Profile string
	Strict        bool
	Title         *regexp.Regexp
	Corpus        string // the hand-minimal reproducer, from the repository root
}

// loadBugs reads scripts/bench/bugs.tsv, the table the shell harnesses
// read too.
func loadBugs(t testing.TB) []bug {
	f, err := os.Open("../scripts/bench/bugs.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []bug
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Split(line, "\t")
		if len(fs) != 5 {
			t.Fatalf("bugs.tsv:%d: want 5 tab-separated fields, got %d", n, len(fs))
		}
		re, err := regexp.Compile(fs[3])
		if err != nil {
			t.Fatalf("bugs.tsv:%d: %v", n, err)
		}
		out = append(out, bug{Name: fs[0], Profile: fs[1], Strict: fs[2] == "1", Title: re, Corpus: fs[4]})
	}
	return out
}

// uniformWeights are the "uniform random programs" of the time-to-find
// table: every op and End weigh 1 and optional arguments take the
// builder's default chance, instead of FuzzLifecycle's tuned weights
// (seq.DefaultWeights). The overlay generator's own weights stay: they
// say how overlays are written, not which ops run.
func uniformWeights() seq.Weights {
	d := seq.DefaultWeights()
	return seq.Weights{End: 1, FileApply: d.FileApply, Gen: gen.DefaultWeights()}
}

// stepwise runs p op by op and reports whether a finding matching re is
// raised, checking after each op and after teardown (a simulator panic
// counts as no match: it is the soak's business, not a time to find).
func stepwise(p *prog.Program, cfg sim.Config, re *regexp.Regexp) (hit bool) {
	defer func() {
		if r := recover(); r != nil {
			hit = false
		}
	}()
	k, err := sim.New(p, cfg)
	if err != nil {
		return false
	}
	for i := range p.Ops {
		k.Step(i)
		if match(p, k.Log.Findings(), re) {
			return true
		}
	}
	k.Teardown()
	return match(p, k.Log.Findings(), re)
}

// match reports whether a finding matches re, leaving out API misuse by
// the program as the fuzz targets and the soak do (fuzz.Misuse).
func match(p *prog.Program, fs []report.Finding, re *regexp.Regexp) bool {
	for _, f := range fs {
		if re.MatchString(f.Title) && !fuzz.Misuse(p, f) {
			return true
		}
	}
	return false
}

var model = fuzz.NewModel()
