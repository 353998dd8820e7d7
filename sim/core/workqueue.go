package core

import (
	"dangle/sim/of"
	"dangle/sim/profile"
)

// Workqueue is a struct workqueue_struct: its pending work items in
// queueing order. Items run only when the program says so (RunWork,
// FlushWorkqueue, a sched point) or at teardown.
type Workqueue struct {
	Name    string
	pending []*Work
	// lmap is wq->lockdep_map (lockMap).
	lmap of.Mutex
}

// Work is a struct work_struct queued on a workqueue.
type Work struct {
	// Fn is the work function's kernel name (device_link_release_fn).
	Fn string
	// What names the object the item works on, for the log.
	What string
	// run is the work function and needs predicts the locks it will
	// take (the release callbacks its puts will reach), so a sched point
	// never runs an item that would block on a lock the interrupted task
	// holds. Both are static code (they capture nothing, so a cloned
	// kernel shares them) called with the item, whose arg is their data.
	run   func(c *Core, w *Work)
	needs func(w *Work) []*of.Mutex
	arg   any
	seq   int
	wq    *Workqueue
}

// Pending returns the queue's pending items in queueing order.
func (wq *Workqueue) Pending() []*Work { return wq.pending }

// QueueWork is queue_work(): false if w is already pending.
func (c *Core) QueueWork(wq *Workqueue, w *Work) bool {
	for _, p := range wq.pending {
		if p == w {
			return false
		}
	}
	c.workSeq++
	w.seq = c.workSeq
	w.wq = wq
	wq.pending = append(wq.pending, w)
	return true
}

// runWork runs one pending item in the kworker context (process_one_work).
func (c *Core) runWork(w *Work) {
	wq := w.wq
	for i, p := range wq.pending {
		if p == w {
			wq.pending = append(wq.pending[:i:i], wq.pending[i+1:]...)
			break
		}
	}
	if s := c.Log.Signal; s != nil {
		s.Pair(wq.Name, w.Fn)
	}
	c.Log.Harness("  [%s] %s: %s", wq.Name, w.Fn, w.What)
	prev := c.locks.cur
	c.locks.cur = &c.locks.kworker
	// process_one_work(): lock_map_acquire(&pwq->wq->lockdep_map)
	c.lockMapAcquire(wq.lockMap(), "process_one_work")
	w.run(c, w)
	c.lockMapRelease(wq.lockMap())
	c.locks.cur = prev
}

// RunWork runs the i-th (1-based) pending item of wq. It reports whether
// there was one.
func (c *Core) RunWork(wq *Workqueue, i int) bool {
	if i < 1 || i > len(wq.pending) {
		return false
	}
	c.runWork(wq.pending[i-1])
	return true
}

// FlushWorkqueue is flush_workqueue(wq) called by fn: it returns after
// every item queued before the call has run; items queued meanwhile are
// not waited for. A work item flushing its own queue never returns.
func (c *Core) FlushWorkqueue(wq *Workqueue, fn string) {
	cur := c.locks.cur
	if cur == &c.locks.kworker {
		c.reportDeadlock("deadlock: flush_workqueue("+wq.Name+") from its own work item",
			[]string{fn + " runs in a " + wq.Name + " work item"},
			"INFO: task kworker/0:1 blocked for more than 120 seconds: flush_workqueue("+wq.Name+") called by "+fn+" from a work item of that queue")
		return
	}
	// __flush_workqueue(): lock_map_acquire(&wq->lockdep_map); release
	c.lockMapAcquire(wq.lockMap(), "__flush_workqueue")
	c.lockMapRelease(wq.lockMap())
	batch := append([]*Work(nil), wq.pending...)
	saved := cur.flushing
	cur.flushing = wq
	for _, w := range batch {
		if c.isPending(w) {
			c.runWork(w)
		}
	}
	cur.flushing = saved
}

func (c *Core) isPending(w *Work) bool {
	for _, p := range w.wq.pending {
		if p == w {
			return true
		}
	}
	return false
}

// DeviceLinkWaitRemoval is device_link_wait_removal() (0462c56c290a):
// flush_workqueue(device_link_wq). The OF layer calls it only where the
// profile has it (devlink_wait != none).
func (c *Core) DeviceLinkWaitRemoval() {
	c.FlushWorkqueue(c.DeviceLinkWQ, "device_link_wait_removal")
}

// HasDeviceLinkWaitRemoval reports whether the profile's kernel has
// device_link_wait_removal() and device_link_wq. Both came with
// 0462c56c290a "driver core: Introduce device_link_wait_removal()"
// (v6.9-rc3; stable 6.8.5, 6.6.26, 6.1.85, 5.15.154, 5.10.215), the
// first half of the series whose second half, 8917e7385346, calls it
// from of_changeset_destroy(); Hervé Codina's earlier placements
// (+wait-early, +wait-unlocked) carried the same driver-core patch. So
// the function exists exactly where devlink_wait is not "none".
func (c *Core) HasDeviceLinkWaitRemoval() bool { return hasDeviceLinkWQ(c.Prof) }

func hasDeviceLinkWQ(prof *profile.Profile) bool { return !prof.Is("devlink_wait", "none") }

// deviceLinkWQName is the name of the queue the devlink release work runs
// on: before 0462c56c290a devlink_dev_release() did
// queue_work(system_long_wq, &link->rm_work).
func deviceLinkWQName(prof *profile.Profile) string {
	if hasDeviceLinkWQ(prof) {
		return "device_link_wq"
	}
	return "system_long_wq"
}

// allPending returns every pending item of every queue in queueing order.
// Workqueues returns the modelled workqueues, in a fixed order.
func (c *Core) Workqueues() []*Workqueue { return []*Workqueue{c.DeviceLinkWQ, c.SystemWQ} }

func (c *Core) allPending() []*Work {
	var out []*Work
	for _, wq := range c.Workqueues() {
		out = append(out, wq.pending...)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].seq < out[j-1].seq; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Sched runs up to n pending items (n <= 0: all) at a sched point inside
// a long operation, oldest first, as a concurrent kworker would. An item
// that would block on a lock the interrupted task holds stays pending.
func (c *Core) Sched(point string, n int) {
	ran := 0
	for _, w := range c.allPending() {
		if n > 0 && ran >= n {
			return
		}
		if c.blocked(w) {
			continue
		}
		c.runWork(w)
		ran++
	}
}

func (c *Core) blocked(w *Work) bool {
	if w.needs == nil {
		return false
	}
	for _, m := range w.needs(w) {
		if m.Held() {
			return true
		}
	}
	return false
}

// FlushAll runs every pending item of every queue until none is left
// (the teardown quiesce, and the end of boot).
func (c *Core) FlushAll() {
	for i := 0; i < 1000; i++ {
		p := c.allPending()
		if len(p) == 0 {
			return
		}
		c.runWork(p[0])
	}
	panic("core: work items keep requeueing")
}
