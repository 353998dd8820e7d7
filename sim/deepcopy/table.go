package deepcopy

import "unsafe"

// table is an open-addressing hash table from original addresses to
// their copies: the copier's one hot data structure (a lookup per
// pointer copied), several times cheaper than a Go map here and reused
// across copies.
type table struct {
	keys []unsafe.Pointer
	vals []entry // no pointers: clearing and scanning it is cheap
	mask uintptr
	n    int
}

// init empties the table and sizes it for about n entries.
func (t *table) init(n int) {
	size := 64
	for size < 2*n {
		size *= 2
	}
	if len(t.keys) < size {
		t.keys = make([]unsafe.Pointer, size)
		t.vals = make([]entry, size)
	}
	t.mask = uintptr(len(t.keys) - 1)
	t.n = 0
}

// reset drops every entry (and the references its keys hold).
func (t *table) reset() {
	clear(t.keys)
	clear(t.vals)
	t.n = 0
}

func (t *table) slot(p unsafe.Pointer) uintptr {
	h := uintptr(p) >> 3
	h ^= h >> 17
	h = uintptr(uint64(h) * 0x9e3779b97f4a7c15)
	return (h >> 7) & t.mask
}

// get returns p's entry, or nil.
func (t *table) get(p unsafe.Pointer) *entry {
	for i := t.slot(p); ; i = (i + 1) & t.mask {
		switch t.keys[i] {
		case p:
			return &t.vals[i]
		case nil:
			return nil
		}
	}
}

// put sets p's entry.
func (t *table) put(p unsafe.Pointer, e entry) {
	if 2*(t.n+1) > len(t.keys) {
		t.grow()
	}
	for i := t.slot(p); ; i = (i + 1) & t.mask {
		switch t.keys[i] {
		case p:
			t.vals[i] = e
			return
		case nil:
			t.keys[i], t.vals[i] = p, e
			t.n++
			return
		}
	}
}

func (t *table) grow() {
	keys, vals := t.keys, t.vals
	t.keys = make([]unsafe.Pointer, 2*len(keys))
	t.vals = make([]entry, 2*len(keys))
	t.mask = uintptr(len(t.keys) - 1)
	t.n = 0
	for i, k := range keys {
		if k != nil {
			t.put(k, vals[i])
		}
	}
}
