package helpdesk_test

import (
	"context"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// A known customer's message that names them costs the round trips of
// one that does not: a customer who has a name is not updated, and one
// without gets the name with the statement that stores the message.
func TestKnownCustomersNameCostsNoRoundTrip(t *testing.T) {
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Known customers"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	svc := helpdesk.NewService(env.App, &recorded{byType: map[string][]any{}}, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "order_status", Urgency: "medium", Route: "agent", Level: "L2"}
	}), helpdesk.DefaultConfig())
	ingest := func(id, name string) (*helpdesk.Ingested, int64) {
		t.Helper()
		counted, n := postgres.CountRoundTrips(ctx)
		out, err := svc.Ingest(counted, helpdesk.InboundMessage{Channel: "web", Body: "hello again",
			Customer: helpdesk.CustomerRef{ExternalID: id, Name: name}})
		if err != nil {
			t.Fatal(err)
		}
		return out, n.Load()
	}
	known := func(id, name string) {
		t.Helper()
		if _, err := svc.CreateCustomer(ctx, helpdesk.NewCustomer{Name: name, ExternalIDs: []helpdesk.ExternalID{{Channel: "web", ID: id}}}); err != nil {
			t.Fatal(err)
		}
	}
	// The fewest of a few messages each: a cache dropped meanwhile only adds.
	plain, named, filled := int64(1<<30), int64(1<<30), int64(1<<30)
	for i := range 3 {
		a, b, c := uuid.NewString(), uuid.NewString(), uuid.NewString()
		known(a, "Ann")
		known(b, "Bo")
		known(c, "") // no name yet
		_, n := ingest(a, "")
		plain = min(plain, n)
		_, n = ingest(b, "Bo Li")
		named = min(named, n)
		out, n := ingest(c, "Cy")
		filled = min(filled, n)
		var names []string
		if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			return tx.Raw(`SELECT COALESCE(name, '') FROM customers WHERE tenant_id = ? AND id = ?`, ws.ID, out.CustomerID).Scan(&names).Error
		}); err != nil {
			t.Fatal(err)
		}
		if len(names) != 1 || names[0] != "Cy" {
			t.Fatalf("round %d: the customer without a name is named %q, want Cy", i, names)
		}
	}
	if named != plain || filled != plain {
		t.Errorf("round trips: %d with no name given, %d naming a customer with a name, %d naming one without: want as many", plain, named, filled)
	}
}
