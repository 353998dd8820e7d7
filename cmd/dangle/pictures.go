package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

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
		return writeGraph(f.dot, t.Graph.DOT(), stdout)
	}
	return nil
}

// writeGraph writes the DOT source to out, or, when out ends in .svg or
// .png, renders it with Graphviz's dot if it is installed (else writes
// the source beside it as OUT.dot and says how to render it).
func writeGraph(out string, dot []byte, stdout io.Writer) error {
	format := strings.TrimPrefix(filepath.Ext(out), ".")
	if format != "svg" && format != "png" {
		if err := os.WriteFile(out, dot, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "graph: %s (render: dot -Tsvg %s -o graph.svg)\n", out, out)
		return nil
	}
	bin, err := exec.LookPath("dot")
	if err != nil {
		src := strings.TrimSuffix(out, filepath.Ext(out)) + ".dot"
		if err := os.WriteFile(src, dot, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "graph: %s (Graphviz's dot is not installed: apt-get install graphviz, then dot -T%s %s -o %s)\n", src, format, src, out)
		return nil
	}
	cmd := exec.Command(bin, "-T"+format, "-o", out)
	cmd.Stdin = bytes.NewReader(dot)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("dot -T%s: %v\n%s", format, err, b)
	}
	fmt.Fprintf(stdout, "graph: %s\n", out)
	return nil
}
