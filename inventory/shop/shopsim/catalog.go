// Package shopsim holds what the shop simulators share: a lazily
// generated, deterministic catalog of N records ordered by update time, in
// which single records can be "touched" (updated) so incremental syncs have
// something to find. Nothing is held per record except touched ones, so
// catalogs of 100,000 orders cost a few hundred bytes.
package shopsim

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// Item is one record of the catalog as of now.
type Item struct {
	Index     int       // 0..N-1, the record's identity
	UpdatedAt time.Time // last update
	Revision  int       // 0 for untouched, +1 per Touch
}

// Key orders items: by UpdatedAt, then Index.
type Key struct {
	UpdatedAt time.Time
	Index     int
}

// Catalog is the ordered set of N records; it is safe for concurrent use.
type Catalog struct {
	mu      sync.RWMutex
	n       int
	start   time.Time
	step    time.Duration
	touched map[int]Item // by index
	order   []int        // touched indices in UpdatedAt order
}

// NewCatalog returns a catalog of n records; record i was last updated at
// start + i*step until it is touched.
func NewCatalog(n int, start time.Time, step time.Duration) *Catalog {
	if step <= 0 {
		step = time.Second
	}
	return &Catalog{n: n, start: start.UTC(), step: step, touched: map[int]Item{}}
}

// Len returns the number of records.
func (c *Catalog) Len() int { return c.n }

// Get returns record i as of now.
func (c *Catalog) Get(i int) Item {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.get(i)
}

func (c *Catalog) get(i int) Item {
	if it, ok := c.touched[i]; ok {
		return it
	}
	return Item{Index: i, UpdatedAt: c.base(i)}
}

func (c *Catalog) base(i int) time.Time { return c.start.Add(time.Duration(i) * c.step) }

// Touch records an update of record i, later than every update so far, and
// returns the record as now.
func (c *Catalog) Touch(i int) Item {
	if i < 0 || i >= c.n {
		panic(fmt.Sprintf("shopsim: touch of record %d out of %d", i, c.n))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	last := c.base(c.n - 1)
	if len(c.order) > 0 {
		last = c.touched[c.order[len(c.order)-1]].UpdatedAt
	}
	it := c.get(i)
	it.UpdatedAt, it.Revision = last.Add(c.step), it.Revision+1
	if j := slices.Index(c.order, i); j >= 0 {
		c.order = slices.Delete(c.order, j, j+1)
	}
	c.touched[i], c.order = it, append(c.order, i)
	return it
}

// Filter selects records updated after Since (at or after when Inclusive).
type Filter struct {
	Since     time.Time
	Inclusive bool
}

func (f Filter) pass(t time.Time) bool {
	if f.Since.IsZero() {
		return true
	}
	return t.After(f.Since) || (f.Inclusive && t.Equal(f.Since))
}

// lo returns the first base index whose base time passes f.
func (c *Catalog) lo(f Filter) int {
	for i := max(0, int(f.Since.Sub(c.start)/c.step)-1); i < c.n; i++ {
		if f.pass(c.base(i)) {
			return i
		}
	}
	return c.n
}

// touchedIn counts touched indices in [from, to).
func (c *Catalog) touchedIn(from, to int) int {
	n := 0
	for i := range c.touched {
		if i >= from && i < to {
			n++
		}
	}
	return n
}

// tail returns the touched indices that pass f, in order.
func (c *Catalog) tail(f Filter) []int {
	k := 0
	for k < len(c.order) && !f.pass(c.touched[c.order[k]].UpdatedAt) {
		k++
	}
	return c.order[k:]
}

// Count returns how many records pass f.
func (c *Catalog) Count(f Filter) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	lo := c.lo(f)
	return c.n - lo - c.touchedIn(lo, c.n) + len(c.tail(f))
}

// Position returns how many records that pass f sort at or before k.
func (c *Catalog) Position(f Filter, k Key) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	lo := c.lo(f)
	hi := 0 // base records that sort before k: base(j) < k.UpdatedAt ...
	if d := k.UpdatedAt.Sub(c.start); d > 0 {
		hi = min(c.n, int((d+c.step-1)/c.step))
	}
	if hi < c.n && c.base(hi).Equal(k.UpdatedAt) && hi <= k.Index {
		hi++ // ... or at the same instant with an index not above k's
	}
	hi = max(hi, lo)
	pos := hi - lo - c.touchedIn(lo, hi)
	for _, i := range c.tail(f) {
		it := c.touched[i]
		if it.UpdatedAt.Before(k.UpdatedAt) || it.UpdatedAt.Equal(k.UpdatedAt) && i <= k.Index {
			pos++
		}
	}
	return pos
}

// Slice returns up to limit records that pass f, starting at offset in the
// (UpdatedAt, Index) order.
func (c *Catalog) Slice(f Filter, offset, limit int) []Item {
	c.mu.RLock()
	defer c.mu.RUnlock()
	lo := c.lo(f)
	baseLen := c.n - lo - c.touchedIn(lo, c.n)
	out := make([]Item, 0, max(0, min(limit, c.n)))
	if offset < baseLen {
		idx := lo + offset // the offset-th untouched index at or after lo
		for {
			next := lo + offset + c.touchedIn(lo, idx+1)
			if next == idx {
				break
			}
			idx = next
		}
		for ; idx < c.n && len(out) < limit; idx++ {
			if _, t := c.touched[idx]; !t {
				out = append(out, Item{Index: idx, UpdatedAt: c.base(idx)})
			}
		}
		offset = 0
	} else {
		offset -= baseLen
	}
	tail := c.tail(f)
	for k := offset; k < len(tail) && len(out) < limit; k++ {
		out = append(out, c.touched[tail[k]])
	}
	return out
}
