package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"dangle/sim/drivers"
)

// driversTable renders the driver catalog for "dangle drivers": each
// model's compatibles, bus, driver name and what it does. A node whose
// compatible is not listed gets a device no driver binds, as in a kernel
// without the driver.
func driversTable() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "compatible\tbus\tdriver\twhat the model does")
	for _, d := range drivers.Catalog() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", strings.Join(d.OfMatch, " "), d.Bus, d.Name, d.Doc)
	}
	tw.Flush()
	b.WriteString("\nA node whose compatible is not listed gets a device that no driver binds.\n")
	return b.String()
}
