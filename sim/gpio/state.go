package gpio

import (
	"fmt"
	"sort"
	"strings"

	"dangle/sim/canon"
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

// AppendState writes into b exactly what EncodeState writes, without fmt
// or intermediate strings (the state key's path, sim.Kernel.StateKey).
func (g *GPIO) AppendState(b *canon.Buf, canonHolder func(string) string) {
	for _, gd := range g.devices {
		b.Str("gpio_device ").Str(gd.Dev.Name).Str(" id=").Int(int64(gd.ID)).Str(" chip=")
		if gd.chip != nil {
			b.Str(gd.chip.Label).Str(" ngpio=").Int(int64(gd.chip.Ngpio))
		} else {
			b.Str("numbed")
		}
		b.Str(" owner=")
		if gd.owner != nil {
			b.Str(gd.owner.Name)
		} else {
			b.Byte('-')
		}
		b.Str(" klist=[")
		for i, s := range gd.klist {
			if i > 0 {
				b.Str(", ")
			}
			b.Str(s)
		}
		b.Str("]\n")
		for _, d := range gd.descs {
			if !d.requested && len(d.tokens) == 0 && len(d.history) == 0 {
				continue
			}
			b.Str("  gpio_desc ").Int(int64(d.hw)).Str(" requested=").Bool(d.requested).
				Str(" label=").Quote(d.label).Str(" holder=").Quote(canonHolder(d.holder)).Str(" kref=")
			if d.kref != nil {
				b.Int(int64(d.kref.Ref())).Str(" freed=").Bool(d.kref.Freed())
			} else {
				b.Byte('-')
			}
			b.Str(" tokens=[")
			s := b.Begin()
			for _, t := range d.tokens {
				b.Str(canonHolder(t.owner)).Str(" current=").Bool(t.gen == d.gen)
				b.Item(s)
			}
			b.End(s, ", ", "", false)
			b.Str("] history_owners=[")
			s = b.Begin()
			for _, h := range d.history {
				b.Str(canonHolder(historyOwner(h)))
				b.Item(s)
			}
			b.End(s, ", ", "", true)
			b.Str("]\n")
		}
	}
	b.Str("gpio_ida ")
	g.gpioIDA.appendInUse(b)
	b.Str(" nvmem_ida ")
	g.nvmemIDA.appendInUse(b)
	b.Byte('\n')
	s := b.Begin()
	for k, ok := range g.devm {
		if ok {
			b.Str("devm_gpiod ").Str(k.dev.Name).Byte(' ').Str(k.desc.Name())
			b.Item(s)
		}
	}
	b.End(s, "", "\n", false)
}

// appendInUse appends inUse() as %v prints it.
func (a *ida) appendInUse(b *canon.Buf) {
	b.Byte('[')
	first := true
	for i, u := range a.used {
		if u {
			if !first {
				b.Byte(' ')
			}
			b.Int(int64(i))
			first = false
		}
	}
	b.Byte(']')
}
