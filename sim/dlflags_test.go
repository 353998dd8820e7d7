package sim

import (
	"strings"
	"testing"

	"dangle/prog"
)

// TestDeviceLinkFlagsAllKnown: every flag name of every flags= value the
// op table accepts (prog.DeviceLinkFlags) has a DL_FLAG_* value here, so
// parseDLFlags never reads a name as 0 (issue 9 item 7). Programs can
// only name table values (the parser checks the enum), so this covers
// every value a run can see.
func TestDeviceLinkFlagsAllKnown(t *testing.T) {
	for _, v := range prog.DeviceLinkFlags {
		for _, name := range strings.Split(v, "|") {
			if _, ok := dlFlags[name]; !ok {
				t.Errorf("flags=%s: %q has no DL_FLAG_* value in dlFlags", v, name)
			}
		}
		if v != "0" && parseDLFlags(v) == 0 {
			t.Errorf("flags=%s parses as 0", v)
		}
	}
}
