package dt

// Parse parses device-tree source in dtc's syntax (without the C
// preprocessor). It accepts what dtc 1.6.1's grammar accepts; checks that
// need the whole tree (undefined labels, duplicate names, …) are left to
// Compile. Errors are *Error values carrying filename:line:col.
func Parse(filename string, src []byte) (f *File, err error) {
	p := &parser{lx: newLexer(filename, src), file: filename}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			f, err = nil, b.err
		}
	}()
	p.advance()
	return p.parseFile(), nil
}

// maxDepth bounds the nesting of nodes and expressions, so that hostile
// input cannot exhaust the stack. dtc's bison parser has a similar limit.
const maxDepth = 1000

// bailout carries a syntax error up to Parse: the grammar is easier to
// read without an error check after every token.
type bailout struct{ err *Error }

type parser struct {
	lx      *lexer
	file    string
	tok     token    // the lookahead token
	pending []string // comments passed over and not yet attached
	depth   int
}

func (p *parser) fail(pos Pos, format string, args ...any) {
	panic(bailout{errorf(p.file, pos, format, args...)})
}

// advance consumes the lookahead token. Comments before it that no item
// claimed (comments inside a value, say) wait for the next item.
func (p *parser) advance() {
	for _, c := range p.tok.comments {
		p.pending = append(p.pending, c.text)
	}
	tok, err := p.lx.next()
	if err != nil {
		panic(bailout{err})
	}
	p.tok = tok
}

// leading claims the comments before the lookahead token.
func (p *parser) leading() []string {
	out := p.pending
	for _, c := range p.tok.comments {
		out = append(out, c.text)
	}
	p.pending, p.tok.comments = nil, nil
	return out
}

// trailing claims a comment that starts on line, the line where the item
// just consumed ended.
func (p *parser) trailing(line int) string {
	if len(p.tok.comments) > 0 && p.tok.comments[0].pos.Line == line {
		t := p.tok.comments[0].text
		p.tok.comments = p.tok.comments[1:]
		return t
	}
	return ""
}

func (p *parser) isOp(s string) bool { return p.tok.kind == tOp && p.tok.text == s }

// found describes the lookahead token for an error message.
func (p *parser) found() string { return p.tok.String() }

// failIdent reports an identifier where a value belongs: most likely a
// macro that cpp would have expanded.
func (p *parser) failIdent() {
	if p.tok.kind == tIdent {
		p.fail(p.tok.pos, "unexpected identifier %q in a value (macros need the C preprocessor, which dt does not run)", p.tok.text)
	}
}

// expectOp consumes the punctuation s and returns its token.
func (p *parser) expectOp(s, context string) token {
	if !p.isOp(s) {
		p.fail(p.tok.pos, "expected '%s'%s, found %s", s, context, p.found())
	}
	t := p.tok
	p.advance()
	return t
}

// endItem consumes the ';' that ends an item and returns a trailing
// comment on the same line.
func (p *parser) endItem(context string) string {
	semi := p.expectOp(";", context)
	return p.trailing(semi.pos.Line)
}

func (p *parser) enter(pos Pos) {
	p.depth++
	if p.depth > maxDepth {
		p.fail(pos, "nesting deeper than %d levels", maxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) parseFile() *File {
	f := &File{Name: p.file}
	if p.tok.kind != tV1 {
		p.fail(p.tok.pos, "expected /dts-v1/; at the start of the file, found %s", p.tok)
	}
	for first := true; p.tok.kind == tV1; first = false {
		pos := p.tok.pos
		f.Header.Leading = append(f.Header.Leading, p.leading()...)
		p.advance()
		p.attachTrailing(&f.Header, p.endItem(" after /dts-v1/"))
		plugin := false
		if p.tok.kind == tPlugin {
			plugin = true
			f.PluginHeader.Leading = append(f.PluginHeader.Leading, p.leading()...)
			p.advance()
			p.attachTrailing(&f.PluginHeader, p.endItem(" after /plugin/"))
		}
		if first {
			f.Plugin = plugin
		} else if plugin != f.Plugin {
			p.fail(pos, "header flags don't match earlier ones")
		}
	}
	for p.tok.kind == tMemreserve || p.tok.kind == tLabel {
		f.MemReserves = append(f.MemReserves, p.parseMemReserve())
	}
	for p.tok.kind != tEOF || len(f.Nodes) == 0 {
		f.Nodes = append(f.Nodes, p.parseTopLevel(len(f.Nodes) == 0))
	}
	f.EndComments = p.leading()
	return f
}

func (p *parser) attachTrailing(c *Comments, t string) {
	if t == "" {
		return
	}
	if c.Trailing == "" {
		c.Trailing = t
	} else {
		p.pending = append(p.pending, t)
	}
}

func (p *parser) parseMemReserve() *MemReserveDef {
	m := &MemReserveDef{Pos: p.tok.pos}
	m.Leading = p.leading()
	for p.tok.kind == tLabel {
		m.Labels = append(m.Labels, p.tok.text)
		p.advance()
	}
	if p.tok.kind != tMemreserve {
		p.fail(p.tok.pos, "expected /memreserve/ after label, found %s", p.found())
	}
	p.advance()
	m.Address = p.parsePrim()
	m.Size = p.parsePrim()
	m.Trailing = p.endItem(" after /memreserve/ entry")
	return m
}

// parseTopLevel parses one statement of dtc's "devicetree" rule.
func (p *parser) parseTopLevel(first bool) *NodeDef {
	n := &NodeDef{Pos: p.tok.pos}
	n.Leading = p.leading()
	switch {
	case p.isOp("/"):
		p.advance()
		n.Name = "/"
		p.parseBody(n)
		return n
	case p.tok.kind == tLabelRef || p.tok.kind == tPathRef:
		n.Ref = p.parseRef()
		p.parseBody(n)
		return n
	case first:
		if p.tok.kind == tMemreserve {
			p.fail(p.tok.pos, "/memreserve/ must come before the tree")
		}
		p.fail(p.tok.pos, "expected the root node '/ {' or a '&reference {' block, found %s", p.found())
	case p.tok.kind == tLabel:
		n.Labels = []string{p.tok.text}
		p.advance()
		if p.tok.kind != tLabelRef && p.tok.kind != tPathRef {
			p.fail(p.tok.pos, "expected a reference after top-level label, found %s", p.found())
		}
		n.Ref = p.parseRef()
		p.parseBody(n)
		return n
	case p.tok.kind == tDelNode || p.tok.kind == tOmitNoRef:
		n.Delete = p.tok.kind == tDelNode
		n.OmitIfNoRef = !n.Delete
		what := p.tok.String()
		p.advance()
		if p.tok.kind != tLabelRef && p.tok.kind != tPathRef {
			p.fail(p.tok.pos, "expected a reference after %s at top level, found %s", what, p.found())
		}
		n.Ref = p.parseRef()
		n.Trailing = p.endItem(" after " + what + " statement")
		return n
	case p.tok.kind == tMemreserve:
		p.fail(p.tok.pos, "/memreserve/ must come before the tree")
	}
	p.fail(p.tok.pos, "expected a node block or statement, found %s", p.found())
	return nil
}

func (p *parser) parseRef() Ref {
	r := Ref(p.tok.text)
	p.advance()
	return r
}

// parseBody parses "{ props children };" into n.
func (p *parser) parseBody(n *NodeDef) {
	open := p.tok.pos
	p.enter(open)
	defer p.leave()
	p.expectOp("{", " to open the node body")
	for !p.isOp("}") {
		if p.tok.kind == tEOF {
			p.fail(p.tok.pos, "unexpected end of file: '{' at %d:%d is not closed", open.Line, open.Col)
		}
		p.parseBodyItem(n)
	}
	n.EndComments = p.leading()
	p.advance()
	n.Trailing = p.endItem(" after '}'")
}

// parseBodyItem parses a property or a child node (dtc's propdef and
// subnode rules) and appends it to n.
func (p *parser) parseBodyItem(n *NodeDef) {
	pos := p.tok.pos
	lead := p.leading()
	var labels []string
	omit := false
	for p.tok.kind == tLabel || p.tok.kind == tOmitNoRef {
		if p.tok.kind == tLabel {
			labels = append(labels, p.tok.text)
		} else {
			omit = true
		}
		p.advance()
	}
	switch p.tok.kind {
	case tName:
		name := p.tok.text
		p.advance()
		if p.isOp("{") {
			c := &NodeDef{Pos: pos, Labels: labels, Name: name, OmitIfNoRef: omit}
			c.Leading = lead
			p.parseBody(c)
			n.Children = append(n.Children, c)
			return
		}
		if omit {
			p.fail(p.tok.pos, "expected '{' after /omit-if-no-ref/ node name, found %s", p.found())
		}
		if !p.isOp("=") && !p.isOp(";") {
			p.fail(p.tok.pos, "expected '=', ';' or '{' after %q, found %s", name, p.found())
		}
		pd := &PropDef{Pos: pos, Labels: labels, Name: name}
		pd.Leading = lead
		if p.isOp("=") {
			p.advance()
			pd.Values = p.parseValues()
		}
		pd.Trailing = p.endItem(" after property")
		p.addProp(n, pd)
	case tDelProp:
		if omit {
			p.fail(p.tok.pos, "/omit-if-no-ref/ applies to nodes, not /delete-property/")
		}
		p.advance()
		name := p.expectName("/delete-property/")
		pd := &PropDef{Pos: pos, Labels: labels, Name: name, Delete: true}
		pd.Leading = lead
		pd.Trailing = p.endItem(" after /delete-property/")
		p.addProp(n, pd)
	case tDelNode:
		p.advance()
		name := p.expectName("/delete-node/")
		c := &NodeDef{Pos: pos, Labels: labels, Name: name, Delete: true, OmitIfNoRef: omit}
		c.Leading = lead
		c.Trailing = p.endItem(" after /delete-node/")
		n.Children = append(n.Children, c)
	default:
		if p.tok.kind == tLabelRef || p.tok.kind == tPathRef {
			p.fail(p.tok.pos, "a reference cannot name a node inside a node body (only at the top level)")
		}
		p.fail(p.tok.pos, "expected a property or node, found %s", p.found())
	}
}

func (p *parser) addProp(n *NodeDef, pd *PropDef) {
	if len(n.Children) > 0 {
		p.fail(pd.Pos, "properties must precede subnodes")
	}
	n.Props = append(n.Props, pd)
}

func (p *parser) expectName(after string) string {
	if p.tok.kind != tName {
		p.fail(p.tok.pos, "expected a name after %s, found %s", after, p.found())
	}
	name := p.tok.text
	p.advance()
	return name
}

// parseValues parses dtc's propdata: parts separated by commas, with
// labels allowed before and after each part.
func (p *parser) parseValues() []*Value {
	var vs []*Value
	for {
		vs = p.parseLabels(vs)
		vs = append(vs, p.parseValue())
		vs = p.parseLabels(vs)
		if !p.isOp(",") {
			return vs
		}
		p.advance()
	}
}

func (p *parser) parseLabels(vs []*Value) []*Value {
	for p.tok.kind == tLabel {
		vs = append(vs, &Value{Pos: p.tok.pos, Kind: LabelValue, Label: p.tok.text})
		p.advance()
	}
	return vs
}

func (p *parser) parseValue() *Value {
	v := &Value{Pos: p.tok.pos}
	switch {
	case p.tok.kind == tString:
		v.Kind, v.Str = StringValue, p.tok.text
		p.advance()
	case p.tok.kind == tLabelRef || p.tok.kind == tPathRef:
		v.Kind, v.Ref = RefValue, p.parseRef()
	case p.tok.kind == tBits || p.isOp("<"):
		p.parseCells(v)
	case p.isOp("["):
		p.parseBytes(v)
	default:
		p.failIdent()
		p.fail(p.tok.pos, "expected a property value (\"string\", <cells>, [bytes] or &reference), found %s", p.found())
	}
	return v
}

func (p *parser) parseCells(v *Value) {
	v.Kind = CellsValue
	if p.tok.kind == tBits {
		p.advance()
		if p.tok.kind != tLiteral {
			p.fail(p.tok.pos, "expected a bit width after /bits/, found %s", p.found())
		}
		switch p.tok.val {
		case 8, 16, 32, 64:
			v.Bits = int(p.tok.val)
		default:
			p.fail(p.tok.pos, "array elements must be 8, 16, 32 or 64-bits")
		}
		p.advance()
		p.expectOp("<", " after /bits/ width")
	} else {
		p.advance()
	}
	for !p.isOp(">") {
		c := &Cell{Pos: p.tok.pos}
		switch p.tok.kind {
		case tLabel:
			c.Label = p.tok.text
			p.advance()
		case tLabelRef, tPathRef:
			c.Ref = p.parseRef()
		case tLiteral, tCharLit:
			c.Expr = p.parsePrim()
		default:
			if p.isOp("(") {
				c.Expr = p.parsePrim()
				break
			}
			if p.isOp("-") || p.isOp("~") || p.isOp("!") {
				p.fail(p.tok.pos, "bad cell: an expression with %q must be in parentheses", p.tok.text)
			}
			p.failIdent()
			if p.tok.kind == tEOF || p.isOp(";") {
				p.fail(p.tok.pos, "unterminated cell array: expected '>', found %s", p.found())
			}
			p.fail(p.tok.pos, "bad cell: expected a number, (expression), &reference or '>', found %s", p.found())
		}
		v.Cells = append(v.Cells, c)
	}
	p.advance()
}

func (p *parser) parseBytes(v *Value) {
	v.Kind = BytesValue
	v.Bytes = []byte{} // distinguishes "[]" from a missing value
	p.advance()
	for !p.isOp("]") {
		switch p.tok.kind {
		case tByte:
			v.Bytes = append(v.Bytes, byte(p.tok.val))
		case tLabel:
			v.ByteLabels = append(v.ByteLabels, ByteLabel{At: len(v.Bytes), Name: p.tok.text})
		default:
			p.fail(p.tok.pos, "bad byte string: expected pairs of hex digits or ']', found %s", p.found())
		}
		p.advance()
	}
	p.advance()
}

// parsePrim parses dtc's integer_prim: a literal, a character literal or
// a parenthesised expression.
func (p *parser) parsePrim() *Expr {
	e := &Expr{Pos: p.tok.pos}
	switch {
	case p.tok.kind == tLiteral || p.tok.kind == tCharLit:
		e.Lit = p.tok.text
		p.advance()
	case p.isOp("("):
		p.enter(e.Pos)
		defer p.leave()
		p.advance()
		e.Op = "()"
		e.X = p.parseExpr()
		p.expectOp(")", " to close the expression")
	default:
		p.fail(p.tok.pos, "expected a number or (expression), found %s", p.found())
	}
	return e
}

func (p *parser) parseExpr() *Expr {
	x := p.parseBinary(0)
	if !p.isOp("?") {
		return x
	}
	e := &Expr{Pos: p.tok.pos, Op: "?:", X: x}
	p.enter(e.Pos)
	defer p.leave()
	p.advance()
	e.Y = p.parseExpr()
	p.expectOp(":", " in ?: expression")
	e.Z = p.parseExpr()
	return e
}

// binaryLevels lists the binary operators from the loosest binding to
// the tightest, as in dtc's grammar (all left-associative).
var binaryLevels = [][]string{
	{"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="},
	{"<", ">", "<=", ">="}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"},
}

func (p *parser) parseBinary(level int) *Expr {
	if level == len(binaryLevels) {
		return p.parseUnary()
	}
	x := p.parseBinary(level + 1)
	for {
		op := p.binaryOp(level)
		if op == "" {
			return x
		}
		pos := p.tok.pos
		p.advance()
		x = &Expr{Pos: pos, Op: op, X: x, Y: p.parseBinary(level + 1)}
	}
}

func (p *parser) binaryOp(level int) string {
	if p.tok.kind != tOp {
		return ""
	}
	for _, op := range binaryLevels[level] {
		if p.tok.text == op {
			return op
		}
	}
	return ""
}

func (p *parser) parseUnary() *Expr {
	if p.isOp("-") || p.isOp("~") || p.isOp("!") {
		e := &Expr{Pos: p.tok.pos, Op: p.tok.text}
		p.enter(e.Pos)
		defer p.leave()
		p.advance()
		e.X = p.parseUnary()
		return e
	}
	return p.parsePrim()
}
