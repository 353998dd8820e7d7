package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"dangle/fuzz"
	"dangle/minimizer"
	"dangle/prog"
	"dangle/sim"
	"dangle/sim/profile"
)

const triageUsage = `usage: dangle triage [-o CRASHERS] [-kernel PROFILE] [-min=false] [-timeout D] DIR...

Reads the failing inputs go test -fuzz wrote (DIR is a testdata/fuzz/FuzzX
directory, the go test fuzz v1 format), decodes each as its target does
(the byte decoder for FuzzLifecycle, FuzzOverlay, FuzzDevlink, FuzzGPIO;
program text for FuzzProgText; an overlay source for FuzzDTS), runs it,
groups the inputs by the title of their first finding and writes one raw
crasher per title: CRASHERS/<title-slug>/repro.prog (the group's smallest
program, minimized unless -min=false) and report.txt (first line: the
title). A title already in CRASHERS is merged: the smaller repro stays.
Environment as the fuzz targets: DANGLE_KERNEL, DANGLE_IGNORE,
DANGLE_STRICT, DANGLE_MISUSE.
`

// cmdTriage is "dangle triage".
func cmdTriage(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("triage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "crashers", "the crashers directory")
	kernel := fs.String("kernel", "", "kernel profile (default DANGLE_KERNEL, else each program's)")
	doMin := fs.Bool("min", true, "minimize each group's smallest program")
	timeout := fs.Duration("timeout", 30*time.Second, "minimization time per title")
	fs.Usage = func() { fmt.Fprint(stderr, triageUsage) }
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	env, err := fuzz.ReadEnv()
	if err != nil {
		fmt.Fprintf(stderr, "dangle triage: %v\n", err)
		return 2
	}
	if *kernel != "" {
		if _, err := profile.Parse(*kernel); err != nil {
			fmt.Fprintf(stderr, "dangle triage: -kernel: %v\n", err)
			return 2
		}
		env.Kernel = *kernel
	}
	groups := map[string]*triageGroup{}
	var titles []string
	for _, dir := range fs.Args() {
		target := filepath.Base(filepath.Clean(dir))
		r := fuzz.NewRunner(target, env)
		names, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil || len(names) == 0 {
			fmt.Fprintf(stderr, "dangle triage: %s: no inputs\n", dir)
			return 2
		}
		sort.Strings(names)
		for _, name := range names {
			data, err := fuzz.ReadInput(name)
			if err != nil {
				fmt.Fprintf(stderr, "dangle triage: %v\n", err)
				return 2
			}
			p := triageProgram(r, target, data)
			if p == nil {
				fmt.Fprintf(stdout, "%s: not a program\n", name)
				continue
			}
			fails, err := r.RunProg(p, nil)
			if err != nil {
				fmt.Fprintf(stdout, "%s: %v\n", name, firstLine(err.Error()))
				continue
			}
			if len(fails) == 0 {
				fmt.Fprintf(stdout, "%s: no finding\n", name)
				continue
			}
			f := fails[0]
			g := groups[f.Finding.Title]
			if g == nil {
				g = &triageGroup{title: f.Finding.Title}
				groups[g.title] = g
				titles = append(titles, g.title)
			}
			g.inputs = append(g.inputs, name)
			q := p.Clone()
			q.Kernel = f.Profile
			if g.prog == nil || len(q.Print()) < len(g.prog.Print()) {
				g.prog, g.profile, g.atOp = q, f.Profile, f.Finding.Op > 0
			}
			fmt.Fprintf(stdout, "%s: %s (kernel %s)\n", name, f.Finding.Title, f.Profile)
		}
	}
	status := 0
	for _, t := range titles {
		g := groups[t]
		if *doMin {
			cfg := sim.Config{Filename: "triage.prog", Profile: g.profile, Strict: env.Strict, Quiet: true, Cache: sim.NewCache()}
			if min, _, err := minimizer.Minimize(g.prog, titlePredicate(cfg, t, g.atOp), minimizer.Options{Timeout: *timeout}); err == nil {
				min.Kernel = g.profile
				g.prog = min
			} else {
				fmt.Fprintf(stderr, "dangle triage: %q: minimize: %v (keeping the raw program)\n", t, err)
			}
		}
		dir, err := writeCrasher(*out, g)
		if err != nil {
			fmt.Fprintf(stderr, "dangle triage: %v\n", err)
			status = 2
			continue
		}
		fmt.Fprintf(stdout, "%s: %d input(s) -> %s\n", t, len(g.inputs), dir)
	}
	return status
}

type triageGroup struct {
	title, profile string
	inputs         []string
	atOp           bool // raised during an op: the repro must keep it there
	prog           *prog.Program
}

// triageProgram turns one input of target into a program, as the
// target does.
func triageProgram(r *fuzz.Runner, target string, data []byte) *prog.Program {
	switch target {
	case "FuzzProgText":
		p, err := prog.Parse("input.prog", data)
		if err != nil {
			return nil
		}
		return p
	case "FuzzDTS":
		p := fuzz.DTSProgram(data)
		if p == nil || p.Validate() != nil {
			return nil
		}
		return p
	}
	return r.Decode(data)
}

// slug is a crasher directory name for a title.
func slug(title string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(title) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if len(s) > 80 {
		s = strings.TrimSuffix(s[:80], "-")
	}
	return s
}

// writeCrasher writes (or merges into) out/<slug>/: repro.prog, the
// smaller of the old and the new, and report.txt.
func writeCrasher(out string, g *triageGroup) (string, error) {
	dir := filepath.Join(out, slug(g.title))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	p := g.prog.Clone()
	p.Header = slices.DeleteFunc(p.Header, func(c string) bool { return strings.HasPrefix(c, "# title:") })
	p.Header = append([]string{"# title: " + g.title}, p.Header...)
	text := p.Print()
	repro := filepath.Join(dir, "repro.prog")
	if old, err := os.ReadFile(repro); err == nil && len(old) <= len(text) {
		text = old // merged: the title was there with a repro no larger
		if q, err := prog.Parse(repro, old); err == nil {
			p = q
		}
	}
	if err := os.WriteFile(repro, text, 0o644); err != nil {
		return "", err
	}
	res, err := sim.Run(p, sim.Config{Filename: repro, Profile: g.profile})
	var rep bytes.Buffer
	fmt.Fprintf(&rep, "%s\n\nkernel: %s\nfound by: %s\n", g.title, g.profile, strings.Join(g.inputs, " "))
	if err == nil {
		fmt.Fprintf(&rep, "\n%s\n", res.Log)
		for i := range res.Findings {
			rep.WriteString(res.Findings[i].String())
		}
	}
	fmt.Fprintf(&rep, "\nreplay: go run ./cmd/dangle run -kernel '%s' %s\n", g.profile, repro)
	return dir, os.WriteFile(filepath.Join(dir, "report.txt"), rep.Bytes(), 0o644)
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }
