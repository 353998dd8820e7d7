package prog

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// Error is one problem found in a program.
//
// Parse reports positions in the program file: Line is a line of the .prog
// file (for a DTS error inside an archive file, the line of the .prog that
// holds it) and Col, if not 0, a column (1-based byte offset) in that line.
// Validate, checking a program built in memory, reports no position: File
// is "" and Line is 0, and Msg names the op ("op 3 (of_overlay_remove): …")
// or file instead.
type Error struct {
	File string
	Line int
	Col  int
	Msg  string
}

// Error formats e as "file:line: msg", "file:line:col: msg", or just msg
// when e has no position.
func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	case e.File != "":
		return e.File + ": " + e.Msg
	}
	return e.Msg
}

// maxErrors bounds the errors one Parse or Validate reports.
const maxErrors = 20

// errorList collects errors for one Parse or Validate call.
type errorList []*Error

func (l *errorList) add(file string, line int, format string, args ...any) {
	*l = append(*l, &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// err returns nil, or a *multierror.Error whose Errors are the collected
// *Error values sorted by position, one per line when printed.
func (l errorList) err() error {
	if len(l) == 0 {
		return nil
	}
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	if len(l) > maxErrors {
		l = append(l[:maxErrors:maxErrors], &Error{File: l[0].File, Msg: "too many errors"})
	}
	me := &multierror.Error{ErrorFormat: formatErrors}
	for _, e := range l {
		me.Errors = append(me.Errors, e)
	}
	return me
}

func formatErrors(errs []error) string {
	s := make([]string, len(errs))
	for i, e := range errs {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Errors returns the *Error values in an error returned by Parse or
// Validate, in order (nil if err is nil or holds none).
func Errors(err error) []*Error {
	var out []*Error
	var me *multierror.Error
	if errors.As(err, &me) {
		for _, e := range me.Errors {
			if pe, ok := e.(*Error); ok {
				out = append(out, pe)
			}
		}
		return out
	}
	var pe *Error
	if errors.As(err, &pe) {
		out = append(out, pe)
	}
	return out
}
