package deepcopy

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Stats describes what copying root copies, by element type: blocks,
// elements and bytes, largest first (to tune what is shared).
func (c *Copier) Stats(root any) string {
	r := c.discoverAll(reflect.ValueOf(root))
	type agg struct {
		t         string
		n, el, by uintptr
	}
	m := map[string]*agg{}
	var total agg
	slotsN := 0
	for _, b := range r.blocks {
		slotsN += int(b.n) * len(b.p.slots)
		t := b.p.typ.String()
		if m[t] == nil {
			m[t] = &agg{t: t}
		}
		a := m[t]
		a.n++
		a.el += b.n
		a.by += b.n * b.p.size
		total.n++
		total.by += b.n * b.p.size
	}
	var out []*agg
	for _, a := range m {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].by != out[j].by {
			return out[i].by > out[j].by
		}
		return out[i].t < out[j].t
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%d blocks, %d bytes, %d slots, %d maps, %d memo entries\n", total.n, total.by, slotsN, len(r.maps), r.memo.n)
	for _, a := range out {
		fmt.Fprintf(&b, "%8d B %5d blocks %6d elems  %s\n", a.by, a.n, a.el, a.t)
	}
	return b.String()
}
