package gen

// Consumer nodes: a node with a "<con>-gpios" line and no driver,
// disabled so that no device is created for it (of_platform_notify()
// would make a platform device of any available node) — the node a test
// module, or a process through the GPIO character device, requests
// lines by (fwnode_gpiod_get_index()). The op sequence's gpiod_get,
// gpiod_put and gpiod_ref act on such nodes; corpus/b6-gpiod-double-put
// is one.

// ConsumerCons are the con_id values consumer nodes name their lines
// by ("reset" for reset-gpios); each is one of prog.GpioConIDs.
var ConsumerCons = []string{"reset", "enable", "power", "wp", "led", "test"}

// consumerBinding is the shape of a consumer node.
var consumerBinding = Binding{Node: "gpio-consumer", NoReg: true}

// consumerFragment adds a consumer node under a live platform bus (the
// root included), with a line of a chosen provider.
func (g *generator) consumerFragment() bool {
	if g.s.base.NoSymbols || len(g.nodes) >= g.w.MaxNodes {
		return false // (the line's provider is referred to by label)
	}
	var targets []*vnode
	for _, v := range g.liveBuses(BusPlatform) {
		if available(v.Status) {
			targets = append(targets, v)
		}
	}
	if len(targets) == 0 {
		return false
	}
	pl := g.livePlace(g.chooseLive(targets))
	n := &onode{bind: &consumerBinding, frag: pl.frag, parent: pl.node, depth: pl.depth, off: true, status: "disabled"}
	if !g.name(n, pl) {
		g.places = g.places[:len(g.places)-1]
		return false
	}
	g.serial++
	con := ConsumerCons[g.c.Intn(len(ConsumerCons))]
	n.set("status", `"disabled"`)
	pl.node.children = append(pl.node.children, n)
	g.nodes = append(g.nodes, n)
	g.pending = append(g.pending, pendingSupply{n, Supply{Prop: con + "-gpios", Provider: KindGPIO, Required: true}})
	g.insertFrag(pl.frag, false)
	return true
}
