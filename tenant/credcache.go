package tenant

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
)

// ChangesChannel is the PostgreSQL channel on which every committed change
// to a workspace, membership, session or API key (migration 00008), and to
// what Caches hold (webhook subscriptions and agents' presence, migration
// 00012), is announced with the workspace's id.
const ChangesChannel = "deskpool_credentials"

// ListenerName is the application_name of the listener's connection, by
// which it shows in pg_stat_activity.
const ListenerName = "deskpool credential listener"

// credentialCache keeps what recently used credentials grant, and their
// workspaces, so that an authenticated request needs no database round
// trip to know who is calling. It answers only while a listener on
// ChangesChannel is connected: a committed change drops the workspace's
// entries in every process, and losing the listener drops everything and
// turns the cache off until the listener is back. Entries also age out.
type credentialCache struct {
	mu      sync.Mutex
	live    bool
	alive   time.Time // until when the listener is known to be connected
	epoch   uint64    // bumped by every drop: a load that raced one is not kept
	size    int
	tenants map[uuid.UUID]*tenantEntries
}

type tenantEntries struct {
	creds     map[[32]byte]cachedCredential
	workspace *Workspace
	wsLoaded  time.Time
}

type cachedCredential struct {
	actor     deskpool.Actor // TenantID, UserID, SessionID, APIKeyID, Role, Scopes, TwoFactor
	expiresAt *time.Time
	loaded    time.Time
}

const (
	cacheTTL     = time.Minute
	cacheEntries = 100_000
)

// snapshot returns the epoch to pass to a later put, and whether caching is
// on at all.
func (c *credentialCache) snapshot() (uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch, c.live
}

func (c *credentialCache) credential(tenantID uuid.UUID, hash [32]byte, now time.Time) (cachedCredential, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.serving() {
		return cachedCredential{}, false
	}
	t := c.tenants[tenantID]
	if t == nil {
		return cachedCredential{}, false
	}
	e, ok := t.creds[hash]
	if !ok || now.Sub(e.loaded) > cacheTTL {
		return cachedCredential{}, false
	}
	return e, true
}

func (c *credentialCache) putCredential(epoch uint64, hash [32]byte, e cachedCredential) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.entries(epoch, e.actor.TenantID)
	if t == nil {
		return
	}
	if _, ok := t.creds[hash]; !ok {
		c.size++
	}
	t.creds[hash] = e
}

func (c *credentialCache) workspace(tenantID uuid.UUID, now time.Time) (*Workspace, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.serving() {
		return nil, false
	}
	t := c.tenants[tenantID]
	if t == nil || t.workspace == nil || now.Sub(t.wsLoaded) > cacheTTL {
		return nil, false
	}
	ws := *t.workspace
	return &ws, true
}

func (c *credentialCache) putWorkspace(epoch uint64, ws Workspace, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.entries(epoch, ws.ID); t != nil {
		t.workspace, t.wsLoaded = &ws, now
	}
}

// isServing is serving for a caller not holding c.mu.
func (c *credentialCache) isServing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.serving()
}

// serving reports whether entries may be answered: the listener is
// connected and was heard from recently (a connection that died without
// closing is noticed within listenCheck plus listenPing). c.mu is held.
func (c *credentialCache) serving() bool {
	return c.live && time.Now().Before(c.alive)
}

// heard records that the listener's connection answered just now.
func (c *credentialCache) heard() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.alive = time.Now().Add(listenCheck + listenPing)
}

// entries returns the workspace's entries to fill, or nil when the cache
// is off or something was dropped since epoch. c.mu is held.
func (c *credentialCache) entries(epoch uint64, tenantID uuid.UUID) *tenantEntries {
	if !c.live || c.epoch != epoch {
		return nil
	}
	if c.size >= cacheEntries {
		c.tenants, c.size = nil, 0
	}
	if c.tenants == nil {
		c.tenants = make(map[uuid.UUID]*tenantEntries)
	}
	t := c.tenants[tenantID]
	if t == nil {
		t = &tenantEntries{creds: make(map[[32]byte]cachedCredential)}
		c.tenants[tenantID] = t
	}
	return t
}

// drop forgets one workspace's entries.
func (c *credentialCache) drop(tenantID uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	if t := c.tenants[tenantID]; t != nil {
		c.size -= len(t.creds)
		delete(c.tenants, tenantID)
	}
}

// setLive turns the cache on or off, forgetting everything either way.
func (c *credentialCache) setLive(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.live, c.tenants, c.size = live, nil, 0
}

// credentialsChanged drops the workspace's cached credentials (and every
// other cached fact of it) in this process as soon as the transaction in
// ctx commits; other processes hear of the change on ChangesChannel.
func (s *Service) credentialsChanged(ctx context.Context, tenantID uuid.UUID) {
	postgres.AfterCommit(ctx, func() { s.dropWorkspace(tenantID) })
}

// ListenForChanges keeps this process's credential cache in step with the
// database until ctx ends, reconnecting after failures. dsn is any role's
// connection string; it must reach PostgreSQL directly or through a
// session-mode pooler (LISTEN gets nothing through a transaction-mode one). Without it running the cache stays off and every
// request reads its credential from the database.
func (s *Service) ListenForChanges(ctx context.Context, dsn string, log *slog.Logger) {
	for ctx.Err() == nil {
		err := s.listen(ctx, dsn)
		s.setLive(false)
		if ctx.Err() != nil {
			return
		}
		log.Warn("credential change listener lost; credentials are read from the database until it reconnects", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// listenCheck is how long the listener waits for a notice before checking
// that its connection is still alive, which it must show within listenPing.
const (
	listenCheck = 5 * time.Second
	listenPing  = 2 * time.Second
)

func (s *Service) listen(ctx context.Context, dsn string) error {
	l, err := postgres.Listen(ctx, dsn, ListenerName, ChangesChannel)
	if err != nil {
		return err
	}
	defer l.Close()
	s.setLive(true)
	s.creds.heard()
	for {
		payload, heard, err := l.Next(ctx, listenCheck, listenPing)
		if err != nil {
			return err
		}
		s.creds.heard()
		if !heard {
			continue
		}
		if id, perr := uuid.Parse(payload); perr == nil {
			s.dropWorkspace(id)
		} else {
			s.setLive(true) // an unreadable notice: forget everything
		}
	}
}

// Listening reports whether the change listener is connected, that is
// whether credentials and workspaces are being cached.
func (s *Service) Listening() bool {
	_, live := s.creds.snapshot()
	return live
}
