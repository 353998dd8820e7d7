// Command dangle is the toolbox around the simulator: run programs against
// kernel profiles and print what the kernel would print.
//
//	dangle run [-kernel P|all|P1,P2] [-base FILE.dtb|FILE.dts] [-I DIR]… [-trace] [-strict] [-state] [-fail-list FILE] FILE…
//	dangle minimize [-o OUT] [-v] [-teardown] FILE
//	dangle new [-base B] [-kernel P] [-I DIR]… -o OUT OVERLAY… ['OP LINE'…]
//	dangle profiles
//	dangle ops
//	dangle drivers
//
// Exit status: 0 clean, 1 findings, 2 usage or input error.
//
// One file per subcommand: run.go (running programs and printing their
// results), matrix.go (-kernel all), state.go (-state), new.go, cpp.go
// (-I), minimize.go, drivers.go.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"dangle/prog"
	"dangle/sim/profile"
)

const usage = `usage:
  dangle run [-kernel PROFILE|all|P1,P2] [-base FILE.dtb|FILE.dts] [-I DIR]... [-trace] [-strict] [-state] [-fail-list FILE] [-svg OUT] [-dot OUT] FILE.prog...
  dangle minimize [-o OUT] [-v] FILE.prog
  dangle new [-base FILE.dtb|FILE.dts] [-kernel PROFILE] [-I DIR]... -o OUT.prog OVERLAY.dtso|OVERLAY.dtbo... ['OP LINE'...]
  dangle explore -depth N [-kernel P] [-tree FILE.prog] [-ops LIST] [-workers W] [-max-states M]
  dangle triage [-o CRASHERS] [-kernel PROFILE] DIR...
  dangle export -o DIR FILE.prog
  dangle profiles
  dangle ops
  dangle drivers

run       run programs and print the kernel-style log and findings ("-" reads stdin)
minimize  shrink a program while its finding keeps its title
new       write a program that applies your overlays to your board and removes them
explore   search every op sequence up to a depth for findings (explore.go)
triage    turn go test -fuzz failures into crashers, one per title
export    write the sources, a board replay script and a KUnit skeleton
profiles  print the kernel profiles and their behaviour knobs
ops       print the operations a program can use
drivers   print the driver catalog: the compatibles the simulator has a model for

"dangle COMMAND -h" prints the command's flags.
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
	case "new":
		return cmdNew(args[1:], stdout, stderr)
	case "minimize":
		return cmdMinimize(args[1:], stdout, stderr)
	case "explore":
		return cmdExplore(args[1:], stdout, stderr)
	case "triage":
		return cmdTriage(args[1:], stdout, stderr)
	case "export":
		return cmdExport(args[1:], stdout, stderr)
	case "profiles":
		fmt.Fprint(stdout, profile.Table())
		return 0
	case "ops":
		fmt.Fprint(stdout, prog.Table())
		return 0
	case "drivers":
		fmt.Fprint(stdout, driversTable())
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "dangle: unknown command %q\n%s", args[0], usage)
	return 2
}

// runFlags are dangle run's flags.
type runFlags struct {
	kernel   string
	trace    bool
	strict   bool
	state    bool
	baseFile string
	include  stringList
	svg, dot string // -svg, -dot: where to draw the pictures (pictures.go)
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var f runFlags
	fs.StringVar(&f.kernel, "kernel", "", "kernel `PROFILE` (overrides the program's kernel line), e.g. v6.8+wait-early;\n\"all\" or a comma list (v6.8,v6.9) runs each and prints a finding × profile table")
	fs.BoolVar(&f.trace, "trace", false, "print the per-node refcount table and the lifetime timeline")
	fs.BoolVar(&f.strict, "strict", false, "count known findings (leaks the kernel itself announces) as findings")
	fs.BoolVar(&f.state, "state", false, "print the canonical state after the last op and a final line 'state: <hex>' (state.go)")
	fs.StringVar(&f.baseFile, "base", "", "the board's tree `FILE.dtb|FILE.dts`, instead of the program's base.dts/base.dtb or the built-in tree")
	fs.Var(&f.include, "I", "run device-tree sources through cpp as the kernel build does, with include `DIR` (repeatable)")
	addFailListFlag(fs)
	fs.StringVar(&f.svg, "svg", "", "draw the lifetime timeline of the objects the first finding involves to `OUT.svg`")
	fs.StringVar(&f.dot, "dot", "", "write the device / link / node graph at the first finding to `OUT` (.dot: Graphviz source; .svg/.png: rendered with dot where installed)")
	files, code := parseFlags(fs, args, "dangle run [flags] FILE.prog... (\"-\" reads the program from stdin)", stdout, stderr)
	if code >= 0 {
		return code
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "dangle run: no program files (\"dangle run -h\" for help)")
		return 2
	}
	if err := failListOpen(); err != nil {
		fmt.Fprintf(stderr, "dangle run: %v\n", err)
		return 2
	}
	defer failListClose()
	return runFiles(&f, files, stdout, stderr)
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return fmt.Sprint(*l) }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// parseFlags parses args with fs, accepting flags before, between and after
// the file names ("--" ends the flags). It returns the file names and -1,
// or an exit code: 0 after -h (the flags go to stdout), 2 on a bad flag.
func parseFlags(fs *flag.FlagSet, args []string, synopsis string, stdout, stderr io.Writer) ([]string, int) {
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s\n", synopsis)
		fs.PrintDefaults()
	}
	var files []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return nil, 0
		}
		if err != nil {
			return nil, 2
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(files, rest...), -1
		}
		if len(rest) == 0 {
			return files, -1
		}
		files = append(files, rest[0])
		args = rest[1:]
	}
}
