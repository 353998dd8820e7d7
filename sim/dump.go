package sim

import (
	"fmt"
	"strings"

	"dangle/sim/of"
)

// DumpTree returns the canonical encoding of the live tree: one line per
// node in for_each_of_allnodes() order with its flags, phandle and
// refcount, then its properties and deadprops in list order. Two kernels
// whose trees dump alike are indistinguishable to every OF-layer
// operation; the exhaustive search will hash this (with the rest of the
// state) to skip states already seen.
func (k *Kernel) DumpTree() string {
	var b strings.Builder
	k.OF.AllNodes(func(n *of.Node) bool {
		fmt.Fprintf(&b, "%s flags=%s phandle=%d ref=%d\n", n.DisplayPath(), n.Flags, n.Phandle, n.Obj().Ref())
		for _, p := range n.Props {
			fmt.Fprintf(&b, "  %s = %s\n", p.Name, valueString(p))
		}
		for _, p := range n.Deadprops {
			fmt.Fprintf(&b, "  dead %s = %s\n", p.Name, valueString(p))
		}
		return true
	})
	return b.String()
}

// valueString renders a property value: a string if it is one, else hex.
func valueString(p *of.Property) string {
	if s, ok := p.String(); ok && printable(s) {
		return fmt.Sprintf("%q", s)
	}
	if len(p.Value) == 0 {
		return "<empty>"
	}
	return fmt.Sprintf("[%x]", p.Value)
}

func printable(s string) bool {
	for _, c := range s {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
