package prog

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Validate checks a program built or changed in memory with the checks
// Parse applies, plus the invariants Parse establishes by construction
// (comment lines, argument order, file data ending in one newline, no
// txtar marker lines inside files). It returns nil exactly when p is well
// formed, and then Parse(Print(p)) equals p apart from the Line fields.
// Errors carry no line; their messages name the op or file instead.
func (p *Program) Validate() error {
	c := newChecker("", false)
	c.p = p
	c.checkComments("header", p.Header)
	if p.Kernel != "" {
		if msg := checkKernel(p.Kernel); msg != "" {
			c.errs.add("", 0, "%s", msg)
		}
	}
	for i, op := range p.Ops {
		if op == nil {
			c.errs.add("", 0, "op %d: nil", i)
			continue
		}
		c.checkComments(fmt.Sprintf("op %d (%s) comment", i, op.Name()), op.Comments)
		c.checkOp(i, op, false)
	}
	c.checkComments("trailer", p.Trailer)
	c.checkFiles()
	return c.errs.err()
}

// typeAny is the type of a name bound by an op line that failed to parse:
// it matches every use, so one broken line reports one error.
const typeAny Type = 255

// fileSuffixes lists the archive file suffixes; source files are checked
// with ValidateSource, blob files (.dtb, .dtbo: flattened trees, stored
// base64-encoded because txtar is text) must decode.
var fileSuffixes = []struct {
	suffix string
	source bool
}{
	{".dts", true},
	{".dtso", true},
	{".dtb", false},
	{".dtbo", false},
}

// checker holds the state of one Parse or Validate: the names bound so far
// and the errors found.
type checker struct {
	p     *Program
	file  string // the .prog name in error positions (Parse only)
	parse bool   // report .prog lines (Parse) rather than op/file indices (Validate)
	env   map[string]Type
	errs  errorList
}

func newChecker(file string, parse bool) *checker {
	return &checker{file: file, parse: parse, env: make(map[string]Type)}
}

// opErr reports a problem with op, the i'th op of the program.
func (c *checker) opErr(i int, op *Op, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if c.parse {
		c.errs.add(c.file, op.Line, "%s: %s", op.Name(), msg)
	} else {
		c.errs.add("", 0, "op %d (%s): %s", i, op.Name(), msg)
	}
}

// checkOp checks op against the op table and the names bound by earlier
// ops, then binds op's result. partial (Parse only) says some arguments
// were dropped as malformed, so missing ones are not reported again.
func (c *checker) checkOp(i int, op *Op, partial bool) {
	d := op.Desc
	if d == nil || int(d.ID) >= len(Ops) || &Ops[d.ID] != d {
		c.opErr(i, op, "Desc is not an entry of prog.Ops")
		if isIdent(op.Result) {
			c.env[op.Result] = typeAny
		}
		return
	}
	seen := make([]bool, len(d.Args))
	last := -1
	for _, a := range op.Args {
		j := op.argIndex(a.Key)
		switch {
		case j == len(d.Args):
			c.opErr(i, op, "unknown argument %q", a.Key)
			continue
		case seen[j]:
			c.opErr(i, op, "duplicate argument %s", a.Key)
			continue
		case j < last:
			c.opErr(i, op, "argument %s out of op-table order", a.Key)
		}
		seen[j] = true
		last = j
		if msg := c.checkValue(d, &d.Args[j], a.Value); msg != "" {
			c.opErr(i, op, "%s: %s", a.Key, msg)
		}
	}
	if !partial {
		for j := range d.Args {
			if !seen[j] && !d.Args[j].Optional {
				c.opErr(i, op, "missing argument %s", d.Args[j].Key)
			}
		}
	}
	switch {
	case op.Result == "":
	case !isIdent(op.Result):
		c.opErr(i, op, "bad name %q: want [a-z_][a-z0-9_]*", op.Result)
	case d.Result == TypeNone:
		c.opErr(i, op, "returns nothing to bind to %q", op.Result)
		c.env[op.Result] = typeAny
	default:
		c.env[op.Result] = d.Result
	}
}

// checkValue checks one argument value and returns "" or what is wrong.
func (c *checker) checkValue(d *OpDesc, ad *ArgDesc, v string) string {
	if v == "" {
		return "empty value"
	}
	if strings.ContainsFunc(v, unicode.IsSpace) {
		return fmt.Sprintf("value %q contains white space", v)
	}
	switch ad.Kind {
	case KindFile:
		if c.p.File(v) == nil {
			return fmt.Sprintf("no file %q in the archive", v)
		}
	case KindRef:
		if ad.Type == TypeOverlay && isDecimal(v[0]) {
			if _, ok := parseNumber(v); !ok {
				return fmt.Sprintf("bad overlay id %q: want a decimal integer", v)
			}
			return ""
		}
		if !isIdent(v) {
			if ad.Type == TypeOverlay {
				return fmt.Sprintf("bad value %q: want a name of type overlay or an overlay id", v)
			}
			return fmt.Sprintf("bad value %q: want a name of type %s", v, ad.Type)
		}
		return c.checkName(v, ad.Type)
	case KindNode:
		if v[0] == '/' {
			if !isPath(v) {
				return fmt.Sprintf("bad node path %q", v)
			}
			return ""
		}
		if !isIdent(v) {
			return fmt.Sprintf("bad value %q: want an absolute node path or a name of type node", v)
		}
		return c.checkName(v, TypeNode)
	case KindInt:
		if _, ok := parseNumber(v); !ok {
			return fmt.Sprintf("bad number %q: want a decimal integer", v)
		}
	case KindEnum:
		if !enumOK(ad, v) {
			return fmt.Sprintf("bad value %q: want one of %s", v, strings.Join(ad.Values, ", "))
		}
	case KindSched:
		return checkSched(d, v)
	}
	return ""
}

// checkName checks that name is bound to a value of type want.
func (c *checker) checkName(name string, want Type) string {
	t, ok := c.env[name]
	switch {
	case !ok:
		return fmt.Sprintf("unbound name %q", name)
	case t != want && t != typeAny:
		return fmt.Sprintf("%q has type %s, want %s", name, t, want)
	}
	return ""
}

// checkSched checks a sched list "point[:N],…" against d.Sched.
func checkSched(d *OpDesc, v string) string {
	var seen []string
	for item := range strings.SplitSeq(v, ",") {
		point, count, hasCount := strings.Cut(item, ":")
		if !slices.Contains(d.Sched, point) {
			if len(d.Sched) == 0 {
				return fmt.Sprintf("unknown sched point %q: %s has none", point, d.Name)
			}
			return fmt.Sprintf("unknown sched point %q: want one of %s", point, strings.Join(d.Sched, ", "))
		}
		if slices.Contains(seen, point) {
			return fmt.Sprintf("duplicate sched point %q", point)
		}
		seen = append(seen, point)
		if hasCount {
			if n, ok := parseNumber(count); !ok || n < 1 {
				return fmt.Sprintf("bad count %q for sched point %q: want an integer >= 1", count, point)
			}
		}
	}
	return ""
}

// checkKernel checks a kernel profile string and returns "" or what is
// wrong. Profile names are sim/profile's business; here the string only
// has to survive printing.
func checkKernel(k string) string {
	switch {
	case k == "":
		return "kernel: missing profile"
	case strings.Contains(k, "#"):
		return fmt.Sprintf("kernel: profile %q contains '#'", k)
	case k[0] == '=':
		return fmt.Sprintf("kernel: profile %q starts with '='", k)
	case strings.Join(strings.Fields(k), " ") != k:
		return fmt.Sprintf("kernel: profile %q has extra white space", k)
	}
	return ""
}

// checkComments checks comment lines of a program built in memory.
func (c *checker) checkComments(where string, lines []string) {
	for _, l := range lines {
		switch {
		case !strings.HasPrefix(l, "#"):
			c.errs.add("", 0, "%s %q: does not start with '#'", where, l)
		case strings.ContainsRune(l, '\n') || strings.TrimSpace(l) != l:
			c.errs.add("", 0, "%s %q: has a newline or surrounding white space", where, l)
		}
	}
}

// checkFiles checks the archive files: names, uniqueness, data form and,
// through ValidateSource, their device-tree syntax.
func (c *checker) checkFiles() {
	first := make(map[string]int)
	for i := range c.p.Files {
		f := &c.p.Files[i]
		line, where := f.Line-1, ""
		if !c.parse {
			line, where = 0, fmt.Sprintf("file %d: ", i)
		}
		if j, dup := first[f.Name]; dup {
			if c.parse {
				c.errs.add(c.file, line, "duplicate file %q (first at line %d)", f.Name, c.p.Files[j].Line-1)
			} else {
				c.errs.add("", 0, "%sduplicate file %q (first is file %d)", where, f.Name, j)
			}
		} else {
			first[f.Name] = i
		}
		source, ok := fileKind(f.Name)
		if !ok {
			c.errs.add(c.file, line, "%sbad file name %q: want [A-Za-z0-9_][A-Za-z0-9_.,+-]* ending in %s",
				where, f.Name, suffixList())
		}
		if !c.parse {
			if !bytes.Equal(normalizeData(f.Data), f.Data) && len(f.Data) > 0 {
				c.errs.add("", 0, "%s%s: data must be empty or end in exactly one newline", where, f.Name)
			}
			if n := markerLine(f.Data); n > 0 {
				c.errs.add("", 0, "%s%s: line %d would read as a txtar file marker", where, f.Name, n)
			}
		}
		if IsBlob(f.Name) {
			if l, msg := checkBase64(f.Data); msg != "" {
				if c.parse {
					c.errs.add(c.file, f.Line+l-1, "%s: %s", f.Name, msg)
				} else {
					c.errs.add("", 0, "%s%s:%d: %s", where, f.Name, l, msg)
				}
			}
			continue
		}
		if !source || ValidateSource == nil {
			continue
		}
		l, col, msg, valid := ValidateSource(f.Name, f.Data)
		if valid {
			continue
		}
		l = max(l, 1)
		col = max(col, 0)
		if c.parse {
			c.errs = append(c.errs, &Error{File: c.file, Line: f.Line + l - 1, Col: col, Msg: msg})
		} else {
			c.errs.add("", 0, "%s%s:%d:%d: %s", where, f.Name, l, col, msg)
		}
	}
}

// fileKind reports whether name is a valid archive file name and whether
// it names a device-tree source.
func fileKind(name string) (source, ok bool) {
	if name == "" || !(isAlnum(name[0]) || name[0] == '_') {
		return false, false
	}
	for i := 0; i < len(name); i++ {
		if b := name[i]; !isAlnum(b) && !strings.ContainsRune("_.,+-", rune(b)) {
			return false, false
		}
	}
	for _, s := range fileSuffixes {
		if len(name) > len(s.suffix) && strings.HasSuffix(name, s.suffix) {
			return s.source, true
		}
	}
	return false, false
}

func suffixList() string {
	var s []string
	for _, x := range fileSuffixes {
		s = append(s, x.suffix)
	}
	return strings.Join(s, " or ")
}

// markerLine returns the 1-based number of the first line of data that
// txtar would read as a file marker ("-- name --"), or 0.
func markerLine(data []byte) int {
	for i, l := range bytes.Split(data, []byte("\n")) {
		l = bytes.TrimSuffix(l, []byte("\r"))
		if len(l) >= 6 && bytes.HasPrefix(l, []byte("-- ")) && bytes.HasSuffix(l, []byte(" --")) &&
			len(bytes.TrimSpace(l[3:len(l)-3])) > 0 {
			return i + 1
		}
	}
	return 0
}

// isIdent reports whether s matches [a-z_][a-z0-9_]*.
func isIdent(s string) bool {
	if s == "" || isDecimal(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; !(b >= 'a' && b <= 'z' || b == '_' || isDecimal(b)) {
			return false
		}
	}
	return true
}

// isPath reports whether s is an absolute device-tree node path: "/" or
// "/" followed by "/"-separated node names of [A-Za-z0-9,._+@-].
func isPath(s string) bool {
	if s == "/" {
		return true
	}
	if len(s) < 2 || s[0] != '/' {
		return false
	}
	for comp := range strings.SplitSeq(s[1:], "/") {
		if comp == "" {
			return false
		}
		for i := 0; i < len(comp); i++ {
			if b := comp[i]; !isAlnum(b) && !strings.ContainsRune(",._+@-", rune(b)) {
				return false
			}
		}
	}
	return true
}

// parseNumber parses a non-negative decimal integer that fits in an int32
// and has no leading zeros.
func parseNumber(s string) (int, bool) {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if !isDecimal(s[i]) {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 32)
	return int(n), err == nil
}

func isDecimal(b byte) bool { return b >= '0' && b <= '9' }

func isAlnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || isDecimal(b)
}
