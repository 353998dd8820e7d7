package core

import (
	"slices"

	"dangle/sim/report"
)

// The driver core's unbind path has two retry loops that wait for another
// thread to make progress: __device_release_driver()'s
// "while (device_links_busy(dev))" and device_links_unbind_consumers()'s
// "goto start". The model is single-threaded, so nothing else ever runs
// between two passes: a pass that left the supplier's consumer links as
// they were will be repeated identically for ever. retryGuard notices that
// (and, as a backstop against a longer cycle, a pass count no loop of
// finitely many links can need) so the run reports the livelock the kernel
// would spin in and goes on, instead of hanging the simulator.

// maxRetries bounds the passes of one retry loop. Every productive pass
// moves a consumer link out of ACTIVE or CONSUMER_PROBE for good, so a
// loop over n links needs at most n+1 passes; 1000 is far above any board.
const maxRetries = 1000

// linkSnap is one consumer link's loop-relevant state.
type linkSnap struct {
	link   *Link
	status DLState
	flags  uint32
}

// retryGuard watches one retry loop over d's consumer links.
type retryGuard struct {
	d      *Device
	passes int
	last   []linkSnap
	primed bool
}

// stuck records a pass and reports whether the loop can no longer make
// progress: d's consumer links are exactly as they were at the previous
// pass, or the pass bound is exceeded.
func (g *retryGuard) stuck() bool {
	snap := make([]linkSnap, 0, len(g.d.consumers))
	for _, l := range g.d.consumers {
		snap = append(snap, linkSnap{l, l.Status, l.Flags})
	}
	g.passes++
	same := g.primed && slices.Equal(snap, g.last)
	g.last, g.primed = snap, true
	return same || g.passes > maxRetries
}

// busyLinks names d's managed consumer links that keep device_links_busy()
// true (CONSUMER_PROBE or ACTIVE), with why each cannot move.
func busyLinks(d *Device) []string {
	var objs []string
	for _, l := range d.consumers {
		if !l.managed() || (l.Status != DL_STATE_CONSUMER_PROBE && l.Status != DL_STATE_ACTIVE) {
			continue
		}
		why := " stays " + l.Status.String()
		if l.Flags&DL_FLAG_SYNC_STATE_ONLY != 0 {
			why += " (SYNC_STATE_ONLY: device_links_busy() counts it, device_links_unbind_consumers() skips it)"
		}
		if l.Status == DL_STATE_CONSUMER_PROBE && l.Consumer.Driver == nil {
			why += ": " + l.Consumer.Name + " is not probing and never leaves it"
		}
		objs = append(objs, l.Name()+why)
	}
	return objs
}

// reportReleaseLivelock reports __device_release_driver() spinning: the
// supplier stays busy and unbinding its consumers changes nothing. The
// links that keep it busy are then marked SUPPLIER_UNBIND, as
// device_links_busy() marks the idle ones, so the run goes on as if the
// loop had ended (and device_links_driver_cleanup() does not WARN about a
// state only the livelock left behind).
func (c *Core) reportReleaseLivelock(d *Device) {
	title := "livelock in __device_release_driver"
	objs := busyLinks(d)
	if !c.locks.reported[title+d.Name] {
		c.locks.reported[title+d.Name] = true
		c.Log.Report(report.Finding{Kind: report.Deadlock, Title: title, Objects: objs})
	}
	c.Lock(&c.DeviceLinksLock, "__device_release_driver")
	for _, l := range d.consumers {
		if l.managed() && (l.Status == DL_STATE_CONSUMER_PROBE || l.Status == DL_STATE_ACTIVE) {
			l.Status = DL_STATE_SUPPLIER_UNBIND
		}
	}
	c.Unlock(&c.DeviceLinksLock)
}
