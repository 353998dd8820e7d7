// Command dangle is the toolbox around the simulator: run programs against
// kernel profiles and print what the kernel would print.
//
//	dangle run [-kernel P] [-base FILE.dtb|FILE.dts] [-trace] [-strict] [-state] FILE…
//	dangle profiles
//	dangle ops
//
// Exit status: 0 clean, 1 findings, 2 usage or input error.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"dangle/prog"
	"dangle/sim"
	"dangle/sim/profile"
)

const usage = `usage:
  dangle run [-kernel PROFILE] [-base FILE.dtb|FILE.dts] [-trace] [-strict] [-state] FILE.prog...
  dangle minimize [-o OUT] [-v] FILE.prog
  dangle triage [-o CRASHERS] [-kernel PROFILE] DIR...
  dangle profiles
  dangle ops

run       run programs and print the kernel-style log and findings
minimize  shrink a program while its finding keeps its title
triage    turn go test -fuzz failures into crashers, one per title
profiles  print the kernel profiles and their behaviour knobs
ops       print the operations a program can use

Exit status: 0 clean, 1 findings, 2 usage or input error.
`

func main() {
	os.Exit(mainErr(os.Args[1:], os.Stdout, os.Stderr))
}

func mainErr(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "minimize":
		return cmdMinimize(args[1:], stdout, stderr)
	case "triage":
		return cmdTriage(args[1:], stdout, stderr)
	case "profiles":
		fmt.Fprint(stdout, profile.Table())
		return 0
	case "ops":
		fmt.Fprint(stdout, prog.Table())
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "dangle: unknown command %q\n%s", args[0], usage)
	return 2
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kernel := fs.String("kernel", "", "kernel profile (overrides the program's kernel line), e.g. v6.8+wait-early")
	trace := fs.Bool("trace", false, "print the per-node refcount table and the lifetime timeline")
	strict := fs.Bool("strict", false, "count known findings (leaks the kernel itself announces) as findings")
	baseFile := fs.String("base", "", "base tree `FILE.dtb|FILE.dts` (replaces the program's and the built-in base tree)")
	state := fs.Bool("state", false, "print the canonical state after the last op and a final line 'state: <hex>' (state.go)")
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "dangle run: no program files")
		fs.Usage()
		return 2
	}
	if *kernel != "" {
		if _, err := profile.Parse(*kernel); err != nil {
			fmt.Fprintf(stderr, "dangle run: -kernel: %v\n", err)
			return 2
		}
	}
	var base *sim.Source
	if *baseFile != "" {
		var err error
		if base, err = sim.ReadSource(*baseFile); err != nil {
			fmt.Fprintf(stderr, "dangle run: -base: %v\n", err)
			return 2
		}
	}
	status := 0
	for _, name := range fs.Args() {
		var s int
		if *state {
			s = runState(name, *kernel, base, fs.NArg() > 1, stdout, stderr)
		} else {
			s = runOne(name, *kernel, *trace, *strict, base, stdout, stderr)
		}
		if s > status {
			status = s
		}
	}
	return status
}

func runOne(name, kernel string, trace, strict bool, base *sim.Source, stdout, stderr io.Writer) int {
	data, err := os.ReadFile(name)
	if err != nil {
		fmt.Fprintf(stderr, "dangle run: %v\n", err)
		return 2
	}
	p, err := prog.Parse(name, data)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2
	}
	res, err := sim.Run(p, sim.Config{Filename: name, Profile: kernel, Trace: trace, Strict: strict, Base: base})
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "=== %s\n", name)
	fmt.Fprint(stdout, res.Log)
	if trace {
		fmt.Fprintf(stdout, "\n%s", res.Trace)
	}
	fmt.Fprintln(stdout)
	for i := range res.Findings {
		fmt.Fprint(stdout, res.Findings[i].String())
	}
	// known findings (sim.KnownFindings): printed, not counted
	for i := range res.Known {
		fmt.Fprint(stdout, res.Known[i].KnownString())
	}
	if len(res.Findings) == 0 {
		fmt.Fprintf(stdout, "no findings (kernel %s)\n", res.Profile)
		return 0
	}
	baseArg := ""
	if strict {
		baseArg = " -strict"
	}
	if base != nil {
		baseArg += " -base " + base.Name
	}
	fmt.Fprintf(stdout, "%d finding(s) (kernel %s); replay: go run ./cmd/dangle run -kernel '%s'%s %s\n",
		len(res.Findings), res.Profile, res.Profile, baseArg, name)
	return 1
}
