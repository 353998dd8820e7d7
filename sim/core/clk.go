package core

import (
	"dangle/sim/kobj"
	"dangle/sim/of"
)

// Clock providers (drivers/clk/clk.c): only what fw_devlink and consumer
// lookups need. A provider registered by of_clk_init() (CLK_OF_DECLARE)
// has no device; its node is marked OF_POPULATED and its fwnode
// FWNODE_FLAG_INITIALIZED, so fw_devlink never waits for it.

// ClkProvider is a struct of_clk_provider: a kzalloc'd entry on
// of_clk_providers holding a reference on its node (cp->node).
type ClkProvider struct {
	obj    *kobj.Object
	np     *of.Node
	Dev    *Device
	holder string
}

// OfClkAddHwProvider is of_clk_add_hw_provider() (drivers/clk/clk.c):
// kzalloc the provider, cp->node = of_node_get(np), list it, then
// fwnode_dev_initialized(&np->fwnode, true) (v5.12: "clk: Mark fwnodes
// when their clock provider is added"), on the platform-driver path
// (of_fixed_clk_probe) as for CLK_OF_DECLARE. A driver that never calls
// of_clk_del_provider() leaks the provider and the node reference, and
// leaves the fwnode INITIALIZED: fw_devlink_create_devlink() then links
// no later consumer to the unbound device ("dev might never probe").
func (c *Core) OfClkAddHwProvider(np *of.Node, dev *Device) {
	if np == nil {
		return
	}
	cp := &ClkProvider{Dev: dev, holder: "clk provider " + np.Path()}
	cp.obj = c.Reg.Alloc("of_clk_provider", "of_clk_provider ("+np.Path()+")", "of_clk_add_hw_provider", true, false, "")
	cp.np = c.OF.NodeGetOwned(np, "of_clk_add_hw_provider", cp.holder, cp.obj)
	c.clocks = append(c.clocks, cp)
	np.FwnodeFlags |= FWNODE_FLAG_INITIALIZED
}

// OfClkDelProvider is of_clk_del_provider(): the first provider of np
// leaves the list, fwnode_dev_initialized(false) (6579c8d97ad7, v5.12),
// of_node_put(cp->node), kfree(cp).
func (c *Core) OfClkDelProvider(np *of.Node) {
	if np == nil {
		return
	}
	for i, p := range c.clocks {
		if p.np == np {
			c.clocks = append(c.clocks[:i:i], c.clocks[i+1:]...)
			np.FwnodeFlags &^= FWNODE_FLAG_INITIALIZED
			c.OF.NodePut(p.np, "of_clk_del_provider", p.holder)
			c.Reg.Free(p.obj, "of_clk_del_provider")
			return
		}
	}
}

// OfClkInitDeclared is of_clk_init() for one CLK_OF_DECLARE'd node.
func (c *Core) OfClkInitDeclared(np *of.Node) {
	c.OfClkAddHwProvider(np, nil)
	np.Flags |= of.OF_POPULATED
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
