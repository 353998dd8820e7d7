package fuzz

import (
	"dangle/prog"
	"dangle/sim/report"
)

// Misuse reports whether finding f of program p is API misuse by the
// program rather than a kernel bug (see Env): the soak (cmd/stress)
// skips these as the targets do.
func Misuse(p *prog.Program, f report.Finding) bool { return misuse(p, f) }
