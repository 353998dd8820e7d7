package profile

// lateKnobs are knob rows kept apart from the version table in
// profile.go, so that parallel additions do not edit the same lines:
// init() appends each to Knobs and settles it in every version. A
// version missing from settles is caught by TestEveryVersionSetsEveryKnob.
var lateKnobs = []struct {
	knob    Knob
	settles map[string]string // version name -> value
}{
	{
		knob: Knob{Name: "devres_device_del", Doc: "whether device_del() releases the device's devres (drivers/base/core.c)", Values: []Value{
			{Name: "release-only", Doc: "< v6.6: devres_release_all() only at driver detach and in device_release() (a525a3ddeaca); a device never probed keeps its devres until its last put"},
			{Name: "device-del", Commit: "699fb50d9903", Doc: "v6.6+ (\"drivers: base: Free devm resources when unregistering a device\"; later stable backports, 5.15.y posted 2026-03): device_del() calls devres_release_all() after device_links_purge()"},
		}},
		settles: map[string]string{
			"v5.10": "release-only", "v5.15": "release-only", "v6.1": "release-only",
			"v6.6": "device-del", "v6.8": "device-del", "v6.8.5": "device-del", "v6.9": "device-del",
			"v6.12": "device-del", "v6.17": "device-del", "mainline": "device-del",
		},
	},
	{
		knob: Knob{Name: "overlay_fwnode", Doc: "how fw_devlink treats nodes an overlay adds (drivers/of/dynamic.c __of_attach_node, drivers/base/core.c)", Values: []Value{
			{Name: "plain", Doc: "< v6.3: overlay nodes are not marked; a consumer waits (fwnode link kept) for its supplier node's own device"},
			{Name: "not-device", Commit: "1a50d9403fb9", Doc: "v6.3+ (\"treewide: Fix probing of devices in DT overlays\"): __of_attach_node marks every added node FWNODE_FLAG_NOT_DEVICE, cleared only when of_platform/i2c/spi_notify create its device; a consumer added before its supplier's device links to the supplier's nearest ancestor device; device_links_driver_bound picks up dangling consumers"},
			{Name: "refresh", Commit: "81e7c6befa36", Doc: "the revert of 1a50d9403fb9 (aaf08c52df9a) and \"of: dynamic: Fix overlayed devices not probing because of fw_devlink\" (Saravana Kannan, Hervé Codina v7, driver-core for v7.2; 6.6.y 2026): no marking; of_overlay_apply() runs overlay_fw_devlink_refresh() on each fragment target after the changeset notify"},
		}},
		settles: map[string]string{
			"v5.10": "plain", "v5.15": "plain", "v6.1": "plain",
			"v6.6": "not-device", "v6.8": "not-device", "v6.8.5": "not-device", "v6.9": "not-device",
			"v6.12": "not-device", "v6.17": "not-device", "mainline": "refresh",
		},
	},
	{
		knob: Knob{Name: "symbols_err_put", Doc: "init_overlay_changeset()'s \"symbols in overlay, but not in live tree\" path and the overlay's __symbols__ node (drivers/of/overlay.c)", Values: []Value{
			{Name: "missing", Doc: "< v6.5: the of_get_child_by_name() reference on the overlay's __symbols__ node is not put"},
			{Name: "put", Commit: "39affd1fdf65", Doc: "v6.5+ (\"of: overlay: Fix missing of_node_put() in error case of init_overlay_changeset()\"; stable 2023): of_node_put(node) before the error return"},
		}},
		settles: map[string]string{
			"v5.10": "missing", "v5.15": "missing", "v6.1": "missing",
			"v6.6": "put", "v6.8": "put", "v6.8.5": "put", "v6.9": "put",
			"v6.12": "put", "v6.17": "put", "mainline": "put",
		},
	},
}

// lateSuffixes are patch suffixes kept apart from profile.go's table.
var lateSuffixes = []struct{ name, knob, value, doc string }{
	{"fwdevlink-refresh", "overlay_fwnode", "refresh", "Saravana Kannan / Hervé Codina: revert 1a50d9403fb9, overlay_fw_devlink_refresh()"},
}

func init() {
	suffixes = append(suffixes, lateSuffixes...)
	for _, l := range lateKnobs {
		Knobs = append(Knobs, l.knob)
		for i := range versions {
			if v, ok := l.settles[versions[i].name]; ok {
				versions[i].settles[l.knob.Name] = v
			}
		}
	}
}
