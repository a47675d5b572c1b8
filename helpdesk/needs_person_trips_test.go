package helpdesk_test

import (
	"context"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
)

// A message whose sender declares they need a person marks them
// vulnerable at the cost of one round trip more than a plain message
// (the flag change returns what it was before; its audit goes with the
// commit), and no more each time after.
func TestNeedsPersonCostsOneRoundTrip(t *testing.T) {
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Trips"})
	if err != nil {
		t.Fatal(err)
	}
	svc := helpdesk.NewService(env.App, &recorded{byType: map[string][]any{}}, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "order_status", Urgency: "low", Route: "agent", Level: "L2"}
	}), helpdesk.DefaultConfig())
	trips := func(who string, needs bool) int64 {
		ctx, n := postgres.CountRoundTrips(deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID}))
		if _, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Body: "hello",
			Customer: helpdesk.CustomerRef{ExternalID: who, NeedsPerson: needs}}); err != nil {
			t.Fatal(err)
		}
		return n.Load()
	}
	plain, marked := int64(1<<30), int64(1<<30)
	for range 3 { // the fewest of a few: a cache dropped by a late notice only adds
		plain = min(plain, trips("plain-"+uuid.NewString()[:8], false))
		marked = min(marked, trips("marked-"+uuid.NewString()[:8], true))
	}
	if marked != plain+1 {
		t.Errorf("a message declaring needs_person made %d round trips, a plain one %d: want one more", marked, plain)
	}
}
