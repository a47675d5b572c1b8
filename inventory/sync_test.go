package inventory_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/inventory/shopify"
	"github.com/deskpool/deskpool/inventory/shopify/shopifysim"
	"github.com/deskpool/deskpool/inventory/woocommerce/woosim"
	"github.com/google/uuid"
)

// shopifyConnector adds a Shopify connector for srv with the given token.
func (f *fixture) shopifyConnector(srv *shopifysim.Server, token string) uuid.UUID {
	f.t.Helper()
	c, err := f.svc.CreateConnector(f.ctx, inventory.NewConnector{Kind: inventory.KindShopify, Name: "Main shop",
		BaseURL: srv.URL, Credentials: inventory.Credentials{AccessToken: token, WebhookSecret: "whsec-shop-" + token}})
	if err != nil {
		f.t.Fatal(err)
	}
	return c.ID
}

func TestBackfillThroughTheJobThenIncremental(t *testing.T) {
	f := newFixture(t, nil)
	srv := shopifysim.New(shopifysim.Options{Orders: 3000, LeakRate: 40})
	defer srv.Close()
	id := f.shopifyConnector(srv, "shpat_test")
	f.startWorker()
	f.waitFor("backfill", 90*time.Second, func() bool { return f.connector(id).Backfill.CompletedAt != nil })
	c := f.connector(id)
	if c.Counts.Orders != 3000 || c.Backfill.Done != 3000 || c.Backfill.Total == nil || *c.Backfill.Total != 3000 ||
		c.Backfill.Percent == nil || *c.Backfill.Percent != 100 || c.Status != inventory.StatusActive || c.LastSyncAt == nil {
		t.Fatalf("after backfill: %+v", c)
	}
	if n := f.count(`SELECT count(*) FROM orders WHERE source = ?`, id.String()); n != 3000 {
		t.Fatalf("%d orders stored, want 3000", n)
	}
	if n := f.count(`SELECT count(*) FROM stock_levels`); n == 0 || int64(n) != c.Counts.StockLevels {
		t.Fatalf("%d stock levels stored, counted %d", n, c.Counts.StockLevels)
	}
	if n := f.count(`SELECT count(*) FROM shipments`); n == 0 {
		t.Fatal("no shipments stored")
	}
	if c.NextSyncAt == nil || time.Until(*c.NextSyncAt) < 4*time.Minute {
		t.Fatalf("next sync at %v, want about 5 minutes ahead", c.NextSyncAt)
	}

	t.Run("IncrementalPicksUpOnlyChanges", func(t *testing.T) {
		before := srv.Served()
		touched := []int{5, 17, 2999}
		for _, i := range touched {
			srv.Touch(i)
		}
		last := *f.connector(id).LastSyncAt
		if _, err := f.svc.TriggerSync(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		f.waitFor("incremental sync", 30*time.Second, func() bool {
			c := f.connector(id)
			return c.LastSyncAt != nil && c.LastSyncAt.After(last)
		})
		walked := f.count(`SELECT walk_orders FROM connectors WHERE id = ?`, id)
		if walked > len(touched)+1 { // updated_at_min is inclusive: the newest order of the last walk comes again
			t.Fatalf("the incremental sync read %d orders for %d changes", walked, len(touched))
		}
		for _, i := range touched {
			ext := itoa(shopifysim.OrderIDBase + int64(i))
			if n := f.count(`SELECT count(*) FROM orders WHERE external_id = ? AND status = 'fulfilled'`, ext); n != 1 {
				t.Errorf("touched order %s not updated", ext)
			}
		}
		if srv.Served()-before > 40 {
			t.Errorf("incremental sync made %d calls", srv.Served()-before)
		}
	})
}

func TestRateLimitStormSlowsButLosesNothing(t *testing.T) {
	f := newFixture(t, nil)
	srv := shopifysim.New(shopifysim.Options{Orders: 1200, BucketSize: 2, LeakRate: 20})
	defer srv.Close()
	id := f.shopifyConnector(srv, "shpat_test")
	f.svc.SetSourceFactory(inventory.ShopifyFactory(nil, func(c *shopify.Config) { c.PageSize = 50; c.Headroom = 1; c.LeakRate = 1000 }))
	if err := f.svc.SyncNow(f.ctx, id); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM orders`); n != 1200 {
		t.Fatalf("%d orders after a 429 storm, want 1200", n)
	}
	if srv.Throttled() == 0 {
		t.Fatal("the server never throttled: the test proves nothing")
	}
	if c := f.connector(id); c.Status != inventory.StatusActive || c.FailingSince != nil {
		t.Fatalf("connector after throttling: %+v", c)
	}
}

func TestMalformedPageIsSkippedAndLogged(t *testing.T) {
	f := newFixture(t, nil)
	srv := shopifysim.New(shopifysim.Options{Orders: 600, MalformedPages: []int{2}, Unlimited: true})
	defer srv.Close()
	id := f.shopifyConnector(srv, "shpat_test")
	if err := f.svc.SyncNow(f.ctx, id); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM orders`); n != 350 {
		t.Fatalf("%d orders, want 350 (pages 1 and 3 of 250)", n)
	}
	if c := f.connector(id); c.Counts.PagesSkipped != 1 || c.Backfill.CompletedAt == nil {
		t.Fatalf("connector: %+v", c)
	}
	if !contains(f.logs.String(), "connector_id="+id.String()) {
		t.Fatalf("the skipped page was not logged with the connector id:\n%s", f.logs.String())
	}
}

func TestInvalidCredentialsStopTheSync(t *testing.T) {
	f := newFixture(t, nil)
	srv := shopifysim.New(shopifysim.Options{Orders: 10})
	defer srv.Close()
	id := f.shopifyConnector(srv, "shpat_wrong")
	f.startWorker()
	f.waitFor("auth_failed", 20*time.Second, func() bool { return f.connector(id).Status == inventory.StatusAuthFailed })
	served := srv.Served() + srv.Throttled()
	time.Sleep(1500 * time.Millisecond)
	c := f.connector(id)
	if c.NextSyncAt != nil || c.LastError == "" || srv.Served()+srv.Throttled() != served {
		t.Fatalf("after auth failure: %+v (calls %d -> %d)", c, served, srv.Served()+srv.Throttled())
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE kind = 'connector.auth_failed'`); n != 1 {
		t.Fatalf("%d owner notifications, want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM outbox WHERE task_type = ?`, inventory.TaskSync); n != 0 {
		t.Fatalf("%d sync tasks still queued", n)
	}
}

func TestFailingForADayAlertsTheOwnersOnce(t *testing.T) {
	f := newFixture(t, nil)
	srv := shopifysim.New(shopifysim.Options{Orders: 10})
	id := f.shopifyConnector(srv, "shpat_test")
	srv.Close() // the shop is down
	f.svc.SetSourceFactory(inventory.ShopifyFactory(nil, func(c *shopify.Config) { c.MaxRetries, c.MaxBackoff = 1, 10*time.Millisecond }))
	sys := func(q string) {
		if err := env.System.Exec(q, id).Error; err != nil {
			t.Fatal(err)
		}
	}
	sys(`UPDATE connectors SET failing_since = now() - interval '25 hours', status = 'error' WHERE id = ?`)
	for range 2 {
		if err := f.svc.SyncNow(f.ctx, id); deskpool.ErrorCode(err) != deskpool.EUNAVAILABLE {
			t.Fatalf("sync of a dead shop: %v", err)
		}
		sys(`UPDATE connectors SET lease_until = NULL WHERE id = ?`)
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE kind = 'connector.failing'`); n != 1 {
		t.Fatalf("%d alerts, want 1", n)
	}
	if c := f.connector(id); c.Status != inventory.StatusError || c.LastError == "" {
		t.Fatalf("%+v", c)
	}
}

func TestCredentialsUnreadableInTheDatabase(t *testing.T) {
	f := newFixture(t, nil)
	srv := shopifysim.New(shopifysim.Options{Orders: 20, AccessToken: "shpat_TOPSECRET_4711"})
	defer srv.Close()
	id := f.shopifyConnector(srv, "shpat_TOPSECRET_4711")
	if err := f.svc.SyncNow(f.ctx, id); err != nil {
		t.Fatal(err)
	}
	var tables []string
	if err := env.System.Raw(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND has_table_privilege(schemaname || '.' || tablename, 'SELECT')`).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	for _, tbl := range tables {
		var n int
		q := `SELECT count(*) FROM "` + tbl + `" t WHERE t::text LIKE '%TOPSECRET%' OR t::text LIKE '%whsec-shop%'`
		if err := env.System.Raw(q).Row().Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("table %s holds the credentials in the clear", tbl)
		}
	}
	if contains(f.logs.String(), "TOPSECRET") {
		t.Error("the credentials were logged")
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestWooCommerceBackfill(t *testing.T) {
	f := newFixture(t, nil)
	srv := woosim.New(woosim.Options{Orders: 450})
	defer srv.Close()
	c, err := f.svc.CreateConnector(f.ctx, inventory.NewConnector{Kind: inventory.KindWooCommerce, Name: "Woo shop", BaseURL: srv.URL,
		Credentials: inventory.Credentials{ConsumerKey: "ck_test", ConsumerSecret: "cs_test", WebhookSecret: "woo-hook"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SyncNow(f.ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	got := f.connector(c.ID)
	if got.Counts.Orders != 450 || got.Backfill.Total == nil || *got.Backfill.Total != 450 || got.Counts.StockLevels == 0 {
		t.Fatalf("%+v", got)
	}
	body := srv.OrderPayload(7)
	res, err := f.svc.ReceiveWebhook(f.ctx, f.tenant, c.ID, headers(map[string]string{
		"X-WC-Webhook-Signature": woosim.Sign("woo-hook", body), "X-WC-Webhook-Topic": "order.updated"}), body)
	if err != nil || res.Stored { // the same version is already stored
		t.Fatalf("%+v %v", res, err)
	}
}
