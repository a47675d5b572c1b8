package helpdesk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
)

// The language a customer first writes in, in a message that says enough
// to tell, is kept as theirs (their notices are written in it); a later
// message in another language does not change it.
func TestCustomerKeepsTheLanguageTheyFirstWrote(t *testing.T) {
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Language"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	// The triage reads Latin text as English; the first messages say too
	// little to tell ("A1001", "ok", "👍"), the next one is Chinese.
	svc := helpdesk.NewService(env.App, &recorded{byType: map[string][]any{}}, nil, helpdesk.TriagerFunc(func(_ context.Context, in helpdesk.TriageInput) helpdesk.Triage {
		lang := "en"
		if strings.ContainsRune(in.Text, '我') {
			lang = "zh"
		}
		return helpdesk.Triage{Intent: "order_status", Urgency: "low", Route: "agent", Level: "L2", Language: lang}
	}), helpdesk.DefaultConfig())
	var in *helpdesk.Ingested
	for _, body := range []string{"A1001", "ok", "👍", "我的快递到哪了", "ok thanks, where is it now"} {
		if in, err = svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "lang"}, Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	var got string
	if err := env.System.Raw(`SELECT language FROM customers WHERE id = ?`, in.CustomerID).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if got != "zh" {
		t.Errorf("customer language %q, want zh", got)
	}
}
