package gen

import "fmt"

// Addresses. A platform device is named after the CPU address of its
// reg and its node name (of_device_make_bus_id: "10100.gpio"), so two
// devices with the same translated address and node name collide in
// sysfs; the generator gives every new platform node a CPU address no
// other device has. I2C clients and SPI devices need an address (chip
// select) unique on their bus.

const (
	devSize = 0x100  // reg size of a new platform device
	busSize = 0x1000 // reg size (and window) of a new simple-bus
	// slots bounds how far into a window the generator places nodes.
	slots = 256
)

// name gives n its node name, unit address and path at pl.
func (g *generator) name(n *onode, pl *place) bool {
	b := n.bind
	switch pl.kind.childBus() {
	case BusI2C:
		a, ok := g.freeAddr(pl, 0x08, 0x70, 1)
		if !ok {
			return false
		}
		n.addr, n.hasAddr = a, true
	case BusSPI:
		a, ok := g.freeAddr(pl, 0, 16, 1)
		if !ok {
			return false
		}
		n.addr, n.hasAddr = a, true
	default:
		if b.NoReg {
			for i := 0; ; i++ {
				n.name = fmt.Sprintf("%s-o%d-%d", b.Node, g.ov.Seq, g.serial+i)
				if !pl.names[n.name] {
					break
				}
			}
			break
		}
		size := uint64(devSize)
		if b.busKind() == KindSimpleBus {
			size = busSize
		}
		if !g.platformAddr(n, pl, size) {
			return false
		}
	}
	if n.hasAddr {
		n.name = fmt.Sprintf("%s@%x", b.Node, n.addr)
		if pl.names[n.name] {
			return false
		}
		pl.addrs[n.addr] = true
	}
	pl.names[n.name] = true
	n.path = joinPath(pl.path, n.name)
	return true
}

// freeAddr picks a free address among base, base+stride, … (n of
// them), starting at a chosen one.
func (g *generator) freeAddr(pl *place, base, n, stride uint64) (uint64, bool) {
	start := uint64(g.c.Intn(int(n)))
	for i := uint64(0); i < n; i++ {
		a := base + ((start+i)%n)*stride
		if !pl.addrs[a] {
			return a, true
		}
	}
	return 0, false
}

// platformAddr gives n a reg of size at pl: a CPU block no device and no
// nested bus window uses when pl's addresses translate, else a free
// child address.
func (g *generator) platformAddr(n *onode, pl *place, size uint64) bool {
	w := pl.window
	if w == nil {
		a, ok := g.freeAddr(pl, 0, slots, size)
		if ok {
			n.addr, n.hasAddr = a, true
		}
		return ok
	}
	m := min(w.Size/size, slots)
	if size == busSize && m < 2 {
		return false // a nested window must be smaller than its parent's
	}
	if m == 0 {
		return false
	}
	start := uint64(g.c.Intn(int(m)))
	for i := uint64(0); i < m; i++ {
		cpu := w.CPU + ((start+i)%m)*size
		child := cpu - w.CPU + w.Child
		if pl.addrs[child] || !g.cpuFree(w, cpu, size) {
			continue
		}
		n.addr, n.hasAddr = child, true
		if size == busSize {
			n.window = &Window{Child: 0, CPU: cpu, Size: size}
			g.v.windows = append(g.v.windows, n.window)
		} else {
			for a := cpu; a < cpu+size; a += devSize {
				g.v.cpuUsed[a>>8] = true
			}
		}
		return true
	}
	return false
}

// cpuFree reports whether [cpu, cpu+size) in window w holds no device
// and meets no window nested in w.
func (g *generator) cpuFree(w *Window, cpu, size uint64) bool {
	for a := cpu; a < cpu+size; a += devSize {
		if g.v.cpuUsed[a>>8] {
			return false
		}
	}
	for _, o := range g.v.windows {
		if w.strictlyHolds(o) && o.CPU < cpu+size && cpu < o.CPU+o.Size {
			return false
		}
	}
	return true
}

// setReg writes n's reg (and ranges for a new simple-bus) in the cells
// of the bus at pl.
func (n *onode) setReg(pl *place) {
	switch pl.kind.childBus() {
	case BusI2C, BusSPI:
		n.set("reg", fmt.Sprintf("<0x%x>", n.addr))
		return
	}
	size := uint64(devSize)
	if n.bind.busKind() == KindSimpleBus {
		size = busSize
	}
	n.set("reg", "<"+cells(n.addr, pl.addrCells)+" "+cells(size, pl.sizeCells)+">")
	if size == busSize {
		// the new bus's own cells are 1/1 (its binding)
		n.set("ranges", "<0x0 "+cells(n.addr, pl.addrCells)+" "+cells(size, 1)+">")
	}
}

// cells writes v in n cells (1 or 2; anything else as 1).
func cells(v uint64, n int) string {
	if n == 2 {
		return fmt.Sprintf("0x%x 0x%x", v>>32, v&0xffffffff)
	}
	return fmt.Sprintf("0x%x", v)
}
