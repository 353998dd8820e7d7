package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"dangle/crash"
	"dangle/minimizer"
	"dangle/prog"
	"dangle/sim"
	"dangle/sim/profile"
	"dangle/sim/report"
)

const minimizeUsage = `usage: dangle minimize [-o OUT] [-v] [-kernel PROFILE] [-strict] [-teardown] [-title TITLE] [-timeout D] FILE.prog

Shrinks the program while it still produces a finding with the same title
(by default the first finding of the original run; raised during an op,
not in the teardown, when the original raised it during one; -teardown
accepts it in the teardown too, as Go's fuzzer and rapid do, which lets
the explicit removes go when the teardown's raise the finding) and writes
the result to OUT (standard output without -o); with -kernel the result's
kernel line names that profile. -v prints each pass's counters and time
to standard error. -strict keeps known findings (sim.KnownFindings) as
findings, so a known one can be minimized too.

Exit status: 0 minimized, 2 usage or input error, or the original does
not reproduce.
`

// cmdMinimize is "dangle minimize": it wires the simulator in as the
// minimizer's predicate.
func cmdMinimize(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("minimize", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the minimized program to `OUT` (default: standard output)")
	verbose := fs.Bool("v", false, "print per-pass counters and time")
	kernel := fs.String("kernel", "", "kernel profile (overrides the program's kernel line)")
	strict := fs.Bool("strict", false, "count known findings (leaks the kernel itself announces) as findings")
	teardown := fs.Bool("teardown", false, "accept the finding raised in the teardown even when the original raised it during an op")
	title := fs.String("title", "", "the finding title to keep (default: the original's first finding)")
	timeout := fs.Duration("timeout", time.Minute, "stop shrinking after this long")
	fs.Usage = func() { fmt.Fprint(stderr, minimizeUsage) }
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	if *kernel != "" {
		if _, err := profile.Parse(*kernel); err != nil {
			fmt.Fprintf(stderr, "dangle minimize: -kernel: %v\n", err)
			return 2
		}
	}
	name := fs.Arg(0)
	p, err := prog.ParseFile(name)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2
	}
	cfg := sim.Config{Filename: name, Profile: *kernel, Strict: *strict, Quiet: true, Cache: sim.NewCache()}
	res, err := sim.Run(p, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2
	}
	var orig *report.Finding
	for i := range res.Findings {
		if *title == "" || res.Findings[i].Title == *title {
			orig = &res.Findings[i]
			break
		}
	}
	if orig == nil {
		fmt.Fprintf(stderr, "dangle minimize: %s: no finding to keep (kernel %s)\n", name, res.Profile)
		return 2
	}
	want := orig.Title
	min, st, err := minimizer.Minimize(p, crash.Predicate(cfg, want, orig.Op > 0 && !*teardown), minimizer.Options{Timeout: *timeout})
	if err != nil {
		fmt.Fprintf(stderr, "dangle minimize: %s: %q (kernel %s): %v\n", name, want, res.Profile, err)
		return 2
	}
	if *kernel != "" {
		// The result reproduces on that profile: say so in the program.
		min.Kernel = *kernel
	}
	if *verbose {
		fmt.Fprintf(stderr, "title: %s\n", want)
		st.Print(stderr)
	}
	if *out == "" {
		stdout.Write(min.Print())
		return 0
	}
	if err := os.WriteFile(*out, min.Print(), 0o644); err != nil {
		fmt.Fprintf(stderr, "dangle minimize: %v\n", err)
		return 2
	}
	return 0
}
