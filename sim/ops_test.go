package sim

import (
	"testing"

	"dangle/prog"
)

// TestHandlersMatchOpTable: the op table is the single source of truth, so
// every op has a handler and every handler an op.
func TestHandlersMatchOpTable(t *testing.T) {
	for _, d := range prog.Ops {
		if handlers[d.Name] == nil {
			t.Errorf("op %s has no handler in sim", d.Name)
		}
	}
	for name := range handlers {
		if prog.Lookup(name) == nil {
			t.Errorf("handler %s has no op in prog.Ops", name)
		}
	}
}
