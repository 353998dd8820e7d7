package fuzz

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"dangle/prog"
	"dangle/prog/seq"
	"dangle/sim"
	"dangle/sim/report"
)

// Env is the fuzz targets' configuration, from the environment (go test
// -fuzz owns the flags):
//
//	DANGLE_KERNEL  the profile every input runs on (default: the
//	               input's own kernel choice; none: the default profile)
//	DANGLE_IGNORE  a regexp of finding titles not to fail on
//	DANGLE_STRICT  1: known findings count (sim.StrictFromEnv)
//	DANGLE_SEEDS   none: start from an empty corpus instead of corpus/
//	               and crashers/
//	DANGLE_SKIP_DRIVERS  comma-separated catalog drivers the generator
//	               leaves out (dangle-dt-fixup: the modelled hazard whose
//	               changeset leak has B1's title, when measuring B1)
//	DANGLE_MISUSE  1: also fail on API misuse (below); 0: no consumer
//	               misuse at all — the decoder never takes its misuse
//	               choice (seq.Weights.Misuse 0: no op on a handle the
//	               program gave up, B6's double put included), and the
//	               seeds that need it are left out
//	DANGLE_ONLY    a regexp: fail only on titles it matches, on any
//	               finding of the program that has one (not only its
//	               primary: this measures the time to find one bug, B1:
//	               DANGLE_ONLY=of_changeset_destroy, and is the same-title
//	               predicate the minimizer and the rapid harness use)
//	DANGLE_SKIP_CITED  1: do not fail on a finding that sim.KernelBugs
//	               already explains (a cited kernel bug, filed in
//	               crashers/), so a long run goes on to new ones: Go's
//	               fuzzer stops at the first failure, and on mainline the
//	               cited bugs come within seconds
//
// API misuse is a WARN_ON in the very function an op calls, raised at
// that op, or an ownership finding there (of_node_put of a reference the
// program never took) or a reference only the program holds at the end
// (an of_node_get never put) ("WARNING in devres_close_group" at devres_close_group with no
// open group, "WARNING in device_link_remove" with consumer == supplier):
// the kernel checking its caller, here the program, not a kernel bug. The
// targets skip it unless DANGLE_MISUSE=1; a warning deeper down
// (WARNING in gpiod_free at gpiod_put) still fails.
type Env struct {
	Only     *regexp.Regexp
	Misuse   bool
	NoMisuse bool
	Kernel   string
	Ignore   *regexp.Regexp
	Strict   bool
	Seeds    bool
	Skip     []string
	// SkipCited: findings sim.CiteBug explains do not fail the target.
	SkipCited bool
}

// ReadEnv reads Env; a bad DANGLE_IGNORE is an error.
func ReadEnv() (Env, error) {
	e := Env{Kernel: os.Getenv("DANGLE_KERNEL"), Strict: sim.StrictFromEnv(), Seeds: os.Getenv("DANGLE_SEEDS") != "none",
		Misuse: os.Getenv("DANGLE_MISUSE") == "1", NoMisuse: os.Getenv("DANGLE_MISUSE") == "0",
		SkipCited: os.Getenv("DANGLE_SKIP_CITED") == "1"}
	if s := os.Getenv("DANGLE_SKIP_DRIVERS"); s != "" {
		e.Skip = strings.Split(s, ",")
	}
	if s := os.Getenv("DANGLE_ONLY"); s != "" {
		re, err := regexp.Compile(s)
		if err != nil {
			return e, fmt.Errorf("DANGLE_ONLY: %v", err)
		}
		e.Only = re
	}
	if s := os.Getenv("DANGLE_IGNORE"); s != "" {
		re, err := regexp.Compile(s)
		if err != nil {
			return e, fmt.Errorf("DANGLE_IGNORE: %v", err)
		}
		e.Ignore = re
	}
	return e, nil
}

// Runner runs decoded inputs of one target.
type Runner struct {
	Target  string
	Model   *seq.Model
	Weights seq.Weights
	Env     Env
	Cache   *sim.Cache
	// accept maps a seed input to the titles its program expects
	// (its "# expect" lines, a crasher's title). Replaying the seed
	// corpus (plain go test) must not fail on the bugs the corpus
	// reproduces on purpose, which come with their consequences (B1's
	// changeset leak brings of_node_release's complaint and the node
	// leak): a seed input's findings are accepted when one of them is
	// expected. A seed raising findings none of which it expects fails,
	// and so does every other input with a finding.
	accept map[string]map[string]bool
}

// NewRunner returns the runner of target with the environment's
// configuration.
func NewRunner(target string, env Env) *Runner {
	w := TargetWeights(target)
	w.SkipDrivers = env.Skip
	if env.NoMisuse {
		w.Misuse = 0
	}
	return &Runner{Target: target, Model: NewModel(), Weights: w, Env: env, Cache: sim.NewCache(),
		accept: map[string]map[string]bool{}}
}

// Seeds returns the encoded seed inputs (none with DANGLE_SEEDS=none),
// recording each one's expected titles. root is the repository root.
func (r *Runner) Seeds(root string) ([][]byte, error) {
	if !r.Env.Seeds {
		return nil, nil
	}
	seeds, err := LoadSeeds(root)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, s := range seeds {
		b, err := seq.Encode(r.Model, &r.Weights, s.Prog)
		if err != nil && r.Weights.Misuse == 0 {
			continue // a double put: DANGLE_MISUSE=0 leaves it out
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", s.Path, err)
		}
		set := r.accept[string(b)]
		if set == nil {
			set = map[string]bool{}
			r.accept[string(b)] = set
		}
		for _, t := range s.Expect {
			set[t] = true
		}
		out = append(out, b)
	}
	return out, nil
}

// Failure is a finding an input raised that fails the target.
type Failure struct {
	Finding report.Finding
	Prog    *prog.Program
	Profile string
	Log     string
	// Misused are the ops (0-based) that took the decoder's misuse
	// choice (seq.Info): acting on a handle the program gave up.
	Misused []int
}

// Run decodes data, runs it and returns the findings that fail the
// target (a simulator panic is one too: a *sim.Bug error). A decoded
// program the simulator refuses as input (a literal file that parses
// but does not compile) fails nothing.
func (r *Runner) Run(data []byte) ([]Failure, error) {
	p, info := seq.DecodeInfo(r.Model, &r.Weights, data)
	accept, seed := r.accept[string(data)]
	if seed && r.Env.Kernel != "" && r.Env.Kernel != p.Kernel {
		// a seed pinned to a profile it was not written for: its
		// expectations do not hold there; it only has to run
		fails, err := r.RunProg(p, nil)
		if err != nil {
			return fails, err
		}
		return nil, nil
	}
	fails, err := r.RunProg(p, accept)
	for i := range fails {
		fails[i].Misused = info.Misused
	}
	return fails, err
}

// RunProg runs p and returns the findings not ignored, none if one of
// them is in accept.
func (r *Runner) RunProg(p *prog.Program, accept map[string]bool) ([]Failure, error) {
	res, err := sim.Run(p, sim.Config{Filename: "decoded.prog", Profile: r.Env.Kernel, Quiet: true, Cache: r.Cache, Strict: r.Env.Strict})
	if err != nil {
		if _, ok := err.(*sim.Bug); ok {
			return nil, err
		}
		return nil, nil
	}
	for _, f := range res.Findings {
		if accept[f.Title] {
			return nil, nil // a seed showing its bug
		}
	}
	if r.Env.Only != nil {
		// measuring one bug: does the program show it at all (as the
		// minimizer's same-title predicate and the rapid and uniform
		// harnesses ask), wherever it comes among the findings
		for i := range res.Findings {
			f := &res.Findings[i]
			misuse := sim.Misuse(p, *f) != "" || res.Misuse.Op > 0 && (f.Op >= res.Misuse.Op || f.Op == report.Teardown)
			if !r.skip(f.Title) && (r.Env.Misuse || !misuse) {
				return []Failure{{Finding: *f, Prog: p, Profile: res.Profile}}, nil
			}
		}
		return nil, nil
	}
	// one finding per program, its earliest, unless the program misused
	// the API (sim.Primary): the later ones may be its cascade
	f, why := sim.Primary(p, res)
	if f == nil {
		return nil, nil
	}
	skip := r.skip
	if r.Env.SkipCited {
		skip = func(title string) bool { return r.skip(title) || cited(p, res, title) }
	}
	if !skip(f.Title) && (r.Env.Misuse || why == "") {
		return []Failure{{Finding: *f, Prog: p, Profile: res.Profile}}, nil
	}
	// when that one is not filed, a later one independent of it
	// (sim.Laters), with the reduced program that shows it first: only
	// then, so a program's failure stays its primary where it has one,
	// and the re-runs are paid only by such programs
	cfg := sim.Config{Filename: "decoded.prog", Profile: r.Env.Kernel, Quiet: true, Cache: r.Cache, Strict: r.Env.Strict}
	if ls := sim.Laters(p, res, cfg, skip); len(ls) > 0 {
		return []Failure{{Finding: ls[0].Finding, Prog: ls[0].Prog, Profile: res.Profile}}, nil
	}
	return nil, nil
}

// skip reports whether the environment leaves title out (Env.Ignore,
// Env.Only).
// cited reports whether a finding of res titled title is a kernel bug
// sim.KernelBugs explains (by title and program: the run is quiet).
func cited(p *prog.Program, res *sim.Result, title string) bool {
	for i := range res.Findings {
		if res.Findings[i].Title == title && sim.CiteBug(p, "", &res.Findings[i]) != nil {
			return true
		}
	}
	return false
}

func (r *Runner) skip(title string) bool {
	return (r.Env.Ignore != nil && r.Env.Ignore.MatchString(title)) || (r.Env.Only != nil && !r.Env.Only.MatchString(title))
}

// Report is the text a failing target prints: the title, the report,
// the program as .prog text (also written to $TMPDIR/dangle-TARGET-HASH.prog,
// one file per title: the last, most minimized input wins) and the
// commands that replay it.
func (r *Runner) Report(f Failure) string {
	p := f.Prog.Clone()
	p.Kernel = f.Profile
	p.Header = append([]string{"# title: " + f.Finding.Title, "# found by " + r.Target}, p.Header...)
	text := p.Print()
	// one file per target and title: go test's minimization of a
	// failing input calls the target many times, each overwrites it
	sum := sha256.Sum256([]byte(f.Finding.Title))
	file := filepath.Join(os.TempDir(), fmt.Sprintf("dangle-%s-%x.prog", strings.TrimPrefix(r.Target, "Fuzz"), sum[:4]))
	wrote := os.WriteFile(file, text, 0o644) == nil
	var b strings.Builder
	fmt.Fprintf(&b, "%s (kernel %s)\n\n%s\nprogram:\n%s\n", f.Finding.Title, f.Profile, f.Finding.String(), text)
	if len(f.Misused) > 0 {
		ops := make([]string, len(f.Misused))
		for i, o := range f.Misused {
			ops[i] = strconv.Itoa(o + 1)
		}
		fmt.Fprintf(&b, "consumer misuse (the decoder's misuse choice; DANGLE_MISUSE=0 turns it off) at op %s\n", strings.Join(ops, ", "))
	}
	if wrote {
		fmt.Fprintf(&b, "replay: go run ./cmd/dangle run -kernel '%s' %s\n", f.Profile, file)
	}
	fmt.Fprintf(&b, "replay the input: go test ./fuzz -run '%s/<file of testdata/fuzz/%s>'; triage: go run ./cmd/dangle triage fuzz/testdata/fuzz/%s\n",
		r.Target, r.Target, r.Target)
	return b.String()
}

// Decode is the program an input decodes to.
func (r *Runner) Decode(data []byte) *prog.Program { return r.decode(data) }

func (r *Runner) decode(data []byte) *prog.Program { return seq.Decode(r.Model, &r.Weights, data) }

// misuse reports whether f is API misuse by program p (sim.Misuse).
func misuse(p *prog.Program, f report.Finding) bool { return sim.Misuse(p, f) != "" }

// DTSProgram is FuzzDTS's program for an overlay source: apply it, then
// remove it. nil if the source is not a valid archive file.
func DTSProgram(src []byte) *prog.Program {
	if b := bytes.TrimRight(src, "\n"); len(b) > 0 {
		src = append(bytes.Clone(b), '\n')
	} else {
		return nil
	}
	p := &prog.Program{Files: []prog.File{{Name: "fuzz.dtso", Data: src}}}
	apply := prog.NewOp(prog.Lookup("of_overlay_fdt_apply"), "", prog.FileArg("blob", "fuzz.dtso"))
	p.Ops = []*prog.Op{apply, prog.NewOp(prog.Lookup("of_overlay_remove"), "", prog.RefArg("ov", apply))}
	if p.Validate() != nil {
		return nil
	}
	return p
}

// ReadInput reads a "go test fuzz v1" file holding one []byte value.
func ReadInput(name string) ([]byte, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) != 2 || lines[0] != "go test fuzz v1" {
		return nil, fmt.Errorf("%s: not a go test fuzz v1 file with one value", name)
	}
	v, ok := strings.CutPrefix(lines[1], "[]byte(")
	v, ok2 := strings.CutSuffix(v, ")")
	if !ok || !ok2 {
		return nil, fmt.Errorf("%s:2: want []byte(\"...\")", name)
	}
	s, err := strconv.Unquote(v)
	if err != nil {
		return nil, fmt.Errorf("%s:2: %v", name, err)
	}
	return []byte(s), nil
}
