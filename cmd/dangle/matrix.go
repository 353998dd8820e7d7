package main

import (
	"fmt"
	"io"

	"dangle/crash"
	"dangle/sim"
)

// runMatrix is dangle run -kernel all|P1,P2: the program on every profile
// (each log in turn), then the finding title × profile table of
// crash.Matrix and, for each title, the knobs that differ at its first
// boundary with the commits behind them: the bisection answer.
func runMatrix(f *runFlags, name string, profiles []string, base *sim.Source, stdout, stderr io.Writer) int {
	p, err := loadProgram(name, f.include)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2
	}
	status := 0
	m := crash.NewMatrix(profiles)
	for i, prof := range profiles {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		res, err := sim.Run(p, sim.Config{Filename: progLabel(name), Profile: prof, Trace: f.trace, Strict: f.strict, Base: base, Stream: logStream(name, stdout)})
		if err != nil {
			fmt.Fprintf(stderr, "%v\n", err)
			return 2
		}
		status = max(status, printResult(f, name, res, stdout))
		for _, fd := range res.Findings {
			m.Add(fd.Title, prof)
		}
	}
	fmt.Fprintf(stdout, "\n=== %s: findings by kernel profile\n", progLabel(name))
	fmt.Fprint(stdout, m.Table())
	return status
}
