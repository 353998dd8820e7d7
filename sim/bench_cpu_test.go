//go:build unix

package sim

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time so far (every thread,
// GC workers included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds a cpu-ns/op metric: on a machine shared with other
// jobs the wall-clock ns/op moves with the load, the CPU time the
// benchmark itself burned much less.
func reportCPU(b *testing.B, start time.Duration) {
	if b.N > 0 && start > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	}
}
