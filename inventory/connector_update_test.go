package inventory_test

import (
	"errors"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/inventory/shopify/shopifysim"
	"github.com/google/uuid"
)

// setPlan moves the fixture's workspace to plan.
func (f *fixture) setPlan(plan string) {
	f.t.Helper()
	if err := env.System.Exec(`UPDATE tenants SET plan = ? WHERE id = ?`, plan, f.tenant).Error; err != nil {
		f.t.Fatal(err)
	}
}

// dropConnectorsAtEnd deletes the workspace's connectors when the test
// ends, so their queued syncs (of shops the test closed) find nothing to do
// and keep no worker of a later test busy.
func (f *fixture) dropConnectorsAtEnd() {
	f.t.Cleanup(func() {
		if err := env.System.Exec(`DELETE FROM connectors WHERE tenant_id = ?`, f.tenant).Error; err != nil {
			f.t.Error(err)
		}
	})
}

// invalidField returns the single field an EINVALID error names, "" for
// any other outcome.
func invalidField(err error) string {
	var e *deskpool.Error
	if !errors.As(err, &e) || e.Code != deskpool.EINVALID || len(e.Fields) != 1 {
		return ""
	}
	return e.Fields[0].Field
}

func TestSyncIntervalFollowsThePlan(t *testing.T) {
	f := newFixture(t, nil)
	f.dropConnectorsAtEnd()
	srv := shopifysim.New(shopifysim.Options{Orders: 5})
	defer srv.Close()
	create := func(minutes int) (*inventory.Connector, error) {
		return f.svc.CreateConnector(f.ctx, inventory.NewConnector{Kind: inventory.KindShopify, Name: "Shop", BaseURL: srv.URL,
			SyncIntervalMinutes: minutes, Credentials: inventory.Credentials{AccessToken: "shpat_test", WebhookSecret: "s"}})
	}
	for _, tc := range []struct {
		plan           string
		refused, taken int
	}{{"free", 14, 15}, {"pro", 4, 5}, {"premium", 0, 1}} {
		t.Run(tc.plan, func(t *testing.T) {
			f.setPlan(tc.plan)
			if tc.refused > 0 {
				if _, err := create(tc.refused); invalidField(err) != "sync_interval_minutes" {
					t.Fatalf("%d minutes on %s: %v", tc.refused, tc.plan, err)
				}
			}
			c, err := create(tc.taken)
			if err != nil || c.SyncIntervalMinutes != tc.taken {
				t.Fatalf("%d minutes on %s: %+v %v", tc.taken, tc.plan, c, err)
			}
		})
	}
	t.Run("DefaultIsRaisedToTheMinimum", func(t *testing.T) {
		f.setPlan("free")
		c, err := create(0)
		if err != nil || c.SyncIntervalMinutes != 15 {
			t.Fatalf("%+v %v", c, err)
		}
	})
	t.Run("PatchBelowTheMinimumIsRefused", func(t *testing.T) {
		f.setPlan("pro")
		c, err := create(10)
		if err != nil {
			t.Fatal(err)
		}
		two := 2
		if _, err := f.svc.UpdateConnector(f.ctx, c.ID, inventory.ConnectorPatch{SyncIntervalMinutes: &two}); invalidField(err) != "sync_interval_minutes" {
			t.Fatalf("%v", err)
		}
		if got := f.connector(c.ID); got.SyncIntervalMinutes != 10 {
			t.Fatalf("a refused patch changed the interval: %+v", got)
		}
	})
	t.Run("DowngradeSyncsAtTheNewMinimum", func(t *testing.T) {
		f.setPlan("premium")
		c, err := create(1)
		if err != nil {
			t.Fatal(err)
		}
		f.setPlan("free")
		if err := f.svc.SyncNow(f.ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if next := f.connector(c.ID).NextSyncAt; next == nil || time.Until(*next) < 14*time.Minute {
			t.Fatalf("next sync at %v, want 15 minutes ahead on the free plan", next)
		}
	})
}

func TestPatchConnector(t *testing.T) {
	f := newFixture(t, nil)
	f.dropConnectorsAtEnd()
	srv := shopifysim.New(shopifysim.Options{Orders: 10})
	defer srv.Close()
	id := f.shopifyConnector(srv, "shpat_wrong")
	f.startWorker()
	f.waitFor("auth_failed", 20*time.Second, func() bool { return f.connector(id).Status == inventory.StatusAuthFailed })
	seq := func() int { return f.count(`SELECT sync_seq FROM connectors WHERE id = ?`, id) }

	t.Run("InvalidCredentialsChangeNothing", func(t *testing.T) {
		_, err := f.svc.UpdateConnector(f.ctx, id, inventory.ConnectorPatch{Credentials: &inventory.Credentials{ConsumerKey: "ck_x"}})
		if invalidField(err) != "credentials.consumer_key" || f.connector(id).Status != inventory.StatusAuthFailed {
			t.Fatalf("%v", err)
		}
	})
	t.Run("NewCredentialsClearAuthFailedAndSyncOnce", func(t *testing.T) {
		seqBefore := seq()
		c, err := f.svc.UpdateConnector(f.ctx, id, inventory.ConnectorPatch{Credentials: &inventory.Credentials{AccessToken: "shpat_test"}})
		if err != nil || c.Status == inventory.StatusAuthFailed {
			t.Fatalf("%+v %v", c, err)
		}
		if n := seq(); n != seqBefore+1 {
			t.Fatalf("the chain moved %d steps, want 1", n-seqBefore)
		}
		f.waitFor("backfill with the new token", 30*time.Second, func() bool { return f.connector(id).Backfill.CompletedAt != nil })
		if got := f.connector(id); got.Counts.Orders != 10 || got.Status != inventory.StatusActive {
			t.Fatalf("%+v", got)
		}
		// The webhook secret was kept: a webhook signed with it is stored.
		body := srv.OrderPayload(1)
		res, err := f.svc.ReceiveWebhook(f.ctx, f.tenant, id, headers(map[string]string{
			"X-Shopify-Hmac-Sha256": shopifysim.Sign("whsec-shop-shpat_wrong", body), "X-Shopify-Topic": "orders/updated"}), body)
		if err != nil || res.Topic != "orders/updated" {
			t.Fatalf("%+v %v", res, err)
		}
		if contains(f.logs.String(), "shpat_test") {
			t.Fatal("the new token was logged")
		}
	})
	t.Run("DisableStopsTheChain", func(t *testing.T) {
		off, on := false, true
		c, err := f.svc.UpdateConnector(f.ctx, id, inventory.ConnectorPatch{Enabled: &off})
		if err != nil || c.Status != inventory.StatusDisabled || c.NextSyncAt != nil {
			t.Fatalf("%+v %v", c, err)
		}
		if _, err := f.svc.TriggerSync(f.ctx, id); deskpool.ErrorCode(err) != deskpool.ECONFLICT {
			t.Fatalf("sync of a disabled connector: %v", err)
		}
		served := srv.Served()
		time.Sleep(time.Second)
		if srv.Served() != served || f.connector(id).Status != inventory.StatusDisabled {
			t.Fatalf("a disabled connector synced (%d -> %d calls)", served, srv.Served())
		}
		before := seq()
		c, err = f.svc.UpdateConnector(f.ctx, id, inventory.ConnectorPatch{Enabled: &on})
		if err != nil || c.Status == inventory.StatusDisabled || c.NextSyncAt == nil || seq() != before+1 {
			t.Fatalf("%+v %v (chain step %d -> %d)", c, err, before, seq())
		}
	})
	t.Run("OtherWorkspaceGetsNotFound", func(t *testing.T) {
		other := newFixture(t, nil)
		name := "taken over"
		if _, err := other.svc.UpdateConnector(other.ctx, id, inventory.ConnectorPatch{Name: &name}); deskpool.ErrorCode(err) != deskpool.ENOTFOUND {
			t.Fatalf("%v", err)
		}
		if _, err := f.svc.UpdateConnector(f.ctx, uuid.New(), inventory.ConnectorPatch{Name: &name}); deskpool.ErrorCode(err) != deskpool.ENOTFOUND {
			t.Fatalf("%v", err)
		}
	})
}

func TestShopURLMustBePublic(t *testing.T) {
	f := newFixture(t, nil)
	f.dropConnectorsAtEnd()
	guarded := f.service(func(c *inventory.Config) { c.AllowPrivate = false })
	httpsOnly := f.service(func(c *inventory.Config) { c.AllowHTTP, c.AllowPrivate = false, false })
	srv := shopifysim.New(shopifysim.Options{Orders: 5})
	defer srv.Close()
	create := func(svc *inventory.Service, url string) error {
		_, err := svc.CreateConnector(f.ctx, inventory.NewConnector{Kind: inventory.KindShopify, Name: "Shop", BaseURL: url,
			Credentials: inventory.Credentials{AccessToken: "shpat_test", WebhookSecret: "s"}})
		return err
	}
	t.Run("RefusedAtCreation", func(t *testing.T) {
		for _, u := range []string{srv.URL, "https://127.0.0.1", "https://localhost", "https://10.0.0.8", "https://192.168.1.1:8443",
			"https://169.254.169.254", "https://[::1]", "https://[fd00::1]", "https://[::ffff:127.0.0.1]", "https://100.64.0.1",
			"https://user:pass@93.184.215.14", "https://shop.invalid"} {
			if err := create(guarded, u); invalidField(err) != "base_url" {
				t.Errorf("%s: %v", u, err)
			}
		}
		if err := create(httpsOnly, "http://93.184.215.14"); invalidField(err) != "base_url" {
			t.Errorf("http without AllowHTTP: %v", err)
		}
		if n := f.count(`SELECT count(*) FROM connectors`); n != 0 {
			t.Fatalf("%d connectors stored from refused URLs", n)
		}
	})
	t.Run("PublicAddressIsAccepted", func(t *testing.T) {
		if err := create(httpsOnly, "https://93.184.215.14"); err != nil {
			t.Fatal(err)
		}
	})
	id := f.shopifyConnector(srv, "shpat_test") // stored while private hosts were allowed
	t.Run("RefusedOnPatch", func(t *testing.T) {
		u := "https://10.1.1.1"
		if _, err := guarded.UpdateConnector(f.ctx, id, inventory.ConnectorPatch{BaseURL: &u}); invalidField(err) != "base_url" {
			t.Fatalf("%v", err)
		}
	})
	t.Run("RefusedAtConnectTime", func(t *testing.T) {
		// The URL validated once; now its address is private (a rebound
		// name): the client never connects, and says so on the connector.
		if err := guarded.SyncNow(f.ctx, id); deskpool.ErrorCode(err) != deskpool.EUNAVAILABLE {
			t.Fatalf("sync: %v", err)
		}
		if srv.Served()+srv.Throttled() != 0 {
			t.Fatalf("the shop on loopback got %d requests", srv.Served()+srv.Throttled())
		}
		if c := f.connector(id); c.Status != inventory.StatusError || !contains(c.LastError, "not public") {
			t.Fatalf("%+v", c)
		}
	})
}
