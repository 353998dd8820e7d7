package main

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"dangle/prog"
	"dangle/sim/report"
)

// entry is a corpus program: what regenerates it (its swarm seed and
// choice stream) and its file under DIR/corpus.
type entry struct {
	swarm uint64
	vals  []uint32
	file  string
	// decode: vals are bytes for seq.Decode (else answers for
	// seq.Generate)
	decode bool
	// prio is how many features the program added when it joined:
	// programs that found more are mutated more often.
	prio int
}

// corpus holds the programs that added signal, and the signal seen so
// far (syzkaller's max signal). It is shared by the workers; with one
// worker its contents, and so the programs mutated, are deterministic.
//
// It is bounded twice, so memory and disk stay flat however long the
// soak runs: at most max programs, and at most maxAnswers stream answers
// in all (answersPerEntry per program on average; a stream alone is at
// most maxStream). Past either bound entries are evicted (their files
// removed) until the new one fits: each time the worst of evictSample
// entries drawn at random, the worst being the one that added the fewest
// features when it joined per answer of its stream, and of equals the
// longest — so the programs that found the most signal for their size
// stay.
type corpus struct {
	mu         sync.Mutex
	dir        string // "" : not persisted
	max        int
	maxAnswers int // 0: max × answersPerEntry
	entries    []*entry
	answers    int // sum of the entries' len(vals)
	seen       [report.SignalBits / 64]uint64
	nseen      int
	total      int // sum of the entries' prio
	evicted    int64
}

// answersPerEntry is the corpus's average stream budget per program
// (4 bytes each): a generated program asks a few hundred choices, a
// decoded one reads 32–512 bytes; mutations that insert and duplicate
// make streams grow, which the total bound stops.
const answersPerEntry = 256

// evictSample is the size of the tournament that picks an entry to
// evict: larger keeps the best entries longer and costs a scan of that
// many entries per eviction.
const evictSample = 8

// add merges a run's features into the seen signal and reports whether
// any was new; if so (and p is not nil) the program joins the corpus.
// r (the caller's worker PRNG) draws the eviction tournaments.
func (c *corpus) add(r *rand.Rand, features []uint32, e *entry, p *prog.Program) (bool, error) {
	c.mu.Lock()
	added := 0
	for _, f := range features {
		w, b := f/64, uint64(1)<<(f%64)
		if c.seen[w]&b == 0 {
			c.seen[w] |= b
			c.nseen++
			added++
		}
	}
	isNew := added > 0
	if !isNew || e == nil {
		c.mu.Unlock()
		return isNew, nil
	}
	e.prio = min(added, 64)
	var text []byte
	if c.dir != "" {
		c.mu.Unlock()
		text, e.file = c.render(e, p) // named before it joins: an eviction removes its file
		c.mu.Lock()
	}
	evicted := c.makeRoom(r, len(e.vals))
	c.entries = append(c.entries, e)
	c.total += e.prio
	c.answers += len(e.vals)
	c.mu.Unlock()
	if c.dir == "" {
		return true, nil
	}
	for _, f := range evicted {
		if f != "" {
			os.Remove(f)
		}
	}
	// not synced: a corpus file lost to a crash costs coverage, not a
	// finding (crashers are synced)
	return true, writeFile(e.file, text, false)
}

// makeRoom evicts entries until one of n answers fits both bounds, and
// returns the evicted entries' files. c.mu is held.
func (c *corpus) makeRoom(r *rand.Rand, n int) (files []string) {
	budget := c.maxAnswers
	if budget <= 0 {
		budget = c.max * answersPerEntry
	}
	for len(c.entries) > 0 && (len(c.entries) >= c.max || c.answers+n > budget) {
		i := c.worst(r)
		e := c.entries[i]
		files = append(files, e.file)
		c.total -= e.prio
		c.answers -= len(e.vals)
		last := len(c.entries) - 1
		c.entries[i] = c.entries[last]
		c.entries[last] = nil
		c.entries = c.entries[:last]
		c.evicted++
	}
	return files
}

// worst returns the index of the worst of evictSample random entries:
// the fewest features added per stream answer (the answers are what the
// bound counts, so this keeps the most signal per byte), then the
// longest. Without the per-answer measure the corpus drifts to long
// programs: mutations insert more than they delete, and long programs
// run slower and hold more memory in flight.
func (c *corpus) worst(r *rand.Rand) int {
	w := r.IntN(len(c.entries))
	for range evictSample - 1 {
		i := r.IntN(len(c.entries))
		a, b := c.entries[i], c.entries[w]
		la, lb := max(1, len(a.vals)), max(1, len(b.vals))
		if da, db := a.prio*lb, b.prio*la; da < db || da == db && la > lb {
			w = i
		}
	}
	return w
}

// pick returns a corpus entry and another one (for splicing), nil if the
// corpus is empty.
func (c *corpus) pick(r *rand.Rand) (*entry, *entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) == 0 {
		return nil, nil
	}
	return c.weighted(r), c.entries[r.IntN(len(c.entries))]
}

// weighted picks an entry in proportion to its prio (syzkaller weighs
// corpus programs by their signal likewise).
func (c *corpus) weighted(r *rand.Rand) *entry {
	if c.total <= 0 {
		return c.entries[r.IntN(len(c.entries))]
	}
	x := r.IntN(c.total)
	for _, e := range c.entries {
		if x < e.prio {
			return e
		}
		x -= e.prio
	}
	return c.entries[len(c.entries)-1]
}

func (c *corpus) size() (entries, features int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries), c.nseen
}

// usage returns the stream answers held and the entries evicted so far.
func (c *corpus) usage() (answers int, evicted int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.answers, c.evicted
}

// render returns p as the corpus file's text, with the swarm seed and
// the stream in its header, so a restarted soak resumes from it, and the
// file's name (DIR/corpus/<hash>.prog).
func (c *corpus) render(e *entry, p *prog.Program) (text []byte, name string) {
	q := p.Clone()
	q.Header = append([]string{
		"# stress corpus: added new signal",
		"# swarm: " + strconv.FormatUint(e.swarm, 10),
		"# stream: " + encodeStream(e.vals),
	}, q.Header...)
	if e.decode {
		q.Header = append([]string{"# decode: bytes"}, q.Header...)
	}
	text = q.Print()
	sum := sha256.Sum256(text)
	return text, filepath.Join(c.dir, fmt.Sprintf("%x.prog", sum[:8]))
}

// load reads DIR/corpus/*.prog in name order. A file that does not parse
// or lacks its swarm and stream lines is reported by name and skipped.
func (c *corpus) load() (loaded int, bad []string) {
	names, _ := filepath.Glob(filepath.Join(c.dir, "*.prog"))
	slices.Sort(names)
	for _, name := range names {
		e, err := readEntry(name)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		if len(c.entries) >= c.max {
			break
		}
		e.prio = 1
		c.total++
		c.answers += len(e.vals)
		c.entries = append(c.entries, e)
		loaded++
	}
	return loaded, bad
}

func readEntry(name string) (*entry, error) {
	p, err := prog.ParseFile(name)
	if err != nil {
		return nil, err
	}
	e := &entry{file: name}
	var haveSwarm, haveStream bool
	for _, h := range p.Header {
		if v, ok := strings.CutPrefix(h, "# swarm: "); ok {
			if e.swarm, err = strconv.ParseUint(v, 10, 64); err != nil {
				return nil, fmt.Errorf("%s: swarm: %v", name, err)
			}
			haveSwarm = true
		}
		if h == "# decode: bytes" {
			e.decode = true
		}
		if v, ok := strings.CutPrefix(h, "# stream: "); ok {
			if e.vals, err = decodeStream(v); err != nil {
				return nil, fmt.Errorf("%s: stream: %v", name, err)
			}
			haveStream = true
		}
	}
	if !haveSwarm || !haveStream {
		return nil, fmt.Errorf("%s: not a stress corpus file (no \"# swarm:\" and \"# stream:\" lines)", name)
	}
	return e, nil
}

// writeAtomic writes data to name through a temporary file in the same
// directory, synced and renamed: a reader (or a crash) sees the old file
// or the new one, never a part.
func writeAtomic(name string, data []byte) error { return writeFile(name, data, true) }

// writeFile is writeAtomic, syncing the data before the rename if sync.
func writeFile(name string, data []byte, sync bool) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-"+filepath.Base(name)+"-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
