package sim

import (
	"fmt"
	"strings"
)

// bigProgramText returns a program of about size bytes (issue 14 item 8:
// "a 50 MB program"): one overlay that adds groups of 256 nodes under
// &bus, each node with a reg, a string and a 256-byte array (about 1 KB
// of source per node), applied and removed.
func bigProgramText(size int) []byte {
	var s strings.Builder
	s.Grow(size + 4096)
	s.WriteString("dangle program v1\nov = of_overlay_fdt_apply blob=big.dtso\nof_overlay_remove ov=ov\n-- big.dtso --\n/dts-v1/;\n/plugin/;\n&bus {\n")
	var data strings.Builder
	for i := 0; i < 256; i++ {
		fmt.Fprintf(&data, " %02x", i)
	}
	n := 0
	for g := 0; s.Len() < size; g++ {
		fmt.Fprintf(&s, "\tg%d {\n\t\t#address-cells = <1>;\n\t\t#size-cells = <0>;\n", g)
		for i := 0; i < 256 && s.Len() < size; i++ {
			fmt.Fprintf(&s, "\t\td%d@%x {\n\t\t\treg = <%#x>;\n\t\t\tlabel = \"node %d of group %d\";\n\t\t\tdata = [%s ];\n\t\t};\n", i, i, i, n, g, data.String())
			n++
		}
		s.WriteString("\t};\n")
	}
	s.WriteString("};\n")
	return []byte(s.String())
}
