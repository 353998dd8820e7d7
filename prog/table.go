package prog

import (
	"fmt"
	"strings"
)

var kindNames = [...]string{"file", "ref", "node", "int", "enum", "sched"}

// Usage renders one op as a synopsis line: "[name =] op key=KIND …",
// optional arguments in brackets.
func (d *OpDesc) Usage() string {
	var b strings.Builder
	if d.Result != TypeNone {
		fmt.Fprintf(&b, "%s = ", d.Result)
	}
	b.WriteString(d.Name)
	for _, a := range d.Args {
		v := strings.ToUpper(kindNames[a.Kind])
		switch a.Kind {
		case KindRef, KindNode:
			v = strings.ToUpper(a.Type.String())
			if a.Kind == KindNode {
				v = "/PATH|" + v
			}
			if a.Type == TypeOverlay {
				v += fmt.Sprintf("|%d..%d", a.Min, a.Max)
			}
		case KindInt:
			v = fmt.Sprintf("%d..%d", a.Min, a.Max)
		case KindEnum:
			v = strings.Join(a.Values, "|")
		case KindSched:
			v = strings.Join(d.Sched, "|") + "[:N],…"
		}
		arg := a.Key + "=" + v
		if a.Optional {
			arg = "[" + arg + "]"
		}
		b.WriteString(" " + arg)
	}
	return b.String()
}

// Table renders the op table for "dangle ops": every op's synopsis and
// what it models.
func Table() string {
	var b strings.Builder
	for i := range Ops {
		d := &Ops[i]
		fmt.Fprintf(&b, "%s\n    %s\n", d.Usage(), d.Doc)
	}
	return b.String()
}
