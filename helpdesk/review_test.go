package helpdesk_test

import (
	"context"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
)

// The review sample is about one resolved conversation in ten, the same
// ones on every read, and walks pages without repeating.
func TestReviewSampleIsAStableTenth(t *testing.T) {
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Sampled"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	cust := uuid.New()
	if err := env.System.Exec(`INSERT INTO customers (tenant_id, id) VALUES (?, ?)`, ws.ID, cust).Error; err != nil {
		t.Fatal(err)
	}
	// 1000 resolved conversations and 1000 open ones (never sampled).
	if err := env.System.Exec(`INSERT INTO conversations (tenant_id, id, customer_id, status, channel, last_channel, resolved_at, created_at)
		SELECT ?, gen_random_uuid(), ?, CASE WHEN i % 2 = 0 THEN 'resolved' ELSE 'open' END, 'web', 'web',
			CASE WHEN i % 2 = 0 THEN now() END, now() - i * interval '1 second'
		FROM generate_series(1, 2000) AS i`, ws.ID, cust).Error; err != nil {
		t.Fatal(err)
	}
	svc := helpdesk.NewService(env.App, nil, nil, nil, helpdesk.DefaultConfig())
	read := func() []uuid.UUID {
		var ids []uuid.UUID
		f := helpdesk.ReviewFilter{Limit: 30}
		for {
			page, err := svc.FindReviews(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page {
				ids = append(ids, it.ConversationID)
			}
			if len(page) < f.Limit {
				return ids
			}
			last := page[len(page)-1]
			f.Cursor = deskpool.Cursor{Time: last.CreatedAt, ID: last.ConversationID}
		}
	}
	first, again := read(), read()
	// 10% of 1000 is 100, with a standard deviation under 10.
	if len(first) < 50 || len(first) > 150 {
		t.Fatalf("%d of 1000 resolved conversations sampled, want about 100", len(first))
	}
	seen := map[uuid.UUID]bool{}
	for i, id := range first {
		if seen[id] {
			t.Fatalf("%s listed twice", id)
		}
		seen[id] = true
		if i >= len(again) || again[i] != id {
			t.Fatalf("the second read differs at %d", i)
		}
	}
	if len(again) != len(first) {
		t.Fatalf("the second read has %d, the first %d", len(again), len(first))
	}
}
