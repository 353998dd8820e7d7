//go:build unix

package bench

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time so far (every thread,
// GC workers included), as sim's benchmarks measure it: on a shared
// machine the wall clock moves with the load, the CPU time much less.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
