package prog

import (
	"dangle/dt"
)

// dtsMemo is the compiled form of one source file, and the data it was
// compiled from.
type dtsMemo struct {
	name string
	src  string
	tree *dt.Tree
	err  error // a *dt.Error from parsing (syntax) or compiling
	// syntax says err is a parse error: the program's text is bad, which
	// Parse and Validate report; a compile error (an undefined label) is
	// the simulator's to report when it loads the tree.
	syntax bool
}

// Tree returns a source file (.dts, .dtso) compiled as dtc -@ compiles it
// (dt.Load with Symbols), or the parse or compile error (a *dt.Error,
// positions within the file). The result is kept on the file until its
// Name or Data changes, so Parse, Validate and each simulator run on the program
// share one compilation; the tree must not be modified.
func (f *File) Tree() (*dt.Tree, error) {
	m := f.memo()
	return m.tree, m.err
}

func (f *File) memo() *dtsMemo {
	if m := f.dts; m != nil && m.name == f.Name && m.src == string(f.Data) {
		return m
	}
	m := &dtsMemo{name: f.Name, src: string(f.Data)}
	var df *dt.File
	df, m.err = dt.Parse(f.Name, f.Data)
	if m.err != nil {
		m.syntax = true
	} else {
		m.tree, m.err = dt.Compile(df, dt.CompileOptions{Symbols: true})
	}
	f.dts = m
	return m
}

// syntaxError returns the DTS syntax error of a source file, or nil.
func (f *File) syntaxError() *dt.Error {
	m := f.memo()
	if !m.syntax {
		return nil
	}
	if e, ok := m.err.(*dt.Error); ok {
		return e
	}
	return &dt.Error{Line: 1, Col: 1, Msg: m.err.Error()}
}
