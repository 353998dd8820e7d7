package core

import "dangle/sim/of"

// Clock providers (drivers/clk/clk.c): only what fw_devlink and consumer
// lookups need. A provider registered by of_clk_init() (CLK_OF_DECLARE)
// has no device; its node is marked OF_POPULATED and its fwnode
// FWNODE_FLAG_INITIALIZED, so fw_devlink never waits for it.

// ClkProvider is a struct of_clk_provider.
type ClkProvider struct {
	np  *of.Node
	Dev *Device
}

// OfClkAddHwProvider is of_clk_add_hw_provider().
func (c *Core) OfClkAddHwProvider(np *of.Node, dev *Device) {
	c.clocks = append(c.clocks, &ClkProvider{np: np, Dev: dev})
}

// OfClkDelProvider is of_clk_del_provider().
func (c *Core) OfClkDelProvider(np *of.Node) {
	for i, p := range c.clocks {
		if p.np == np {
			c.clocks = append(c.clocks[:i:i], c.clocks[i+1:]...)
			return
		}
	}
}

// OfClkInitDeclared is of_clk_init() for one CLK_OF_DECLARE'd node.
func (c *Core) OfClkInitDeclared(np *of.Node) {
	c.OfClkAddHwProvider(np, nil)
	np.Flags |= of.OF_POPULATED
	np.FwnodeFlags |= FWNODE_FLAG_INITIALIZED
}

// DevmClkGet is devm_clk_get(dev, NULL): the first "clocks" entry's
// provider, -EPROBE_DEFER while it is not registered, -ENOENT without
// "clocks".
func (c *Core) DevmClkGet(d *Device) error {
	p := d.OfNode.Prop("clocks")
	if p == nil || len(p.Value) < 4 {
		return ENOENT
	}
	np := c.OF.FindNodeByPhandle(be32(p.Value))
	for _, cp := range c.clocks {
		if cp.np == np {
			return nil
		}
	}
	return EPROBE_DEFER
}
