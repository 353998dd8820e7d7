package drivers

import "dangle/sim/core"

// dangle,power-domain: a genpd provider (the shape of simple SoC power
// controllers): pm_genpd_init + of_genpd_add_provider_simple in probe,
// of_genpd_del_provider + pm_genpd_remove in remove.

func init() {
	register(&core.Driver{Name: "dangle-pd", Doc: "genpd provider: pm_genpd_init + of_genpd_add_provider_simple; removed in remove", Bus: "platform", OfMatch: []string{"dangle,power-domain"},
		Probe: powerDomainProbe, Remove: powerDomainRemove,
		Binding: &core.Binding{Node: "power-controller", Provides: []string{"power-domain"},
			Props: []core.BindingProp{{Name: "#power-domain-cells", Value: "<0>"}}}})
}

func powerDomainProbe(c *core.Core, d *core.Device) error {
	genpd := c.PMGenpdInit(d.OfNode.Name())
	c.OfGenpdAddProviderSimple(d.OfNode, genpd)
	d.DrvData = genpd
	return nil
}

func powerDomainRemove(c *core.Core, d *core.Device) {
	if !c.Forgot(d, "of_genpd_del_provider") {
		c.OfGenpdDelProvider(d.OfNode)
	}
	c.PMGenpdRemove(d.DrvData.(*core.GenericPMDomain))
}
