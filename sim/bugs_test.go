package sim

import "testing"

// TestCiteBugTraced: findings of generated mainline programs that were
// traced to a kernel bug (fuzz's TestGeneratedMainline, seeds 933, 1264
// and 8754 of 10,000, minimized) are cited with it, the evidence checked
// against the run's log and holders.
func TestCiteBugTraced(t *testing.T) {
	for _, c := range []struct {
		name, text, title, id string
		later                 bool // not the primary finding: after the dt-fixup deadlock
	}{
		{
			// the build fails adding the new node's first property after
			// its ATTACH entry was queued; of_overlay_remove() reverts the
			// never-applied attach: __of_detach_node()'s WARN_ON(OF_DETACHED)
			name: "failed build, remove warns",
			text: `dangle program v1
kernel v6.12
ov = of_overlay_fdt_apply blob=o.dtso fail_nth=9
of_overlay_remove ov=ov
-- o.dtso --
/dts-v1/;
/plugin/;
&bus { clock { }; };
`,
			title: "WARNING in __of_detach_node", id: "failed-apply-unremovable",
		},
		{
			// of_platform_depopulate() on an SPI controller clears the SPI
			// device's OF_POPULATED without unregistering it; the overlay's
			// removal then skips it in of_spi_notify()
			name: "depopulated SPI controller",
			text: `dangle program v1
kernel mainline
of_platform_populate node=/soc/spi@4000
of_overlay_fdt_apply blob=o.dtso
of_platform_depopulate node=/soc/spi@4000
-- o.dtso --
/dts-v1/;
/plugin/;
&spi0 { touchscreen@c { compatible = "dangle,spi-input"; reg = <0xc>; }; };
`,
			title: "memory leak in of_changeset_destroy", id: "depopulate-clears-bus-populated",
		},
		{
			name: "depopulated I2C controller",
			text: `dangle program v1
kernel v6.9
of_platform_populate node=/soc/i2c@3000
of_overlay_fdt_apply blob=o.dtso
of_platform_depopulate node=/soc/i2c@3000
-- o.dtso --
/dts-v1/;
/plugin/;
&i2c0 { touchscreen@27 { compatible = "dangle,i2c-input"; reg = <0x27>; }; };
`,
			title: "memory leak in of_changeset_destroy", id: "depopulate-clears-bus-populated",
		},
		{
			// sim/testdata/scenarios/dt_fixup_rebind_eexist.txt
			name: "dt-fixup rebound before its release",
			text: `dangle program v1
of_overlay_fdt_apply blob=fixup.dtso
device_release_driver node=/soc/bus@10000/fixup@3000
device_attach node=/soc/bus@10000/fixup@3000
-- fixup.dtso --
/dts-v1/;
/plugin/;
&bus { fixup@3000 { compatible = "dangle,dt-fixup"; reg = <0x3000 0x100>; }; };
`,
			title: "memory leak of property allocated in __of_prop_alloc", id: "add-property-eexist-leak", later: true,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, res := runTriage(t, c.text)
			f, why := Primary(p, res)
			if c.later {
				f = nil
				for i := range res.Findings {
					if res.Findings[i].Title == c.title {
						f = &res.Findings[i]
					}
				}
			}
			if f == nil || f.Title != c.title || why != "" {
				t.Fatalf("finding %v (%q), want %q; findings %v", f, why, c.title, res.Findings)
			}
			if kb := CiteBug(p, res.Log, f); kb == nil || kb.ID != c.id {
				t.Errorf("cited %v, want %s", kb, c.id)
			}
		})
	}
}
