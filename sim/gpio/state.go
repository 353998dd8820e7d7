package gpio

import (
	"strings"

	"dangle/sim/canon"
)

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

// AppendState writes GPIO's part of the canonical state
// (sim.Kernel.AppendState): each gpio_device in gpio_devices order with its
// chip (or "numbed" after gpiochip_remove), every requested descriptor
// with its label, holder and gpiod_ref count, the ownership tokens (who
// may put it, and whether the request they belong to is still the
// current one), the owners its history names (the oracle tells a double
// put from a put by a non-owner by them), the ida bitmaps and the devm
// descriptors. canonHolder rewrites owner and holder strings carrying program
// names.
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

// appendInUse writes the allocated ids as %v prints an []int (a freed
// tail and a never-used one are the same state: ida_alloc takes the
// lowest free id).
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
