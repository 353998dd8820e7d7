package sim

import (
	"fmt"
	"testing"
)

func cacheSource(i int) *Source {
	return &Source{Name: "o.dtso", Data: fmt.Appendf(nil, "/dts-v1/;\n/plugin/;\n&{/} { n%d { p = <%d>; }; };\n", i, i)}
}

// TestCacheLRU: the cache holds at most its entry bound, drops the least
// recently used tree first, and keys by content (same name, other text:
// another tree).
func TestCacheLRU(t *testing.T) {
	c := NewCacheSize(2, 0)
	for i := 0; i < 3; i++ {
		if _, err := LoadTree(cacheSource(i)); err != nil {
			t.Fatal(err)
		}
	}
	put := func(i int) {
		s := cacheSource(i)
		tr, _ := LoadTree(s)
		c.put(s.Name, s.Data, tr)
	}
	has := func(i int) bool { s := cacheSource(i); return c.get(s.Name, s.Data) != nil }
	put(0)
	put(1)
	if !has(0) { // 0 is now the most recent
		t.Fatal("tree 0 missing")
	}
	put(2) // evicts 1, the least recently used
	if c.Len() != 2 || has(1) || !has(0) || !has(2) {
		t.Errorf("after 3 puts into 2 entries: len %d, has 0/1/2 = %t/%t/%t, want 2, true/false/true", c.Len(), has(0), has(1), has(2))
	}
	if s := cacheSource(0); c.get("other.dtso", s.Data) != nil {
		t.Error("a different name hits the same entry")
	}
}

// TestCacheBytes: the byte bound evicts too and keeps Bytes
// under the bound; a run through a one-entry cache logs as one without.
func TestCacheBytes(t *testing.T) {
	s := cacheSource(0)
	tr, err := LoadTree(s)
	if err != nil {
		t.Fatal(err)
	}
	one := treeSize(tr)
	c := NewCacheSize(0, 3*one+one/2)
	for i := 0; i < 10; i++ {
		s := cacheSource(i)
		tr, _ := LoadTree(s)
		c.put(s.Name, s.Data, tr)
	}
	if c.Len() != 3 || c.Bytes() > 3*one+one/2 {
		t.Errorf("byte bound %d: holds %d trees, %d bytes; want 3 trees", 3*one+one/2, c.Len(), c.Bytes())
	}
	// a run through a tiny cache gives the same result as one through none
	p := corpusPrograms(t)["../corpus/b1-reg-expander.prog"]
	want, err := Run(p, Config{Filename: "b1"})
	if err != nil {
		t.Fatal(err)
	}
	tiny := NewCacheSize(1, 1)
	for i := 0; i < 2; i++ {
		got, err := Run(p, Config{Filename: "b1", Cache: tiny})
		if err != nil {
			t.Fatal(err)
		}
		if got.Log != want.Log {
			t.Fatalf("run %d through a one-entry cache logs differently:\n%s", i, lineDiff(want.Log, got.Log))
		}
	}
}
