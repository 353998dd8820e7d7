package minimizer

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// containsAll fails when every element of need is present.
func containsAll(need []int) func([]int) bool {
	return func(s []int) bool {
		for _, n := range need {
			if !slices.Contains(s, n) {
				return false
			}
		}
		return true
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func TestDDMinFindsTheCause(t *testing.T) {
	for _, tc := range []struct {
		n    int
		need []int
	}{
		{1, []int{0}},
		{2, []int{1}},
		{100, []int{37}},
		{100, []int{3, 50, 97}},
		{64, []int{0, 63}},
		{7, seq(7)},
	} {
		got := DDMin(seq(tc.n), Config[int]{Fails: containsAll(tc.need)})
		if !slices.Equal(got, tc.need) {
			t.Errorf("n=%d need %v: got %v", tc.n, tc.need, got)
		}
	}
}

func TestDDMinEmptyFails(t *testing.T) {
	got := DDMin(seq(10), Config[int]{Fails: func([]int) bool { return true }})
	if len(got) != 0 {
		t.Errorf("always-failing predicate: got %v, want empty", got)
	}
}

// TestDDMinOneMinimalNonMonotone: a predicate that is not monotone (fails
// for an even count of elements >= 4) still yields a 1-minimal result.
func TestDDMinOneMinimalNonMonotone(t *testing.T) {
	fails := func(s []int) bool { return len(s) >= 4 && len(s)%2 == 0 }
	got := DDMin(seq(50), Config[int]{Fails: fails})
	if !fails(got) {
		t.Fatalf("result %v does not fail", got)
	}
	checkOneMinimal(t, got, fails)
}

func checkOneMinimal(t *testing.T, got []int, fails func([]int) bool) {
	t.Helper()
	for i := range got {
		c := slices.Delete(slices.Clone(got), i, i+1)
		if fails(c) {
			t.Errorf("not 1-minimal: %v still fails without element %d", got, got[i])
		}
	}
}

func TestDDMinMemo(t *testing.T) {
	calls := 0
	need := containsAll([]int{5, 17})
	fails := func(s []int) bool { calls++; return need(s) }
	DDMin(seq(40), Config[int]{Fails: fails, Key: func(s []int) string { return fmt.Sprint(s) }})
	memoCalls := calls
	calls = 0
	DDMin(seq(40), Config[int]{Fails: fails})
	if memoCalls >= calls {
		t.Errorf("memo saved nothing: %d calls with it, %d without", memoCalls, calls)
	}
}

func TestDDMinBudget(t *testing.T) {
	calls := 0
	need := containsAll([]int{5, 17, 33})
	b := &Budget{Steps: 7}
	got := DDMin(seq(40), Config[int]{Fails: func(s []int) bool { calls++; return need(s) }, Budget: b})
	if calls != 7 || b.Used() != 7 || !b.Exhausted() {
		t.Errorf("calls %d, used %d, exhausted %v: want 7, 7, true", calls, b.Used(), b.Exhausted())
	}
	if !need(got) {
		t.Errorf("budget-limited result %v does not fail", got)
	}
	past := &Budget{Deadline: time.Now().Add(-time.Second)}
	if got := DDMin(seq(10), Config[int]{Fails: need, Budget: past}); len(got) != 10 || !past.Exhausted() {
		t.Errorf("past deadline: got %v (exhausted %v), want the input back", got, past.Exhausted())
	}
}

// TestDDMinProperty: for random inputs and random monotone and
// non-monotone predicates, the result is a subsequence of the input, still
// fails, and is 1-minimal.
func TestDDMinProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 60).Draw(t, "n")
		items := seq(n)
		need := rapid.SliceOfNDistinct(rapid.IntRange(0, n-1), 0, 5, rapid.ID).Draw(t, "need")
		parity := rapid.Bool().Draw(t, "parity")
		fails := func(s []int) bool {
			if !containsAll(need)(s) {
				return false
			}
			return !parity || len(s)%2 == len(need)%2
		}
		got := DDMin(items, Config[int]{Fails: fails})
		if !fails(got) {
			t.Fatalf("result %v does not fail", got)
		}
		if !isSubsequence(got, items) {
			t.Fatalf("result %v is not a subsequence", got)
		}
		for i := range got {
			if c := slices.Delete(slices.Clone(got), i, i+1); fails(c) {
				t.Fatalf("not 1-minimal: %v fails without %d", got, got[i])
			}
		}
	})
}

func isSubsequence(sub, s []int) bool {
	i := 0
	for _, x := range s {
		if i < len(sub) && sub[i] == x {
			i++
		}
	}
	return i == len(sub)
}
