package core

import (
	"dangle/sim/kobj"
	"dangle/sim/of"
)

// Generic PM domains (drivers/pmdomain/core.c, drivers/base/power/common.c).

// GenericPMDomain is a struct generic_pm_domain.
type GenericPMDomain struct {
	Name string
	// np is the provider node (of_genpd_add_provider_simple), nil when
	// no provider is registered.
	np      *of.Node
	devices []*Device
	On      bool
	// provider is the of_genpd_provider allocation; it holds np
	// (cp->node = of_node_get(np)) until of_genpd_del_provider().
	provider *kobj.Object
}

// PMGenpdInit is pm_genpd_init().
func (c *Core) PMGenpdInit(name string) *GenericPMDomain {
	g := &GenericPMDomain{Name: name, On: true}
	c.genpds = append(c.genpds, g)
	return g
}

// OfGenpdAddProviderSimple is of_genpd_add_provider_simple():
// genpd_add_provider() kzallocs a struct of_genpd_provider with
// cp->node = of_node_get(np) and marks the fwnode
// fwnode_dev_initialized(true) (drivers/pmdomain/core.c; v5.12 "PM:
// domains: Mark fwnodes when their powerdomain is added/removed").
func (c *Core) OfGenpdAddProviderSimple(np *of.Node, g *GenericPMDomain) {
	if np == nil {
		return
	}
	g.provider = c.Reg.Alloc("of_genpd_provider", "of_genpd_provider ("+np.Path()+")", "genpd_add_provider", true, false, "")
	g.np = c.OF.NodeGetOwned(np, "genpd_add_provider", genpdProviderHolder(np), g.provider)
	np.FwnodeFlags |= FWNODE_FLAG_INITIALIZED
}

func genpdProviderHolder(np *of.Node) string { return "genpd provider " + np.Path() }

// OfGenpdDelProvider is of_genpd_del_provider(): the provider of np
// leaves of_genpd_providers, fwnode_dev_initialized(false),
// of_node_put(cp->node), kfree(cp).
func (c *Core) OfGenpdDelProvider(np *of.Node) {
	for _, g := range c.genpds {
		if g.np == np && np != nil {
			g.np = nil
			np.FwnodeFlags &^= FWNODE_FLAG_INITIALIZED
			c.OF.NodePut(np, "of_genpd_del_provider", genpdProviderHolder(np))
			c.Reg.Free(g.provider, "of_genpd_del_provider")
			g.provider = nil
			return
		}
	}
}

// PMGenpdRemove is pm_genpd_remove(): -EBUSY while a provider or a
// device is still attached.
func (c *Core) PMGenpdRemove(g *GenericPMDomain) error {
	if g.np != nil {
		c.Log.Printf("Provider present, unable to remove %s", g.Name)
		return EBUSY
	}
	if len(g.devices) > 0 {
		c.Log.Printf("%s: unable to remove %s", "genpd_remove", g.Name)
		return EBUSY
	}
	for i, x := range c.genpds {
		if x == g {
			c.genpds = append(c.genpds[:i:i], c.genpds[i+1:]...)
			break
		}
	}
	return nil
}

// DevPMDomainAttach is dev_pm_domain_attach(dev, true) ->
// genpd_dev_pm_attach(): nothing without "power-domains"; -EPROBE_DEFER
// while the provider is not registered; else join the domain, power on.
func (c *Core) DevPMDomainAttach(d *Device) error {
	if d.pmDomain != nil || d.OfNode == nil {
		return nil
	}
	p := d.OfNode.Prop("power-domains")
	if p == nil || len(p.Value) < 4 {
		return nil
	}
	np := c.OF.FindNodeByPhandle(be32(p.Value))
	var g *GenericPMDomain
	for _, x := range c.genpds {
		if np != nil && x.np == np {
			g = x
		}
	}
	if g == nil {
		c.devPrintk(d, "%s() failed to find PM domain: %d", "__genpd_dev_pm_attach", -517)
		return EPROBE_DEFER
	}
	g.devices = append(g.devices, d)
	g.On = true
	d.pmDomain = g
	d.pmDetachedIn = ""
	return nil
}

// DevPMDomainDetach is dev_pm_domain_detach() -> genpd_dev_pm_detach(),
// called from fn: leave the domain, which powers off when it is empty.
func (c *Core) DevPMDomainDetach(d *Device, fn string) {
	g := d.pmDomain
	if g == nil {
		return
	}
	for i, x := range g.devices {
		if x == d {
			g.devices = append(g.devices[:i:i], g.devices[i+1:]...)
			break
		}
	}
	if len(g.devices) == 0 {
		g.On = false
	}
	d.pmDomain = nil
	d.pmDetachedIn = fn
}

// PMDomain returns the domain the device is attached to, or nil.
func (d *Device) PMDomain() *GenericPMDomain { return d.pmDomain }

// providerLive reports whether o is a provider allocation (a genpd or
// clock provider) that belongs to the running system: still on
// of_genpd_providers / of_clk_providers while the device that registered
// it is bound (a re-probed base device's new provider is in use, not
// leaked), or registered by of_clk_init() without a device. A provider
// left listed after its device unbound is a driver's forgotten del.
func (c *Core) providerLive(o *kobj.Object) bool {
	for _, g := range c.genpds {
		if g.provider == o && g.np != nil {
			d := c.DeviceByNode(g.np)
			return d != nil && d.Driver != nil
		}
	}
	for _, cp := range c.clocks {
		if cp.obj == o {
			return cp.Dev == nil || cp.Dev.Driver != nil
		}
	}
	return false
}
