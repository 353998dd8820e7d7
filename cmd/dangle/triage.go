package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"dangle/crash"
	"dangle/fuzz"
	"dangle/prog"
	"dangle/sim"
	"dangle/sim/profile"
	"dangle/sim/report"
)

const triageUsage = `usage: dangle triage [-o CRASHERS] [-kernel PROFILE] [-min=false] [-timeout D] DIR...

Reads the failing inputs go test -fuzz wrote (DIR is a testdata/fuzz/FuzzX
directory, the go test fuzz v1 format) or the soak wrote (DIR holds
<title-slug>/raw/*.prog from crash.WriteRaw, or crasher directories),
decodes each as its target does (the byte decoder for FuzzLifecycle, FuzzOverlay, FuzzDevlink, FuzzGPIO;
program text for FuzzProgText; an overlay source for FuzzDTS), runs it,
groups the inputs by the title of their first finding and writes one
crasher per title through package crash: every input is saved first under
CRASHERS/<title-slug>/raw/ (nothing is lost if minimizing fails), then
repro.prog (the group's smallest program, minimized unless -min=false,
with its affected and unaffected profiles), report.txt (first line: the
title), the sources and timeline.svg. A title already in CRASHERS is
merged: the smaller repro stays.
Environment as the fuzz targets: DANGLE_KERNEL, DANGLE_IGNORE,
DANGLE_STRICT, DANGLE_MISUSE, and DANGLE_SKIP_DRIVERS, which must be the
fuzz run's: it changes how inputs decode.
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
		if soak, err := crash.Load(dir); err == nil && len(soak) > 0 {
			// the soak's output (or a crashers directory): raw findings
			// and repros by title
			if code := triageSoak(soak, env, groups, &titles, stdout, stderr); code != 0 {
				return code
			}
			continue
		}
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
			// saved before anything slower runs: never lose a finding
			if _, err := crash.WriteRaw(*out, q, f.Finding.Title); err != nil {
				fmt.Fprintf(stderr, "dangle triage: %v\n", err)
				return 2
			}
			if g.prog == nil || len(q.Print()) < len(g.prog.Print()) {
				g.prog, g.profile = q, f.Profile
			}
			fmt.Fprintf(stdout, "%s: %s (kernel %s)\n", name, f.Finding.Title, f.Profile)
		}
	}
	status := 0
	for _, t := range titles {
		g := groups[t]
		c, err := crash.Write(*out, g.prog, t, crash.Options{Profile: g.profile, NoMinimize: !*doMin, Timeout: *timeout, Strict: env.Strict, FoundBy: g.inputs})
		if err != nil {
			fmt.Fprintf(stderr, "dangle triage: %q: %v (the raw programs are in %s)\n", t, err, filepath.Join(*out, crash.Slug(t), "raw"))
			status = 2
			continue
		}
		merged := ""
		if c.Merged {
			merged = " (merged)"
		}
		fmt.Fprintf(stdout, "%s: %d input(s) -> %s%s\n", t, len(g.inputs), c.Dir, merged)
	}
	return status
}

type triageGroup struct {
	title, profile string
	inputs         []string
	prog           *prog.Program
}

// triageSoak adds the raw findings (raw/*.prog) and repros of crasher
// directories, as the soak writes them with crash.WriteRaw, to groups:
// each is run on its own kernel line (or -kernel) and joins the group of
// its title when it still raises it.
func triageSoak(cs []*crash.Crasher, env fuzz.Env, groups map[string]*triageGroup, titles *[]string, stdout, stderr io.Writer) int {
	for _, c := range cs {
		inputs := append([]string(nil), c.Raw...)
		if c.Prog != nil {
			inputs = append(inputs, filepath.Join(c.Dir, "repro.prog"))
		}
		for _, name := range inputs {
			p, err := prog.ParseFile(name)
			if err != nil {
				fmt.Fprintf(stderr, "dangle triage: %v\n", err)
				return 2
			}
			res, err := sim.Run(p, sim.Config{Filename: name, Profile: env.Kernel, Strict: env.Strict, Quiet: true})
			if err != nil {
				fmt.Fprintf(stdout, "%s: %v\n", name, firstLine(err.Error()))
				continue
			}
			if !slices.ContainsFunc(res.Findings, func(f report.Finding) bool { return f.Title == c.Title }) {
				fmt.Fprintf(stdout, "%s: no longer raises %q (kernel %s)\n", name, c.Title, res.Profile)
				continue
			}
			g := groups[c.Title]
			if g == nil {
				g = &triageGroup{title: c.Title}
				groups[g.title] = g
				*titles = append(*titles, g.title)
			}
			g.inputs = append(g.inputs, name)
			q := p.Clone()
			q.Kernel = res.Profile
			if g.prog == nil || len(q.Print()) < len(g.prog.Print()) {
				g.prog, g.profile = q, res.Profile
			}
			fmt.Fprintf(stdout, "%s: %s (kernel %s)\n", name, c.Title, res.Profile)
		}
	}
	return 0
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

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }
