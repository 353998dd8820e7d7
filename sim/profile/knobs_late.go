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
}

func init() {
	for _, l := range lateKnobs {
		Knobs = append(Knobs, l.knob)
		for i := range versions {
			if v, ok := l.settles[versions[i].name]; ok {
				versions[i].settles[l.knob.Name] = v
			}
		}
	}
}
