package gpio

import (
	"fmt"
	"sort"
	"strings"
)

// EncodeState writes GPIO's part of the canonical state
// (sim.Kernel.Encode): each gpio_device in gpio_devices order with its
// chip (or "numbed" after gpiochip_remove), every requested descriptor
// with its label, holder and gpiod_ref count, the ownership tokens (who
// may put it, and whether the request they belong to is still the
// current one), the owners its history names (the oracle tells a double
// put from a put by a non-owner by them), the ida bitmaps and the devm
// descriptors. canon rewrites owner and holder strings carrying program
// names.
func (g *GPIO) EncodeState(b *strings.Builder, canon func(string) string) {
	for _, gd := range g.devices {
		chip := "numbed"
		if gd.chip != nil {
			chip = fmt.Sprintf("%s ngpio=%d", gd.chip.Label, gd.chip.Ngpio)
		}
		owner := "-"
		if gd.owner != nil {
			owner = gd.owner.Name
		}
		fmt.Fprintf(b, "gpio_device %s id=%d chip=%s owner=%s klist=[%s]\n", gd.Dev.Name, gd.ID, chip, owner, strings.Join(gd.klist, ", "))
		for _, d := range gd.descs {
			if !d.requested && len(d.tokens) == 0 && len(d.history) == 0 {
				continue
			}
			kref := "-"
			if d.kref != nil {
				kref = fmt.Sprintf("%d freed=%t", d.kref.Ref(), d.kref.Freed())
			}
			var toks []string
			for _, t := range d.tokens {
				toks = append(toks, fmt.Sprintf("%s current=%t", canon(t.owner), t.gen == d.gen))
			}
			sort.Strings(toks)
			named := map[string]bool{}
			var hist []string
			for _, h := range d.history {
				if o := canon(historyOwner(h)); !named[o] {
					named[o] = true
					hist = append(hist, o)
				}
			}
			sort.Strings(hist)
			fmt.Fprintf(b, "  gpio_desc %d requested=%t label=%q holder=%q kref=%s tokens=[%s] history_owners=[%s]\n",
				d.hw, d.requested, d.label, canon(d.holder), kref, strings.Join(toks, ", "), strings.Join(hist, ", "))
		}
	}
	fmt.Fprintf(b, "gpio_ida %v nvmem_ida %v\n", g.gpioIDA.inUse(), g.nvmemIDA.inUse())
	var devm []string
	for k, ok := range g.devm {
		if ok {
			devm = append(devm, fmt.Sprintf("devm_gpiod %s %s", k.dev.Name, k.desc.Name()))
		}
	}
	sort.Strings(devm)
	for _, s := range devm {
		b.WriteString(s)
		b.WriteByte('\n')
	}
}

// historyOwner is the owner a history line names: "…: reference for
// <owner> (op …)" or "gpiod_put by <owner> from …".
func historyOwner(h string) string {
	if _, rest, ok := strings.Cut(h, "reference for "); ok {
		if i := strings.LastIndex(rest, " ("); i >= 0 {
			return rest[:i]
		}
		return rest
	}
	if _, rest, ok := strings.Cut(h, "gpiod_put by "); ok {
		if i := strings.Index(rest, " from "); i >= 0 {
			return rest[:i]
		}
		return rest
	}
	return h
}

// inUse lists the allocated ids (a freed tail and a never-used one are
// the same state: ida_alloc takes the lowest free id).
func (a *ida) inUse() []int {
	var ids []int
	for i, u := range a.used {
		if u {
			ids = append(ids, i)
		}
	}
	return ids
}
