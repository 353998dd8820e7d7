package main

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/tools/txtar"

	"dangle/dt"
	"dangle/sim"
)

// isSourceName reports whether an archive file is a device-tree source.
func isSourceName(name string) bool {
	return strings.HasSuffix(name, ".dts") || strings.HasSuffix(name, ".dtso")
}

// preprocessArchive runs every source file of a program's archive through
// cpp as the kernel build does (dangle run -I) and returns the archive
// with cpp's output in their place; the header and ops are untouched, so
// their lines keep their numbers. Each result is compiled here, so that
// an error names the original place: the .prog line for a line of the
// archive file, the header's path:line for a line of an included header.
func preprocessArchive(progName string, data []byte, include []string) ([]byte, error) {
	a := txtar.Parse(data)
	// the .prog line of each file's first line, as prog.Parse counts it
	line := 1 + bytes.Count(a.Comment, []byte("\n"))
	for i := range a.Files {
		f := &a.Files[i]
		first := line + 1
		line += 1 + bytes.Count(f.Data, []byte("\n"))
		if !isSourceName(f.Name) {
			continue
		}
		pre, err := dt.Preprocess(f.Name, "", f.Data, include)
		if err != nil {
			return nil, progError(progName, f.Name, first, err)
		}
		if _, err := sim.LoadTree(&sim.Source{Name: f.Name, Data: pre.Data}); err != nil {
			return nil, progError(progName, f.Name, first, pre.MapError(err))
		}
		f.Data = pre.Data
	}
	return txtar.Format(a), nil
}

// cppHint says which archive files need the preprocessor, or "".
func cppHint(data []byte) string {
	var names []string
	for _, f := range txtar.Parse(data).Files {
		if isSourceName(f.Name) && dt.NeedsCPP(f.Data) {
			names = append(names, f.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("hint: %s use the C preprocessor (#include, #define): run with -I DIR (e.g. -I linux/include), as the kernel build does",
		strings.Join(names, ", "))
}

// progError places an error about archive file name, whose first line is
// .prog line first, at its .prog line.
func progError(progName, name string, first int, err error) error {
	e, ok := err.(*dt.Error)
	if ok {
		// after cpp, an identifier left in a value is a macro no header
		// defined, not a sign that cpp did not run
		if m, found := strings.CutSuffix(e.Msg, " (macros need the C preprocessor, which dt does not run)"); found {
			e = &dt.Error{File: e.File, Line: e.Line, Col: e.Col, Msg: m + " (not a macro of any header found: check -I and the #include lines)"}
		}
	}
	switch {
	case ok && e.File == name:
		return fmt.Errorf("%s:%d:%d: %s: %s", progName, first+e.Line-1, e.Col, name, e.Msg)
	case ok:
		return fmt.Errorf("%v (in a header %s includes, %s:%d)", e, name, progName, first)
	}
	return fmt.Errorf("%s:%d: %v", progName, first, err)
}
