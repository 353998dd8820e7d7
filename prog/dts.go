package prog

import (
	"sync"
	"sync/atomic"

	"dangle/dt"
)

// dtsMemo is one source file parsed and, once asked for, compiled; and
// the name and data it was made from.
type dtsMemo struct {
	name string
	// data is the File.Data it was made from, not a copy (a 50 MB
	// source would be held twice): Data is replaced, never edited in
	// place, so comparing it with File.Data tells whether it changed
	// (in O(1) while it is the same slice).
	data []byte
	// ast is the parsed file until Tree compiles it (then nil: a
	// source's syntax tree is about twice its size, and nothing reads
	// it after the compile).
	ast    *dt.File
	syntax error // the parse error (a *dt.Error), or nil
	// once compiles, so runs of one parsed program may share it across
	// goroutines; compiled says it has.
	once     sync.Once
	compiled atomic.Bool
	tree     *dt.Tree
	err      error // the compile error, once compiled
}

// Tree returns a source file (.dts, .dtso) compiled as dtc -@ compiles it
// (dt.Parse, then dt.Compile with Symbols), or the parse or compile error
// (a *dt.Error, positions within the file). Parse and Validate parse each
// source to report syntax errors; the parsed file is kept, and Tree
// compiles it once and keeps the tree, until the file's Name or Data
// changes (Data must be replaced, not edited in place). So a program's
// sources are parsed once however often they are validated, and
// compiled once however often the program runs (once
// Parse or Validate has run, Tree is safe to call from several
// goroutines running one program; changing Name or Data is not). The tree must not be modified.
func (f *File) Tree() (*dt.Tree, error) {
	m := f.memo()
	if m.syntax != nil {
		return nil, m.syntax
	}
	m.once.Do(func() {
		m.tree, m.err = dt.Compile(m.ast, dt.CompileOptions{Symbols: true})
		m.ast = nil
		m.compiled.Store(true)
	})
	return m.tree, m.err
}

// Compiled returns the tree Tree compiled, or nil if it has not compiled
// it yet (or failed): a caller holding its own cache of trees can look
// there before making Tree compile.
func (f *File) Compiled() *dt.Tree {
	if m := f.dts; m != nil && m.compiled.Load() && m.name == f.Name && string(m.data) == string(f.Data) {
		return m.tree
	}
	return nil
}

func (f *File) memo() *dtsMemo {
	if m := f.dts; m != nil && m.name == f.Name && string(m.data) == string(f.Data) {
		return m
	}
	m := &dtsMemo{name: f.Name, data: f.Data}
	m.ast, m.syntax = dt.Parse(f.Name, f.Data)
	f.dts = m
	return m
}

// syntaxError returns the DTS syntax error of a source file, or nil.
func (f *File) syntaxError() *dt.Error {
	m := f.memo()
	if m.syntax == nil {
		return nil
	}
	if e, ok := m.syntax.(*dt.Error); ok {
		return e
	}
	return &dt.Error{Line: 1, Col: 1, Msg: m.syntax.Error()}
}

// ReleaseText drops the text of a source file that has compiled without
// error, and reports whether it did: Data becomes nil, and Tree and
// Compiled still return the compiled tree. It is for a program that will
// only be run again, never printed, validated or edited (dangle run,
// sim.Config.ReleaseText): a 50 MB source then is not held for the run
// beside its compiled tree (issue 14 item 8). A file that has not
// compiled, or failed to, keeps its text for the error messages.
func (f *File) ReleaseText() bool {
	m := f.dts
	if m == nil || !m.compiled.Load() || m.err != nil || m.name != f.Name || string(m.data) != string(f.Data) {
		return false
	}
	// a memo of its own (a clone of the program shares m, and may be
	// compiling from it in another goroutine), already compiled, whose
	// data, nil like the file's, still matches it
	r := &dtsMemo{name: m.name, tree: m.tree}
	r.once.Do(func() {})
	r.compiled.Store(true)
	f.dts, f.Data = r, nil
	return true
}
