package helpdesk_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/scratch"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// searchWorkspace signs up a brand and returns its context and a helpdesk
// whose triage routes every message to a person.
func searchWorkspace(t testing.TB, brand string) (context.Context, *helpdesk.Service) {
	t.Helper()
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: brand})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	return ctx, searchService(env.App)
}

// searchService is a helpdesk on db whose triage routes every message to
// a person.
func searchService(db *gorm.DB) *helpdesk.Service {
	return helpdesk.NewService(db, &recorded{byType: map[string][]any{}}, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "refund", Urgency: "medium", Route: "agent", Level: "L2", Language: "zh"}
	}), helpdesk.DefaultConfig())
}

func searchIDs(t *testing.T, ctx context.Context, svc *helpdesk.Service, q string) []uuid.UUID {
	t.Helper()
	cs, err := svc.FindConversations(ctx, helpdesk.ConversationFilter{Query: q, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ids []uuid.UUID
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

// Two workspaces whose customers wrote the same words: each workspace's
// search finds its own conversation only, whether the words are long
// enough for the trigram index or as short as a Chinese word.
func TestSearchStaysInItsWorkspace(t *testing.T) {
	ctxA, svcA := searchWorkspace(t, "Search A")
	ctxB, svcB := searchWorkspace(t, "Search B")
	var convs [2]uuid.UUID
	for i, w := range []struct {
		ctx context.Context
		svc *helpdesk.Service
	}{{ctxA, svcA}, {ctxB, svcB}} {
		in, err := w.svc.Ingest(w.ctx, helpdesk.InboundMessage{Channel: "web", OrderRef: "SO-2026",
			Customer: helpdesk.CustomerRef{Email: "shared@example.com", Name: "Shared Name"}, Body: "我要退款，茶壶裂了 cracked teapot"})
		if err != nil {
			t.Fatal(err)
		}
		convs[i] = in.ConversationID
		// And a conversation the search must leave out.
		if _, err := w.svc.Ingest(w.ctx, helpdesk.InboundMessage{Channel: "app",
			Customer: helpdesk.CustomerRef{ExternalID: "other-person"}, Body: "hello, is the shop open today?"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{"退款", "茶壶裂了", "cracked", "SO-2026", "shared@", "shared name"} {
		if got := searchIDs(t, ctxA, svcA, q); len(got) != 1 || got[0] != convs[0] {
			t.Errorf("workspace A, q=%q: %v, want only %v", q, got, convs[0])
		}
		if got := searchIDs(t, ctxB, svcB, q); len(got) != 1 || got[0] != convs[1] {
			t.Errorf("workspace B, q=%q: %v, want only %v", q, got, convs[1])
		}
	}
}

func TestSearchTextBounds(t *testing.T) {
	ctx, svc := searchWorkspace(t, "Search bounds")
	for name, q := range map[string]string{
		"OneCharacter":    "退",
		"TooLong":         strings.Repeat("长", helpdesk.MaxSearchLen+1),
		"NotUTF8":         "ab\xff",
		"ControlCharcter": "ab\x00cd",
	} {
		t.Run("ErrInvalid"+name, func(t *testing.T) {
			_, err := svc.FindConversations(ctx, helpdesk.ConversationFilter{Query: q, Limit: 10})
			var de *deskpool.Error
			if deskpool.ErrorCode(err) != deskpool.EINVALID || !errors.As(err, &de) || len(de.Fields) != 1 || de.Fields[0].Field != "q" {
				t.Fatalf("q=%q: %v, want EINVALID naming q", q, err)
			}
		})
	}
	t.Run("LongestIsFine", func(t *testing.T) {
		if _, err := svc.FindConversations(ctx, helpdesk.ConversationFilter{Query: strings.Repeat("长", helpdesk.MaxSearchLen), Limit: 10}); err != nil {
			t.Fatal(err)
		}
	})
}

// searchBench is one workspace of 20,000 messages in 2,000 conversations
// (ten each), beside another workspace with the same text, seeded once.
var searchBench struct {
	once sync.Once
	ctx  context.Context
	svc  *helpdesk.Service
	err  error
}

// seedSearch writes conversations of ten messages each into the
// workspace: one body in five speaks of a refund in Chinese, every message
// carries its own ticket number, every customer an email of their own and
// every conversation an order number.
func seedSearch(tenantID uuid.UUID, conversations int) error {
	seed := []string{
		`INSERT INTO customers (tenant_id, id, name, email, created_at)
			SELECT '%[1]s'::uuid, gen_random_uuid(), 'Customer ' || g, 'customer' || g || '@example.com', now() - make_interval(secs => g)
			FROM generate_series(1, %[2]d) g`,
		`INSERT INTO conversations (tenant_id, id, customer_id, channel, last_channel, status, intent, urgency, priority, tags, order_refs,
				created_at, updated_at, last_message_at, message_count)
			SELECT tenant_id, gen_random_uuid(), id, 'web', 'web', (ARRAY['open', 'pending', 'resolved'])[1 + abs(hashtext(name)) %% 3],
				'order_status', 'medium', 'normal', '{}', ARRAY['A-' || substr(name, 10)], created_at, created_at, created_at, 10
			FROM customers WHERE tenant_id = '%[1]s'`,
		`INSERT INTO messages (tenant_id, id, conversation_id, direction, author_kind, channel, body, created_at)
			SELECT c.tenant_id, gen_random_uuid(), c.id, 'inbound', 'customer', 'web',
				(ARRAY['Where is my order? The tracking has not moved since Monday.',
					'我想申请退款，尺码不合适。',
					'The parcel arrived but the box was crushed.',
					'Can I change the delivery address to my office?',
					'优惠券用不了，请帮我看看。'])[1 + g %% 5] || ' ticket-' || (row_number() OVER ()),
				c.created_at + make_interval(mins => g)
			FROM conversations c, generate_series(1, 10) g WHERE c.tenant_id = '%[1]s'`,
	}
	for _, q := range seed {
		// The values are ours (a uuid and an int): formatting them in is safe.
		if err := env.System.Exec(fmt.Sprintf(q, tenantID, conversations)).Error; err != nil {
			return err
		}
	}
	// Statistics as autovacuum would gather them; only the tables' owner
	// may.
	owner, err := sql.Open("pgx", env.OwnerDSN)
	if err != nil {
		return err
	}
	defer owner.Close()
	_, err = owner.Exec(`ANALYZE customers, conversations, messages`)
	return err
}

// BenchmarkConversationSearch measures a page of the inbox searched by q
// against the unfiltered page (the reference, same run, same data): the
// searched workspace holds 20,000 messages, and another workspace the
// same text, so that the indexes hold other workspaces' rows as well.
func BenchmarkConversationSearch(b *testing.B) {
	s := &searchBench
	s.once.Do(func() {
		var other context.Context
		other, _ = searchWorkspace(b, "Search bench other")
		s.ctx, s.svc = searchWorkspace(b, "Search bench")
		for _, ctx := range []context.Context{other, s.ctx} {
			if s.err = seedSearch(deskpool.TenantIDFromContext(ctx), 2000); s.err != nil {
				return
			}
		}
	})
	if s.err != nil {
		b.Fatal(s.err)
	}
	queries := []struct{ name, q string }{
		{"unfiltered", ""},
		{"q=ticket-12345 (one message)", "ticket-12345"},
		{"q=crushed (a fifth of messages)", "crushed"},
		{"q=申请退款 (4 characters)", "申请退款"},
		{"q=退款 (2 characters, no index)", "退款"},
		{"q=A-1234 (order number)", "A-1234"},
		{"q=customer1234@ (email)", "customer1234@"},
		{"q=teapot (nothing)", "teapot"},
	}
	run := func(b *testing.B, prefix string, svc *helpdesk.Service) {
		for _, bc := range queries {
			b.Run(prefix+bc.name, func(b *testing.B) {
				f := helpdesk.ConversationFilter{Query: bc.q, Limit: 50}
				n := 0
				for b.Loop() {
					cs, err := svc.FindConversations(s.ctx, f)
					if err != nil {
						b.Fatal(err)
					}
					n = len(cs)
				}
				b.ReportMetric(float64(n), "rows")
			})
		}
	}
	run(b, "", s.svc)
	// The same queries with the trigram indexes migration 00041 leaves
	// out, once a superuser declared ILIKE LEAKPROOF in this database, so
	// that row-level security lets them serve it.
	admin, err := sql.Open("pgx", scratch.DSN(adminRole(env.AdminDSN), env.Name))
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`ALTER FUNCTION texticlike(text, text) LEAKPROOF`); err != nil {
		b.Fatal(err)
	}
	defer admin.Exec(`ALTER FUNCTION texticlike(text, text) NOT LEAKPROOF`)
	for _, ddl := range trigramIndexes {
		if _, err := admin.Exec(ddl); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := admin.Exec(`ANALYZE customers, conversations, messages`); err != nil {
		b.Fatal(err)
	}
	// New connections: plans cached on the others do not see the change.
	fresh, err := postgres.OpenDB(env.AppDSN, 2)
	if err != nil {
		b.Fatal(err)
	}
	if db, err := fresh.DB(); err == nil {
		defer db.Close()
	}
	run(b, "indexed/", searchService(fresh))
}

// trigramIndexes are the indexes migration 00041 names but leaves out.
var trigramIndexes = []string{
	`CREATE INDEX IF NOT EXISTS messages_body_trgm ON messages USING gin (tenant_id, body gin_trgm_ops)`,
	`CREATE INDEX IF NOT EXISTS conversations_subject_trgm ON conversations USING gin (tenant_id, subject gin_trgm_ops) WHERE subject <> ''`,
	`CREATE INDEX IF NOT EXISTS conversations_order_refs ON conversations USING gin (tenant_id, order_refs) WHERE order_refs <> '{}'`,
	`CREATE INDEX IF NOT EXISTS customers_name_trgm ON customers USING gin (tenant_id, name gin_trgm_ops)`,
	`CREATE INDEX IF NOT EXISTS customers_email_trgm ON customers USING gin (tenant_id, email gin_trgm_ops)`,
}

// adminRole is the user of a postgres:// DSN.
func adminRole(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return "postgres"
	}
	return u.User.Username()
}
