package prog

import (
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	tab := Table()
	for _, want := range []string{
		"overlay = of_overlay_fdt_apply blob=FILE [fail_nth=1..128]\n",
		"of_overlay_remove ov=OVERLAY|0..64 [sched=after-revert-notify[:N],…] [fail_nth=1..128]\n",
		"run_work [wq=device_link_wq|events] [item=1..8] [fail_nth=1..128]\n",
		"node = of_node_get node=/PATH|NODE\n",
	} {
		if !strings.Contains(tab, want) {
			t.Errorf("op table lacks %q:\n%s", want, tab)
		}
	}
	for i := range Ops {
		if Ops[i].Doc == "" {
			t.Errorf("op %s has no doc", Ops[i].Name)
		}
	}
}

// TestArgRanges: every int (and literal overlay id) has a declared,
// non-empty range, so a decoder never picks from the whole int range;
// every enum has values and every sched list an op with sched points.
func TestArgRanges(t *testing.T) {
	for i := range Ops {
		d := &Ops[i]
		for _, a := range d.Args {
			ranged := a.Kind == KindInt || a.Kind == KindRef && a.Type == TypeOverlay
			switch {
			case ranged && (a.Max <= 0 || a.Min < 0 || a.Min > a.Max):
				t.Errorf("%s %s: bad range %d..%d", d.Name, a.Key, a.Min, a.Max)
			case !ranged && (a.Min != 0 || a.Max != 0):
				t.Errorf("%s %s: range on a %s argument", d.Name, a.Key, kindNames[a.Kind])
			case a.Kind == KindEnum && len(a.Values) == 0:
				t.Errorf("%s %s: enum without values", d.Name, a.Key)
			case a.Kind == KindSched && len(d.Sched) == 0:
				t.Errorf("%s %s: sched list on an op without sched points", d.Name, a.Key)
			case (a.Kind == KindRef || a.Kind == KindNode) && a.Type == TypeNone:
				t.Errorf("%s %s: link without a type", d.Name, a.Key)
			}
		}
	}
}
