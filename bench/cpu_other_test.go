//go:build !unix

package bench

import "time"

// cpuTime is unknown here: no cpu metrics are reported.
func cpuTime() time.Duration { return 0 }
