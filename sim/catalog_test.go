package sim

import (
	"slices"
	"testing"

	"dangle/prog"
	"dangle/sim/drivers"
)

// TestDriverCompatibles: the op table's driver= values are exactly the
// catalog's compatibles.
func TestDriverCompatibles(t *testing.T) {
	if got, want := prog.DriverCompatibles, drivers.Compatibles(); !slices.Equal(got, want) {
		t.Errorf("prog.DriverCompatibles = %q,\ncatalog has %q", got, want)
	}
}
