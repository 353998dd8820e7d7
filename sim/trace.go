package sim

import (
	"fmt"
	"strings"

	"dangle/sim/of"
	"dangle/sim/report"
)

// TraceReport renders the -trace output: the refcount table of every
// device_node (min, max and final count, with the holders of what
// remains), then the lifetime timeline of every object that was got, put
// or freed during the run. Rows are sorted by name, then id.
func (k *Kernel) TraceReport() string {
	var b strings.Builder
	b.WriteString("refcounts (device_node): min max final  node\n")
	for _, o := range k.Reg.SortedByName("device_node") {
		min, max := o.MinMax()
		state := fmt.Sprintf("%5d", o.Ref())
		if o.Freed() {
			state = "freed"
		}
		fmt.Fprintf(&b, "  %3d %3d %s  %s\n", min, max, state, o.Name)
		if o.Freed() {
			continue
		}
		for _, h := range o.Holds() {
			fmt.Fprintf(&b, "        held by %s\n", of.FormatHold(h))
		}
	}
	b.WriteString("\ntimeline:\n")
	for _, o := range k.Reg.Objects() {
		ev := o.Events()
		moved := false
		for _, e := range ev {
			if e.Op != 0 || e.What == "free" {
				moved = true
				break
			}
		}
		if !moved {
			continue
		}
		fmt.Fprintf(&b, "  %s %s\n", o.Type, o.Name)
		for _, e := range ev {
			where := report.OpName(e.Op)
			who := ""
			if e.Holder != "" {
				who = " by " + e.Holder
			}
			fmt.Fprintf(&b, "    %-8s %-6s %s%s -> %d\n", where, e.What, e.Func, who, e.After)
		}
	}
	return b.String()
}
