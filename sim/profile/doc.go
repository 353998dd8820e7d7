// Package profile names the kernel versions dangle models and expands each
// to the behaviour knobs where versions differ (architecture §3).
//
// A profile string is a version, optional patch suffixes and optional knob
// overrides: "v6.8", "v6.8+wait-early", "v6.8 devlink_wait=changeset-destroy".
// A version models the release as tagged, without stable backports; the
// stable releases the table knows a backport for can be named too
// ("v6.8.5"). Every knob value cites the commit that introduced it.
package profile
