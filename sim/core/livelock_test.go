package core

import "testing"

// TestRetryGuard: a pass that leaves the consumer links as the previous
// one did is stuck at once; a loop that keeps changing them is stopped
// only by the pass bound (a cycle longer than one pass).
func TestRetryGuard(t *testing.T) {
	d := &Device{Name: "sup"}
	l := &Link{Supplier: d, Flags: DL_FLAG_MANAGED | DL_FLAG_SYNC_STATE_ONLY, Status: DL_STATE_CONSUMER_PROBE}
	d.consumers = []*Link{l}

	g := retryGuard{d: d}
	if g.stuck() {
		t.Fatal("first pass reported stuck")
	}
	if !g.stuck() {
		t.Fatal("second pass with unchanged links not reported stuck")
	}

	g = retryGuard{d: d}
	for i := 1; i <= maxRetries; i++ {
		if g.stuck() {
			t.Fatalf("pass %d of a changing loop reported stuck", i)
		}
		if l.Status == DL_STATE_CONSUMER_PROBE {
			l.Status = DL_STATE_ACTIVE
		} else {
			l.Status = DL_STATE_CONSUMER_PROBE
		}
	}
	if !g.stuck() {
		t.Fatalf("pass %d of a two-state cycle not stopped", maxRetries+1)
	}
}
