package of

import (
	"fmt"

	"dangle/sim/fault"
	"dangle/sim/kobj"
	"dangle/sim/profile"
	"dangle/sim/report"
)

// Mutex is a modelled kernel mutex: who holds it, for lock-order and
// flush-under-lock checks. The simulation is single-threaded, so a mutex
// is a record, not a lock.
type Mutex struct {
	Name   string
	Holder string // "" when free
	// hooks, when set, lets the driver core's lock checker see every
	// acquisition and release (Hooks.Lock / Hooks.Unlock).
	hooks *Hooks
}

// Lock records holder as the owner.
func (m *Mutex) Lock(holder string) {
	if m.hooks != nil && m.hooks.Lock != nil {
		m.hooks.Lock(m.hooks.Ctx, m, holder)
	}
	m.Holder = holder
}

// Unlock records the mutex free.
func (m *Mutex) Unlock() {
	if m.hooks != nil && m.hooks.Unlock != nil {
		m.hooks.Unlock(m.hooks.Ctx, m)
	}
	m.Holder = ""
}

// Held reports whether the mutex is held.
func (m *Mutex) Held() bool { return m.Holder != "" }

// Hooks are the calls the OF layer makes into layers above it (the driver
// core's workqueues). A nil hook is a no-op. Each is static code (it
// captures nothing, so a cloned kernel shares it) called with Ctx, the
// upper layer's state.
type Hooks struct {
	Ctx any
	// DeviceLinkWaitRemoval is device_link_wait_removal(): flush
	// device_link_wq.
	DeviceLinkWaitRemoval func(ctx any)
	// Sched runs pending work at a sched point the program chose inside a
	// long operation; n <= 0 means every pending item.
	Sched func(ctx any, point string, n int)
	// Lock and Unlock see every mutex_lock()/mutex_unlock() of the OF
	// layer's mutexes (of_mutex, of_overlay_phandle_mutex), before the
	// holder is recorded: the driver core's lock checker (flush under a
	// lock a pending work item needs, lock-order inversions).
	Lock   func(ctx any, m *Mutex, holder string)
	Unlock func(ctx any, m *Mutex)
	// FwDevlinkRefreshFwnode is fw_devlink_refresh_fwnode() (profile
	// knob overlay_fwnode=refresh).
	FwDevlinkRefreshFwnode func(ctx any, np *Node)
}

// OF is the state of the device-tree layer of one simulated kernel: the
// live tree, the overlay changesets, the notifier chains and the locks.
type OF struct {
	reg  *kobj.Registry
	log  *report.Log
	prof *profile.Profile

	// Root is of_root.
	Root *Node
	// ovcsHead is ovcs_list: applied (and failed-but-listed) overlay
	// changesets, tail = topmost (ovcs_list.go). Entries may be freed
	// changesets when the kernel leaves dangling pointers
	// (of_overlay_remove_all).
	ovcsHead listHead
	// ovcsIDR is ovcs_idr: id -> changeset, entries may dangle.
	ovcsIDR map[int]*Overlay
	// devicetreeStateFlags are the sticky DTSF_* flags.
	devicetreeStateFlags int

	reconfigChain []ReconfigNotifier
	overlayChain  []*OverlayNotifier

	OfMutex               Mutex
	OfOverlayPhandleMutex Mutex

	Hooks Hooks

	// Skips is a test and benchmarking hook, nil in every user run: it
	// reports whether the kernel mutant on (sim.Config.Mutant) leaves out
	// the step named site, e.g. "free_overlay_changeset:of_node_put(target)".
	// The OF layer and the driver core ask it through Skipped.
	Skips func(site string) bool

	// synthName: unflatten synthesizes the "name" property (fdt.c
	// populate_properties) for blobs that lack it.
	synthName bool
	// unflattenDepthWarned is unflatten_dt_nodes()'s WARN_ON_ONCE state.
	unflattenDepthWarned bool
	// listWalks counts Overlays walks (listHead.walk marks).
	listWalks uint64
	// idrFree: every ovcs_idr id below it is taken (idrAlloc's start).
	idrFree int
	// invFrees, invLast, invValid memoize Invariants between frees.
	invFrees int
	invLast  []string
	invValid bool

	// Fail is the fault-injection state of the op now running (fail_nth):
	// one plain struct for the whole kernel (the driver core and gpiolib
	// reach it through their OF), copied by value with the OF layer.
	Fail fault.Injector

	// schedPoints are the sched points chosen for the op now running.
	schedPoints map[string]int

	// freedBy and doubleFreeSeen serve kfree's double-free report
	// (kfree.go): who freed an allocation first, what was reported.
	freedBy        map[*kobj.Object]string
	doubleFreeSeen map[kfreeKey]bool
}

// New returns an empty OF layer (no tree yet; see LoadBase).
func New(reg *kobj.Registry, log *report.Log, prof *profile.Profile) *OF {
	t := &OF{
		reg: reg, log: log, prof: prof,
		ovcsIDR:               map[int]*Overlay{},
		OfMutex:               Mutex{Name: "of_mutex"},
		OfOverlayPhandleMutex: Mutex{Name: "of_overlay_phandle_mutex"},
		synthName:             true,
	}
	t.ovcsHead.prev, t.ovcsHead.next = &t.ovcsHead, &t.ovcsHead
	t.OfMutex.hooks = &t.Hooks
	t.OfOverlayPhandleMutex.hooks = &t.Hooks
	return t
}

// Profile returns the run's kernel profile.
func (t *OF) Profile() *profile.Profile { return t.prof }

// SetSched sets the sched points for the op about to run (nil: none).
func (t *OF) SetSched(points map[string]int) { t.schedPoints = points }

// sched runs pending work at point if the program chose it.
func (t *OF) sched(point string) {
	if n, ok := t.schedPoints[point]; ok && t.Hooks.Sched != nil {
		t.Hooks.Sched(t.Hooks.Ctx, point, n)
	}
}

func (t *OF) deviceLinkWaitRemoval() {
	if t.Hooks.DeviceLinkWaitRemoval != nil {
		t.Hooks.DeviceLinkWaitRemoval(t.Hooks.Ctx)
	}
}

// pr prints a message with the dynamic.c/base.c prefix.
func (t *OF) pr(format string, args ...any) { t.log.Printf("OF: "+format, args...) }

// prOverlay prints a message with the overlay.c prefix.
func (t *OF) prOverlay(format string, args ...any) { t.log.Printf("OF: overlay: "+format, args...) }

// warn is WARN_ON() in fn of file (report.Log.Warn).
func (t *OF) warn(file, fn, what string) { t.log.Warn(file, fn, what) }

// reportHolders reports a kernel-detected refcount problem on np, naming
// every holder of a reference except self (the reference the checking
// code itself holds).
func (t *OF) reportHolders(title string, np *Node, self string, mark int) {
	f := report.Finding{Kind: report.KernelError, Title: title, Objects: []string{np.DisplayPath()}, Log: t.log.Since(mark)}
	for _, h := range np.obj.Holds() {
		if h.Holder == self {
			continue
		}
		f.Holders = append(f.Holders, FormatHold(h))
	}
	t.log.Report(f)
}

// FormatHold renders a reference holder for reports.
func FormatHold(h kobj.Hold) string {
	if h.Dropped != "" {
		return fmt.Sprintf("%s (taken in %s, %s; given up without a put in %s, %s)", h.Holder, h.Func, report.OpName(h.Op), h.Dropped, report.OpName(h.DroppedOp))
	}
	return fmt.Sprintf("%s (taken in %s, %s)", h.Holder, h.Func, report.OpName(h.Op))
}

// Skipped reports whether the Skips hook leaves out site (always false
// outside tests and make bench's mutant table).
func (t *OF) Skipped(site string) bool { return t.Skips != nil && t.Skips(site) }
