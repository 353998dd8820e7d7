package main

import "testing"

// The explore summary line dangle explore prints on stderr parses, the
// elapsed time included (transitions/s in table 5).
func TestExploreLine(t *testing.T) {
	m := exploreLineRE.FindStringSubmatch("explore: corpus/b2.prog: 4439 states, 18211 transitions, depth 7 complete, in 1m0.5s (210 states/s)")
	if m == nil || m[1] != "4439" || m[2] != "18211" || m[3] != "7" || m[4] != "1m0.5s" || m[5] != "210" {
		t.Fatalf("%q", m)
	}
}
