package billing_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskpool/deskpool/postgres"
	"gorm.io/gorm"
)

// Another workspace cannot read or write a workspace's billing rows.
func TestBillingTablesAreIsolated(t *testing.T) {
	a, _ := workspace(t)
	_, bctx := workspace(t)
	hour := time.Now().UTC().Truncate(time.Hour)
	for _, q := range []string{
		`INSERT INTO billing_accounts (tenant_id, stripe_customer_id) VALUES (?, 'cus_iso')`,
		`INSERT INTO billing_events (tenant_id, id, type, payload) VALUES (?, 'evt_iso', 'invoice.paid', '{}')`,
		`INSERT INTO usage_buckets (tenant_id, meter, bucket_start, quantity) VALUES (?, 'ai_messages', '` + hour.Format(time.RFC3339) + `', 1)`,
		`INSERT INTO usage_reports (tenant_id, meter, bucket_start, item_id, quantity) VALUES (?, 'ai_messages', '` + hour.Format(time.RFC3339) + `', 'si', 1)`,
	} {
		if err := env.System.Exec(q, a).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range []string{"billing_accounts", "billing_events", "usage_buckets", "usage_reports"} {
		err := postgres.Tx(bctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			var n int
			if err := tx.Raw(`SELECT count(*) FROM `+table+` WHERE tenant_id = ?`, a).Scan(&n).Error; err != nil {
				return err
			}
			if n != 0 {
				t.Errorf("%s: another workspace reads %d rows", table, n)
			}
			res := tx.Exec(`UPDATE `+table+` SET tenant_id = tenant_id WHERE tenant_id = ?`, a)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 0 {
				t.Errorf("%s: another workspace changed %d rows", table, res.RowsAffected)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	err := postgres.Tx(bctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO billing_accounts (tenant_id) VALUES (?)`, a).Error
	})
	if err == nil {
		t.Fatal("a workspace wrote another's billing account")
	}
	err = postgres.Tx(bctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		var n int
		return tx.Raw(`SELECT count(*) FROM billing_unrouted_events`).Scan(&n).Error
	})
	if err == nil {
		t.Fatal("the application role reads the platform's unrouted events")
	}
}
