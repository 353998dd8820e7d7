package sim

import (
	"crypto/sha256"

	"dangle/dt"
)

// Default bounds of NewCache: far more than one program's trees, and a
// few hundred distinct overlay texts (a compiled overlay is a few KB), so
// a soak or fuzz worker's memory stays flat however many distinct
// programs it runs (unbounded, 200k fuzz inputs held 1.3 GB).
const (
	DefaultCacheEntries = 512
	DefaultCacheBytes   = 32 << 20
)

// Cache memoizes compiled device trees by a SHA-256 of name and content,
// least recently used first out once it holds more than its entry or
// byte bound. Compiled trees are never mutated by a run (unflatten
// copies values), so a hit is shared. A Cache is not safe for concurrent
// use: give each worker its own.
type Cache struct {
	maxEntries int
	maxBytes   int64
	bytes      int64
	entries    map[[sha256.Size]byte]*cacheEntry
	// head is the sentinel of the recency list: head.next is the most
	// recently used entry, head.prev the least.
	head cacheEntry
	buf  []byte // reused for the hashed name+content
	// snaps are the booted kernels runs start from (snapshot.go).
	snaps snapshots
}

type cacheEntry struct {
	key        [sha256.Size]byte
	tree       *dt.Tree
	size       int64
	prev, next *cacheEntry
}

// NewCache returns an empty cache with the default bounds.
func NewCache() *Cache { return NewCacheSize(DefaultCacheEntries, DefaultCacheBytes) }

// NewCacheSize returns an empty cache holding at most maxEntries trees
// and about maxBytes of compiled trees (the most recent tree is kept
// even when it alone is larger). A bound ≤ 0 is no bound.
func NewCacheSize(maxEntries int, maxBytes int64) *Cache {
	c := &Cache{maxEntries: maxEntries, maxBytes: maxBytes,
		entries: map[[sha256.Size]byte]*cacheEntry{}}
	c.head.prev, c.head.next = &c.head, &c.head
	return c
}

// Len is the number of trees held.
func (c *Cache) Len() int { return len(c.entries) }

// Bytes is the estimated size of the trees held.
func (c *Cache) Bytes() int64 { return c.bytes }

func (c *Cache) key(name string, data []byte) [sha256.Size]byte {
	c.buf = append(append(append(c.buf[:0], name...), 0), data...)
	return sha256.Sum256(c.buf)
}

// get returns the tree compiled from name and data, or nil.
func (c *Cache) get(name string, data []byte) *dt.Tree {
	e := c.entries[c.key(name, data)]
	if e == nil {
		return nil
	}
	c.unlink(e)
	c.pushFront(e)
	return e.tree
}

// put records the tree compiled from name and data, then drops the
// least recently used trees while a bound is exceeded.
func (c *Cache) put(name string, data []byte, t *dt.Tree) {
	k := c.key(name, data)
	if e := c.entries[k]; e != nil {
		c.unlink(e)
		c.bytes -= e.size
		delete(c.entries, k)
	}
	e := &cacheEntry{key: k, tree: t, size: treeSize(t)}
	c.entries[k] = e
	c.bytes += e.size
	c.pushFront(e)
	for len(c.entries) > 1 && (c.maxEntries > 0 && len(c.entries) > c.maxEntries ||
		c.maxBytes > 0 && c.bytes > c.maxBytes) {
		old := c.head.prev
		c.unlink(old)
		c.bytes -= old.size
		delete(c.entries, old.key)
	}
}

func (c *Cache) unlink(e *cacheEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (c *Cache) pushFront(e *cacheEntry) {
	e.prev, e.next = &c.head, c.head.next
	c.head.next.prev = e
	c.head.next = e
}

// treeSize estimates the bytes a compiled tree holds: its strings and
// values plus a fixed cost per node, property and label (struct and
// slice headers, allocation rounding).
func treeSize(t *dt.Tree) int64 {
	const perNode, perProp, perLabel = 120, 80, 24
	var size int64 = 64
	var walk func(n *dt.Node)
	walk = func(n *dt.Node) {
		size += perNode + int64(len(n.Name))
		for _, l := range n.Labels {
			size += perLabel + int64(len(l))
		}
		for _, p := range n.Props {
			size += perProp + int64(len(p.Name)+len(p.Value))
			for _, l := range p.Labels {
				size += perLabel + int64(len(l))
			}
		}
		for _, ch := range n.Children {
			walk(ch)
		}
	}
	if t != nil && t.Root != nil {
		walk(t.Root)
	}
	return size
}
