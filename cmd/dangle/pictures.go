package main

import (
	"fmt"
	"io"
	"os"

	"dangle/crash"
	"dangle/prog"
	"dangle/sim"
)

// drawPictures is dangle run -svg/-dot: it replays p with the trace on
// (crash.Trace) and writes the lifetime timeline of the objects the first
// finding involves (every object an op touched, when there is no
// finding) and the device graph at that finding.
func drawPictures(f *runFlags, p *prog.Program, cfg sim.Config, stdout io.Writer) error {
	t, err := crash.Trace(p, cfg, "")
	if err != nil {
		return err
	}
	if f.svg != "" {
		if err := os.WriteFile(f.svg, t.Timeline().SVG(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "timeline: %s\n", f.svg)
	}
	if f.dot != "" {
		if err := os.WriteFile(f.dot, t.Graph.DOT(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "graph: %s (dot -Tsvg %s > graph.svg)\n", f.dot, f.dot)
	}
	return nil
}
