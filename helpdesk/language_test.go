package helpdesk_test

import (
	"context"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
)

// The language a customer first writes in is kept as theirs (their
// notices are written in it); a later message in another language does not
// change it.
func TestCustomerKeepsTheLanguageTheyFirstWrote(t *testing.T) {
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Language"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	lang := "zh"
	svc := helpdesk.NewService(env.App, &recorded{byType: map[string][]any{}}, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "order_status", Urgency: "low", Route: "agent", Level: "L2", Language: lang}
	}), helpdesk.DefaultConfig())
	in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "lang"}, Body: "我的快递到哪了"})
	if err != nil {
		t.Fatal(err)
	}
	lang = "en"
	if _, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "lang"}, Body: "ok thanks"}); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := env.System.Raw(`SELECT language FROM customers WHERE id = ?`, in.CustomerID).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if got != "zh" {
		t.Errorf("customer language %q, want zh", got)
	}
}
