package prog

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
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

// fileSuffixes lists the archive file suffixes; source files are parsed
// with dt (see File.Tree), blob files (.dtb, .dtbo: flattened trees,
// stored base64-encoded because txtar is text) must decode.
var fileSuffixes = []struct {
	suffix string
	source bool
}{
	{".dts", true},
	{".dtso", true},
	{".dtb", false},
	{".dtbo", false},
}

// binding is what a name means while parsing: the op that bound it last
// (nil for a broken line's name, of type typeAny).
type binding struct {
	op  *Op
	typ Type
}

// checker holds the state of one Parse or Validate: the names bound so far
// (Parse), the ops defined so far (Validate) and the errors found.
type checker struct {
	p       *Program
	file    string // the .prog name in error positions (Parse only)
	parse   bool   // report .prog lines (Parse) rather than op/file indices (Validate)
	env     map[string]binding
	defined map[*Op]int
	errs    errorList
}

func newChecker(file string, parse bool) *checker {
	return &checker{file: file, parse: parse, env: make(map[string]binding), defined: make(map[*Op]int)}
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

// checkOp checks op, the i'th op, against the op table and the ops
// before it, then defines op's result. partial (Parse only) says some
// arguments were dropped as malformed, so missing ones are not reported
// again. Parse has converted and checked the values already; Validate
// checks them here.
func (c *checker) checkOp(i int, op *Op, partial bool) {
	d := op.Desc
	if d == nil || int(d.ID) >= len(Ops) || &Ops[d.ID] != d {
		c.opErr(i, op, "Desc is not an entry of prog.Ops")
		c.bind(i, op, typeAny)
		return
	}
	seen := make([]bool, len(d.Args))
	last := -1
	for j := range op.Args {
		a := &op.Args[j]
		k := op.argIndex(a.Key)
		switch {
		case k == len(d.Args):
			c.opErr(i, op, "unknown argument %q", a.Key)
			continue
		case seen[k]:
			c.opErr(i, op, "duplicate argument %s", a.Key)
			continue
		case k < last:
			c.opErr(i, op, "argument %s out of op-table order", a.Key)
		}
		seen[k] = true
		last = k
		if c.parse {
			continue
		}
		if msg := c.checkArg(i, d, &d.Args[k], a); msg != "" {
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
	case op.Label == "":
		c.bind(i, op, d.Result)
	case !isIdent(op.Label):
		c.opErr(i, op, "bad name %q: want [a-z_][a-z0-9_]*", op.Label)
		c.bind(i, op, d.Result)
	case d.Result == TypeNone:
		c.opErr(i, op, "returns nothing to bind to %q", op.Label)
		c.bind(i, op, typeAny)
	default:
		c.bind(i, op, d.Result)
	}
}

// bind defines op's result for the ops after it: by pointer, and by its
// label while parsing.
func (c *checker) bind(i int, op *Op, t Type) {
	c.defined[op] = i
	if isIdent(op.Label) {
		c.env[op.Label] = binding{op: op, typ: t}
	}
}

// checkArg checks one typed argument of op i (Validate) and returns "" or
// what is wrong.
func (c *checker) checkArg(i int, d *OpDesc, ad *ArgDesc, a *Arg) string {
	// stray reports value fields the kind does not use: printing would
	// drop them, so Parse(Print(p)) would differ from p.
	stray := func(ref, n, path, file, sched bool) string {
		var s []string
		if !ref && a.Ref != nil {
			s = append(s, "Ref")
		}
		if !n && a.Int != 0 {
			s = append(s, "Int")
		}
		if !path && a.Path != "" {
			s = append(s, "Path")
		}
		if !file && a.File != "" {
			s = append(s, "File")
		}
		if !sched && a.Sched != nil {
			s = append(s, "Sched")
		}
		if len(s) > 0 {
			return fmt.Sprintf("%s set on a %s argument", strings.Join(s, ", "), kindNames[ad.Kind])
		}
		return ""
	}
	switch ad.Kind {
	case KindFile:
		if msg := stray(false, false, false, true, false); msg != "" {
			return msg
		}
		return c.checkFileName(a.File)
	case KindRef, KindNode:
		if a.Ref != nil {
			if msg := stray(true, false, false, false, false); msg != "" {
				return msg
			}
			return c.checkLink(i, a.Ref, ad.Type)
		}
		switch {
		case ad.Kind == KindNode:
			if msg := stray(false, false, true, false, false); msg != "" {
				return msg
			}
			if !IsPath(a.Path) {
				return fmt.Sprintf("bad node path %q", a.Path)
			}
		case ad.Type == TypeOverlay:
			if msg := stray(false, true, false, false, false); msg != "" {
				return msg
			}
			return checkRange("overlay id", ad, a.Int)
		default:
			return fmt.Sprintf("no link to an op of type %s", ad.Type)
		}
	case KindInt:
		if msg := stray(false, true, false, false, false); msg != "" {
			return msg
		}
		return checkRange("value", ad, a.Int)
	case KindEnum:
		if msg := stray(false, true, false, false, false); msg != "" {
			return msg
		}
		if a.Int < 0 || a.Int >= len(ad.Values) {
			return fmt.Sprintf("enum index %d out of range 0..%d", a.Int, len(ad.Values)-1)
		}
	case KindSched:
		if msg := stray(false, false, false, false, true); msg != "" {
			return msg
		}
		if len(a.Sched) == 0 {
			return "empty sched list"
		}
		seen := make([]bool, len(d.Sched))
		for _, it := range a.Sched {
			switch {
			case it.Point < 0 || it.Point >= len(d.Sched):
				return fmt.Sprintf("sched point %d out of range (%s has %d)", it.Point, d.Name, len(d.Sched))
			case seen[it.Point]:
				return fmt.Sprintf("duplicate sched point %q", d.Sched[it.Point])
			case it.Count < 0:
				return fmt.Sprintf("negative count %d for sched point %q", it.Count, d.Sched[it.Point])
			}
			seen[it.Point] = true
		}
	}
	return ""
}

// checkLink checks that r, linked from op i, is an earlier op of the
// program whose result has type want.
func (c *checker) checkLink(i int, r *Op, want Type) string {
	j, ok := c.defined[r]
	switch {
	case !ok || j >= i:
		if k := c.p.Index(r); k >= 0 {
			return fmt.Sprintf("links to op %d, which is not before it", k)
		}
		return "links to an op that is not in the program"
	case r.Result() != want:
		return fmt.Sprintf("links to op %d (%s), of type %s, want %s", j, r.Name(), r.Result(), want)
	}
	return ""
}

// checkFileName checks that a KindFile value names an archive file.
func (c *checker) checkFileName(name string) string {
	if c.p.File(name) == nil {
		return fmt.Sprintf("no file %q in the archive", name)
	}
	return ""
}

// checkRange checks an int against the argument's [Min, Max].
func checkRange(what string, ad *ArgDesc, n int) string {
	if n < ad.Min || n > ad.Max {
		return fmt.Sprintf("%s %d out of range %d..%d", what, n, ad.Min, ad.Max)
	}
	return ""
}

// parseSched parses a sched list "point[:N],…" against d.Sched, returning
// the items or what is wrong.
func parseSched(d *OpDesc, v string) ([]SchedItem, string) {
	var items []SchedItem
	for item := range strings.SplitSeq(v, ",") {
		point, count, hasCount := strings.Cut(item, ":")
		pi := slices.Index(d.Sched, point)
		if pi < 0 {
			if len(d.Sched) == 0 {
				return nil, fmt.Sprintf("unknown sched point %q: %s has none", point, d.Name)
			}
			return nil, fmt.Sprintf("unknown sched point %q: want one of %s", point, strings.Join(d.Sched, ", "))
		}
		if slices.ContainsFunc(items, func(it SchedItem) bool { return it.Point == pi }) {
			return nil, fmt.Sprintf("duplicate sched point %q", point)
		}
		it := SchedItem{Point: pi}
		if hasCount {
			n, ok := parseNumber(count)
			if !ok || n < 1 {
				return nil, fmt.Sprintf("bad count %q for sched point %q: want an integer >= 1", count, point)
			}
			it.Count = n
		}
		items = append(items, it)
	}
	return items, ""
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

// checkFiles checks the archive files: names, uniqueness, data form and
// their device-tree syntax (File.Tree: the compiled tree is kept for the
// simulator, so a source is parsed once per program).
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
		if !source || len(f.Data) == 0 {
			// An empty source is an archive entry still to be
			// written; the simulator rejects it if it loads it.
			continue
		}
		de := f.syntaxError()
		if de == nil {
			continue
		}
		l, col := max(de.Line, 1), max(de.Col, 0)
		if c.parse {
			// "x.dtso: msg", as the simulator's compile errors name the file
			c.errs = append(c.errs, &Error{File: c.file, Line: f.Line + l - 1, Col: col, Msg: f.Name + ": " + de.Msg})
		} else {
			c.errs.add("", 0, "%s%s:%d:%d: %s", where, f.Name, l, col, de.Msg)
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

// IsPath reports whether s is an absolute device-tree node path as a
// program writes it: "/" or "/" followed by "/"-separated node names of
// [A-Za-z0-9,._+@-].
func IsPath(s string) bool {
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
