package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dangle/explore"
	"dangle/prog"
	"dangle/sim/profile"
)

const exploreUsage = `usage:
  dangle explore -depth N [-kernel PROFILE] [-tree FILE.prog]... [-ops LIST] [-workers W]
                 [-max-states M] [-timeout D] [-hash=false] [-por] [-branch auto|replay|copy]
                 [-strict] [-o DIR] [-q]

Breadth-first search over op sequences of up to N ops drawn from the
alphabet of a tree (the base tree and overlays of FILE.prog; its ops are
ignored). Default trees: the B1, B2 and B4 corpus programs. Each finding
of a new title is printed with a shortest program (replay it with dangle
run); one that goes away without the program's own reference (an
of_node_get, gpiod_get or get_device it holds) is listed as misuse, the
kernel reporting the caller. Then a statement per tree. Exit status: 0
no kernel finding (misuse only, or nothing), 1 kernel findings, 2 usage
or input error.
`

// defaultTrees are the corpus programs whose trees the search uses by
// default (B1, B2, B4: kernel-model.md).
var defaultTrees = []string{"corpus/b1-reg-expander.prog", "corpus/b2-depopulate-remove.prog", "corpus/b4-nvmem-wp-double-put.prog"}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func cmdExplore(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, exploreUsage); fs.PrintDefaults() }
	depth := fs.Int("depth", 0, "the longest op sequence explored (required, >= 1)")
	kernel := fs.String("kernel", "", "kernel profile (overrides each tree program's kernel line)")
	var trees listFlag
	fs.Var(&trees, "tree", "a `FILE.prog` whose base tree and overlays make the alphabet (repeatable)")
	ops := fs.String("ops", "", "comma-separated op names of the alphabet (default: "+strings.Join(explore.DefaultOps, ",")+"; any of: "+strings.Join(explore.SupportedOps, ",")+")")
	workers := fs.Int("workers", 1, "goroutines expanding a level (the output does not depend on it)")
	maxStates := fs.Int("max-states", 0, "stop after this many distinct states (0: no bound)")
	timeout := fs.Duration("timeout", 0, "stop after this long (0: none); for measurements")
	por := fs.Bool("por", false, "partial-order reduction: sleep sets over independent letters (the same states and finding lengths, fewer transitions)")
	branch := fs.String("branch", "auto", "how a state is branched: replay each path from a fresh boot, copy the state's kernel, or auto (copy from depth "+fmt.Sprint(explore.CopyDepth)+"); the output is the same")
	hash := fs.Bool("hash", true, "identify equal states by the canonical state hash (false: every path is a state)")
	strict := fs.Bool("strict", false, "count known findings as findings")
	outDir := fs.String("o", "", "write each finding's program to `DIR`/<tree>-<n>.prog")
	quiet := fs.Bool("q", false, "no progress lines on stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "dangle explore: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *depth < 1 {
		fmt.Fprintln(stderr, "dangle explore: -depth N (>= 1) is required")
		return 2
	}
	if *kernel != "" {
		if _, err := profile.Parse(*kernel); err != nil {
			fmt.Fprintf(stderr, "dangle explore: -kernel: %v\n", err)
			return 2
		}
	}
	br, err := explore.ParseBranch(*branch)
	if err != nil {
		fmt.Fprintf(stderr, "dangle explore: -branch: %v\n", err)
		return 2
	}
	var opList []string
	if *ops != "" {
		opList = strings.Split(*ops, ",")
	}
	if len(trees) == 0 {
		trees = defaultTrees
	}
	var progress io.Writer
	if !*quiet {
		progress = stderr
	}
	status := 0
	for _, name := range trees {
		data, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "dangle explore: %v\n", err)
			return 2
		}
		tree, err := prog.Parse(name, data)
		if err != nil {
			fmt.Fprintf(stderr, "%v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "=== explore %s (depth %d)\n", name, *depth)
		res, err := explore.Run(explore.Config{Tree: tree, TreeName: name, Profile: *kernel, Depth: *depth,
			Ops: opList, Workers: *workers, MaxStates: *maxStates, NoHash: !*hash, Branch: br, POR: *por, Strict: *strict,
			Timeout: *timeout, Progress: progress})
		if err != nil {
			fmt.Fprintf(stderr, "dangle explore: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "alphabet: %s\n", res.Alphabet)
		for i, f := range res.Found {
			// a finding that needs the program's own reference is the
			// kernel reporting the caller: listed as misuse, not counted
			what := "finding"
			if f.Misuse() {
				what = "misuse"
			}
			fmt.Fprintf(stdout, "\n--- %s %d: %s (%s)\n%s", what, i+1, f.Finding.Title, f.Finding.Kind, f.Program.Print())
			if *outDir != "" {
				file := filepath.Join(*outDir, fmt.Sprintf("%s-%d.prog", strings.TrimSuffix(filepath.Base(name), ".prog"), i+1))
				if err := os.WriteFile(file, f.Program.Print(), 0o644); err != nil {
					fmt.Fprintf(stderr, "dangle explore: %v\n", err)
					return 2
				}
				fmt.Fprintf(stdout, "--- written to %s; replay: go run ./cmd/dangle run %s\n", file, file)
			}
		}
		if len(res.Found) > 0 {
			fmt.Fprintln(stdout)
		}
		if res.KernelFindings() > 0 {
			status = 1
		}
		fmt.Fprint(stdout, res.Statement())
		if progress != nil {
			fmt.Fprintf(stderr, "explore: %s: %d states, %d transitions, depth %d complete, in %v (%.0f states/s)\n", name, res.States,
				res.Transitions, res.Depth, res.Elapsed.Round(time.Millisecond), float64(res.States)/res.Elapsed.Seconds())
		}
	}
	return status
}
