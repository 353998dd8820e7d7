package drivers

import (
	"sort"

	"dangle/sim/core"
)

// catalog is filled by the init() of each model's file and read-only
// afterwards, like a table.
var catalog []*core.Driver

func register(d *core.Driver) { catalog = append(catalog, d) }

// Catalog returns every driver model, sorted by driver name (the order
// they are registered in at boot).
func Catalog() []*core.Driver {
	out := append([]*core.Driver(nil), catalog...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Compatibles returns every compatible of the catalog, sorted.
func Compatibles() []string {
	var out []string
	for _, d := range catalog {
		out = append(out, d.OfMatch...)
	}
	sort.Strings(out)
	return out
}
