package prog

import (
	"fmt"
	"slices"
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
			if isFlagSet(&a) {
				// "|" inside a value joins flags: list them below
				v = strings.ToUpper(a.Key)
			}
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
		for _, a := range d.Args {
			if isFlagSet(&a) {
				fmt.Fprintf(&b, "    %s: one of %s (flags joined by '|', in any order)\n",
					strings.ToUpper(a.Key), strings.Join(a.Values, ", "))
			}
		}
	}
	return b.String()
}

// isFlagSet reports whether an enum argument's values are flag sets
// ("A|B"): such a value is accepted with its flags in any order.
func isFlagSet(a *ArgDesc) bool {
	if a.Kind != KindEnum {
		return false
	}
	for _, v := range a.Values {
		if strings.Contains(v, "|") {
			return true
		}
	}
	return false
}

// enumIndex returns the index of v among a's values, or -1; a flag set
// matches in any order of its flags (and is stored, so printed, in the
// table's order).
func enumIndex(a *ArgDesc, v string) int {
	if i := slices.Index(a.Values, v); i >= 0 || !isFlagSet(a) {
		return i
	}
	set := strings.Split(v, "|")
	slices.Sort(set)
	for i, w := range a.Values {
		ws := strings.Split(w, "|")
		slices.Sort(ws)
		if slices.Equal(set, ws) {
			return i
		}
	}
	return -1
}
