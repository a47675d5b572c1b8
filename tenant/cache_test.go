package tenant_test

import (
	"context"
	"errors"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

var errRolledBack = errors.New("rolled back")

func cachedValue(c *tenant.Cache[string], tenantID uuid.UUID) string {
	v, _, ok := c.Get(tenantID)
	if !ok {
		return ""
	}
	return v
}

// A workspace cache answers while the listener is connected, drops a
// workspace when a change to it is announced (by any process) or, for
// this process's own changes, when the transaction commits; it keeps
// nothing loaded across a drop, nor while the listener is away.
func TestWorkspaceCache(t *testing.T) {
	svc, db := listening(t)
	cache := tenant.NewCache[string](svc)
	a, b := uuid.New(), uuid.New()
	put := func(id uuid.UUID, v string) {
		_, epoch, _ := cache.Get(id)
		cache.Put(context.Background(), epoch, id, v)
	}
	put(a, "a")
	put(b, "b")
	if cachedValue(cache, a) != "a" || cachedValue(cache, b) != "b" {
		t.Fatal("values put were not cached")
	}
	t.Run("AnnouncedChangeDropsTheWorkspace", func(t *testing.T) {
		if err := env.System.Exec(`SELECT pg_notify(?, ?)`, tenant.ChangesChannel, a.String()).Error; err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the notice", func() bool { return cachedValue(cache, a) == "" })
		if cachedValue(cache, b) != "b" {
			t.Fatal("a change to one workspace dropped another's value")
		}
	})
	t.Run("OwnChangeDropsAtCommit", func(t *testing.T) {
		put(a, "a")
		ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: a})
		err := postgres.Tx(ctx, db, func(ctx context.Context, tx *gorm.DB) error {
			cache.Changed(ctx, a)
			if cachedValue(cache, a) != "a" {
				t.Error("dropped before the change committed")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if cachedValue(cache, a) != "" {
			t.Fatal("still cached after the change committed")
		}
	})
	t.Run("LoadRacingADropIsNotKept", func(t *testing.T) {
		_, epoch, _ := cache.Get(a)
		cache.Changed(context.Background(), a) // outside a transaction: at once
		cache.Put(context.Background(), epoch, a, "stale")
		if cachedValue(cache, a) != "" {
			t.Fatal("a value loaded before a drop was kept")
		}
	})
	t.Run("LoadRacingAnotherWorkspacesDropIsKept", func(t *testing.T) {
		_, epoch, _ := cache.Get(a)
		cache.Changed(context.Background(), b)
		cache.Put(context.Background(), epoch, a, "a")
		if cachedValue(cache, a) != "a" {
			t.Fatal("a drop of another workspace discarded this one's load")
		}
	})
	t.Run("LoadRacingAResetIsNotKept", func(t *testing.T) {
		put(b, "b") // to see the notice heard
		if cachedValue(cache, b) != "b" {
			t.Fatal("b was not cached")
		}
		fresh := uuid.New() // never dropped on its own
		_, epoch, _ := cache.Get(fresh)
		// An unreadable notice forgets everything, as losing the listener does.
		if err := env.System.Exec(`SELECT pg_notify(?, 'not a workspace id')`, tenant.ChangesChannel).Error; err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the notice", func() bool { return cachedValue(cache, b) == "" })
		cache.Put(context.Background(), epoch, fresh, "stale")
		if cachedValue(cache, fresh) != "" {
			t.Fatal("a value loaded before everything was forgotten was kept")
		}
	})
	t.Run("LoadInATransactionKeptOnlyOnCommit", func(t *testing.T) {
		cache.Changed(context.Background(), a)
		ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: a})
		for _, commit := range []bool{false, true} {
			err := postgres.Tx(ctx, db, func(ctx context.Context, tx *gorm.DB) error {
				_, epoch, _ := cache.Get(a)
				cache.Put(ctx, epoch, a, "read in the transaction")
				if cachedValue(cache, a) != "" {
					t.Error("cached before the transaction ended")
				}
				if !commit {
					return errRolledBack
				}
				return nil
			})
			if commit && err != nil {
				t.Fatal(err)
			}
			if got, want := cachedValue(cache, a), map[bool]string{false: "", true: "read in the transaction"}[commit]; got != want {
				t.Fatalf("committed %v: cached %q, want %q", commit, got, want)
			}
		}
	})
	t.Run("OffWithoutTheListener", func(t *testing.T) {
		alone := tenant.NewCache[string](tenant.NewService(db))
		_, epoch, _ := alone.Get(a)
		alone.Put(context.Background(), epoch, a, "a")
		if v, _, ok := alone.Get(a); ok {
			t.Fatalf("a cache without a listener answered %q", v)
		}
	})
}
