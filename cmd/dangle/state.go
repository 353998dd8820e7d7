package main

import (
	"fmt"
	"io"
	"os"

	"dangle/prog"
	"dangle/sim"
)

// runState is dangle run -state: the canonical state encoding after the
// program's last op (before teardown, so before the leak oracles) and a
// final line "state: <hex>" with its hash, so two programs' states can
// be compared with diff or by the last line. With several files each
// encoding is headed by "=== FILE".
func runState(name, kernel string, base *sim.Source, header bool, stdout, stderr io.Writer) int {
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
	enc, hash, err := sim.State(p, sim.Config{Filename: name, Profile: kernel, Base: base})
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2
	}
	if header {
		fmt.Fprintf(stdout, "=== %s\n", name)
	}
	fmt.Fprint(stdout, enc)
	fmt.Fprintf(stdout, "state: %016x\n", hash)
	return 0
}
