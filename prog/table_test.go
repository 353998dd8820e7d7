package prog

import (
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	tab := Table()
	for _, want := range []string{
		"overlay = of_overlay_fdt_apply blob=FILE\n",
		"of_overlay_remove ov=OVERLAY [sched=after-revert-notify[:N],…]\n",
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
