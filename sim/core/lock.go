package core

import (
	"dangle/sim/of"
	"dangle/sim/report"
)

// The lock checker. The simulation is single-threaded, so a mutex is a
// record of its holder; what the checker adds is who is waiting for what.
// There are two execution contexts: the task running the program's op,
// and the kworker running a work item (RunWork, a flush, a sched point).
// It reports:
//   - a work item that needs a lock held by a task blocked flushing that
//     work item's queue: "deadlock: flush_workqueue(device_link_wq) under
//     of_mutex" (kernel-model §10 hazard (a));
//   - a work item flushing its own queue (hazard (b));
//   - synchronize_srcu() in a work item while the flusher is inside an
//     SRCU read section (hazard (c));
//   - lock-order inversions between lock classes, as lockdep's "possible
//     circular locking dependency detected". Device mutexes are left out,
//     as lockdep_set_novalidate_class(&dev->mutex) does. A workqueue is a
//     lock class too, "(wq_completion)<name>", as in lockdep: a flush
//     acquires and releases it (__flush_workqueue's lock_map_acquire), and
//     a work item runs holding it (process_one_work), so "flush under L"
//     plus "a work item of that queue takes L" is an inversion even when
//     the item never runs during the flush.

// task is one execution context.
type task struct {
	name string
	held []*of.Mutex
	// flushing is the queue this task waits on (flush_workqueue), if any.
	flushing *Workqueue
	// srcu counts device_links_srcu read sections held.
	srcu int
}

type lockState struct {
	main, kworker task
	cur           *task
	owner         map[*of.Mutex]*task
	// edges is lockdep's dependency graph by class name, in insertion
	// order per source (map for lookup; iteration is over slices).
	edges    map[string][]string
	reported map[string]bool
}

func (l *lockState) init() {
	l.main.name = "dangle:1"
	l.kworker.name = "kworker/0:1"
	l.cur = &l.main
	l.owner = map[*of.Mutex]*task{}
	l.edges = map[string][]string{}
	l.reported = map[string]bool{}
}

// novalidate reports lock classes lockdep does not validate.
func novalidate(m *of.Mutex) bool { return m.Name == "&dev->mutex" }

// Lock is mutex_lock(m) by fn in the current context.
func (c *Core) Lock(m *of.Mutex, fn string) { m.Lock(fn); c.acquireIfUnhooked(m, fn) }

// Unlock is mutex_unlock(m).
func (c *Core) Unlock(m *of.Mutex) { c.releaseIfUnhooked(m); m.Unlock() }

// The OF layer's mutexes report through of.Hooks; the driver core's own
// (device_links_lock, device mutexes, regulator_list_mutex) through these.
func (c *Core) acquireIfUnhooked(m *of.Mutex, fn string) {
	if m != &c.OF.OfMutex && m != &c.OF.OfOverlayPhandleMutex {
		c.acquire(m, fn)
		m.Holder = fn
	}
}

func (c *Core) releaseIfUnhooked(m *of.Mutex) {
	if m != &c.OF.OfMutex && m != &c.OF.OfOverlayPhandleMutex {
		c.release(m)
	}
}

// acquire records the current context taking m in fn, after checking it
// against the flusher and the lock-order graph.
func (c *Core) acquire(m *of.Mutex, fn string) {
	l := &c.locks
	cur := l.cur
	// quiet: the acquisition is already reported as the deadlock it is;
	// its lockdep edge is recorded without a second report.
	quiet := false
	if m.Held() {
		if o := l.owner[m]; o != nil && o != cur && o.flushing != nil && cur == &l.kworker {
			quiet = true
			c.reportDeadlock("deadlock: flush_workqueue("+o.flushing.Name+") under "+m.Name,
				[]string{m.Name + " held by " + m.Holder, "needed by " + fn + " in a " + o.flushing.Name + " work item"},
				"INFO: task "+o.name+" blocked for more than 120 seconds: flush_workqueue("+o.flushing.Name+") holding "+m.Name+"; "+fn+" in a work item waits for it")
		} else if o == cur && !novalidate(m) {
			c.reportDeadlock("deadlock: recursive locking of "+m.Name+" in "+fn,
				[]string{m.Name + " held by " + m.Holder},
				"WARNING: possible recursive locking detected")
		}
	}
	if !novalidate(m) {
		for _, h := range cur.held {
			if novalidate(h) || h == m {
				continue
			}
			c.lockdepEdge(h, m, fn, quiet)
		}
	}
	cur.held = append(cur.held, m)
	l.owner[m] = cur
}

// lockMap is wq->lockdep_map, the lock class "(wq_completion)<name>".
func (wq *Workqueue) lockMap() *of.Mutex {
	if wq.lmap.Name == "" {
		wq.lmap.Name = "(wq_completion)" + wq.Name
	}
	return &wq.lmap
}

// lockMapAcquire is lock_map_acquire(map) by fn in the current context:
// the lockdep edges from every lock held, and map held until
// lockMapRelease. Maps are not mutexes: nothing ever waits on them here.
func (c *Core) lockMapAcquire(m *of.Mutex, fn string) {
	m.Holder = fn
	c.acquire(m, fn)
}

// lockMapRelease is lock_map_release(map).
func (c *Core) lockMapRelease(m *of.Mutex) {
	c.release(m)
	m.Holder = ""
}

func (c *Core) release(m *of.Mutex) {
	cur := c.locks.cur
	for i := len(cur.held) - 1; i >= 0; i-- {
		if cur.held[i] == m {
			if i == len(cur.held)-1 {
				// the usual LIFO unlock: shrink in place, so the next
				// lock reuses the array (a copy per unlock was 6% of a
				// run's allocations)
				cur.held = cur.held[:i]
			} else {
				cur.held = append(cur.held[:i:i], cur.held[i+1:]...)
			}
			break
		}
	}
	if c.locks.owner[m] == cur {
		delete(c.locks.owner, m)
	}
}

// lockdepEdge records "held -> m" and reports an inversion if m already
// (transitively) depends on held.
func (c *Core) lockdepEdge(held, m *of.Mutex, fn string, quiet bool) {
	l := &c.locks
	for _, e := range l.edges[held.Name] {
		if e == m.Name {
			return
		}
	}
	if c.reaches(m.Name, held.Name, map[string]bool{}) {
		key := held.Name + "->" + m.Name
		if quiet {
			l.reported[key] = true
		}
		if !l.reported[key] {
			l.reported[key] = true
			mark := c.Log.Mark()
			c.Log.Printf("======================================================")
			c.Log.Printf("WARNING: possible circular locking dependency detected")
			c.Log.Printf("------------------------------------------------------")
			c.Log.Printf("%s is trying to acquire lock:", l.cur.name)
			c.Log.Printf("  (%s), at: %s", m.Name, fn)
			c.Log.Printf("but task is already holding lock:")
			c.Log.Printf("  (%s), at: %s", held.Name, held.Holder)
			c.Log.Printf("which lock already depends on the new lock.")
			c.Log.Report(report.Finding{Kind: report.Deadlock, Title: "possible deadlock in " + fn,
				Objects: []string{held.Name + " -> " + m.Name + " (earlier: " + m.Name + " -> " + held.Name + ")"},
				Log:     c.Log.Since(mark)})
		}
	}
	l.edges[held.Name] = append(l.edges[held.Name], m.Name)
}

func (c *Core) reaches(from, to string, seen map[string]bool) bool {
	if from == to {
		return true
	}
	if seen[from] {
		return false
	}
	seen[from] = true
	for _, n := range c.locks.edges[from] {
		if c.reaches(n, to, seen) {
			return true
		}
	}
	return false
}

func (c *Core) reportDeadlock(title string, objs []string, line string) {
	if c.locks.reported[title] {
		return
	}
	c.locks.reported[title] = true
	mark := c.Log.Mark()
	c.Log.Printf("%s", line)
	c.Log.Report(report.Finding{Kind: report.Deadlock, Title: title, Objects: objs, Log: c.Log.Since(mark)})
}

// SRCUReadLock is srcu_read_lock(&device_links_srcu) in the current context.
func (c *Core) SRCUReadLock() { c.locks.cur.srcu++ }

// SRCUReadUnlock is srcu_read_unlock(&device_links_srcu).
func (c *Core) SRCUReadUnlock() { c.locks.cur.srcu-- }

// synchronizeSRCU is synchronize_srcu(&device_links_srcu) from fn: it
// waits for every reader; a reader blocked flushing the caller's queue
// never leaves its section.
func (c *Core) synchronizeSRCU(fn string) {
	if c.locks.cur == &c.locks.kworker && c.locks.main.srcu > 0 && c.locks.main.flushing != nil {
		c.reportDeadlock("deadlock: flush_workqueue("+c.locks.main.flushing.Name+") under device_links_srcu",
			[]string{"device_links_srcu read section held by the flusher", "synchronize_srcu in " + fn},
			"INFO: task blocked in flush_workqueue("+c.locks.main.flushing.Name+") inside an SRCU read section; "+fn+" waits in synchronize_srcu")
	}
}
