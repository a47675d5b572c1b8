package tenant

import (
	"context"
	"sync"
	"time"

	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
)

// Cache keeps one value per workspace in this process, for what a hot path
// would otherwise read from the database on every request. Like the
// credential cache it answers only while the Service's change listener is
// connected: a change announced on ChangesChannel drops the workspace's
// value in every process, Changed drops it in this one as soon as its
// transaction commits, losing the listener empties it, and values age out
// after cacheTTL.
type Cache[T any] struct {
	svc     *Service
	mu      sync.Mutex
	gen     uint64               // bumped when everything is forgotten
	drops   map[uuid.UUID]uint64 // bumped by each drop of the workspace
	entries map[uuid.UUID]cacheEntry[T]
}

// CacheEpoch is what a load saw of a Cache: a value loaded after it is
// kept only if neither its workspace nor the whole cache was dropped
// since.
type CacheEpoch struct{ gen, drops uint64 }

type cacheEntry[T any] struct {
	value  T
	loaded time.Time
}

// workspaceCache is what the listener tells of changes.
type workspaceCache interface {
	drop(tenantID uuid.UUID)
	reset()
}

// NewCache returns an empty cache kept in step by s's change listener.
func NewCache[T any](s *Service) *Cache[T] {
	c := &Cache[T]{svc: s}
	s.cachesMu.Lock()
	s.caches = append(s.caches, c)
	s.cachesMu.Unlock()
	return c
}

// Get returns the workspace's value when one is cached and may be served;
// otherwise the epoch to pass to Put with the value the caller loads.
func (c *Cache[T]) Get(tenantID uuid.UUID) (v T, epoch CacheEpoch, ok bool) {
	if c == nil {
		return v, epoch, false
	}
	serving := c.svc.creds.isServing()
	c.mu.Lock()
	defer c.mu.Unlock()
	epoch = CacheEpoch{c.gen, c.drops[tenantID]}
	e, found := c.entries[tenantID]
	if serving && found && time.Since(e.loaded) < cacheTTL {
		return e.value, epoch, true
	}
	return v, epoch, false
}

// Put keeps a value loaded after Get returned epoch, unless the workspace
// was dropped since (or everything was) or the listener is not connected.
// A value read in the transaction in ctx is kept only once it commits: a
// rolled-back transaction's reads (its own uncommitted writes among them)
// are never served, and a Changed earlier in it wins.
func (c *Cache[T]) Put(ctx context.Context, epoch CacheEpoch, tenantID uuid.UUID, v T) {
	if c != nil {
		postgres.AfterCommit(ctx, func() { c.put(epoch, tenantID, v) })
	}
}

func (c *Cache[T]) put(epoch CacheEpoch, tenantID uuid.UUID, v T) {
	if !c.svc.creds.isServing() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != (CacheEpoch{c.gen, c.drops[tenantID]}) {
		return
	}
	if c.entries == nil || len(c.entries) >= cacheEntries {
		c.entries = make(map[uuid.UUID]cacheEntry[T])
	}
	c.entries[tenantID] = cacheEntry[T]{value: v, loaded: time.Now()}
}

// Changed drops the workspace's value in this process as soon as the
// transaction in ctx commits (at once outside one); other processes hear of
// the change from the database's trigger on ChangesChannel.
func (c *Cache[T]) Changed(ctx context.Context, tenantID uuid.UUID) {
	if c != nil {
		postgres.AfterCommit(ctx, func() { c.drop(tenantID) })
	}
}

func (c *Cache[T]) drop(tenantID uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, tenantID)
	switch {
	case c.drops == nil:
		c.drops = make(map[uuid.UUID]uint64)
	case len(c.drops) >= cacheEntries:
		// Forgetting the counts forgets everything they guarded.
		c.gen++
		c.drops, c.entries = make(map[uuid.UUID]uint64), nil
	}
	c.drops[tenantID]++
}

func (c *Cache[T]) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.drops, c.entries = nil, nil
}

// dropWorkspace drops the workspace from the credential cache and every
// other cache of s.
func (s *Service) dropWorkspace(tenantID uuid.UUID) {
	s.creds.drop(tenantID)
	for _, c := range s.workspaceCaches() {
		c.drop(tenantID)
	}
}

// setLive turns caching on or off, forgetting everything either way.
func (s *Service) setLive(live bool) {
	s.creds.setLive(live)
	for _, c := range s.workspaceCaches() {
		c.reset()
	}
}

func (s *Service) workspaceCaches() []workspaceCache {
	s.cachesMu.Lock()
	defer s.cachesMu.Unlock()
	return s.caches
}
