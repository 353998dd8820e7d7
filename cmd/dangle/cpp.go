package main

import (
	"fmt"
	"strings"

	"dangle/dt"
	"dangle/prog"
	"dangle/sim"
)

// needsCPP reports whether a source has preprocessor directives.
func needsCPP(data []byte) bool { return dt.NeedsCPP(data) }

// preprocessProgram runs every source file of p through cpp as the kernel
// build does (dangle run -I) and replaces its text by cpp's output. Each
// result is compiled here, so that an error names the original place: the
// .prog line for a line of the archive file, the header's path:line for a
// line of an included header.
func preprocessProgram(progName string, p *prog.Program, include []string) error {
	for i := range p.Files {
		f := &p.Files[i]
		if !strings.HasSuffix(f.Name, ".dts") && !strings.HasSuffix(f.Name, ".dtso") {
			continue
		}
		pre, err := dt.Preprocess(f.Name, "", f.Data, include)
		if err != nil {
			return progError(progName, f, err)
		}
		if _, err := sim.LoadTree(&sim.Source{Name: f.Name, Data: pre.Data}); err != nil {
			return progError(progName, f, pre.MapError(err))
		}
		f.Data = pre.Data
	}
	return nil
}

// progError places an error about archive file f at its .prog line.
func progError(progName string, f *prog.File, err error) error {
	e, ok := err.(*dt.Error)
	if ok {
		// after cpp, an identifier left in a value is a macro no header
		// defined, not a sign that cpp did not run
		if m, found := strings.CutSuffix(e.Msg, " (macros need the C preprocessor, which dt does not run)"); found {
			e = &dt.Error{File: e.File, Line: e.Line, Col: e.Col, Msg: m + " (not a macro of any header found: check -I and the #include lines)"}
		}
	}
	switch {
	case ok && e.File == f.Name:
		return fmt.Errorf("%s:%d:%d: %s: %s", progName, f.Line+e.Line-1, e.Col, f.Name, e.Msg)
	case ok:
		return fmt.Errorf("%v (in a header %s includes, %s:%d)", e, f.Name, progName, f.Line)
	}
	return fmt.Errorf("%s:%d: %v", progName, f.Line, err)
}
