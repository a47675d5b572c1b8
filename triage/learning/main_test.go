package learning_test

import (
	"context"
	"os"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/deskpool/deskpool/triage"
	"github.com/deskpool/deskpool/triage/learning"
	"github.com/deskpool/deskpool/triage/settings"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// env is this package's database and Redis database.
var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Run(m, "learning", &env)) }

type nopEmitter struct{}

func (nopEmitter) Emit(context.Context, *gorm.DB, string, any) error { return nil }

// brand is a workspace whose helpdesk triages with the learning service.
type brand struct {
	t   *testing.T
	ctx context.Context
	hd  *helpdesk.Service
}

func newLearning(t *testing.T) *learning.Service {
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: env.RedisAddr, DB: env.RedisDB})
	t.Cleanup(func() { client.Close() })
	cfg := learning.DefaultConfig()
	cfg.CacheTTL = 0
	return learning.NewService(env.App, env.System, jobs.NewOutbox(client, env.App, nil), client, triage.Default(), nil, cfg, nil)
}

func newBrand(t *testing.T, ls *learning.Service, poolOptIn bool) *brand {
	t.Helper()
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Learning Brand"})
	if err != nil {
		t.Fatal(err)
	}
	b := &brand{t: t, ctx: deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID}),
		hd: helpdesk.NewService(env.App, nopEmitter{}, nil, ls.Triager(), helpdesk.DefaultConfig())}
	if poolOptIn {
		b.tx(func(ctx context.Context, tx *gorm.DB) error {
			_, err := settings.Save(ctx, tx, settings.Update{PoolOptIn: &poolOptIn})
			return err
		})
	}
	return b
}

func (b *brand) tx(fn func(ctx context.Context, tx *gorm.DB) error) {
	b.t.Helper()
	if err := postgres.Tx(b.ctx, env.App, fn); err != nil {
		b.t.Fatal(err)
	}
}

// say ingests a message from a customer named name.
func (b *brand) say(customer, name, body string) *helpdesk.Ingested {
	b.t.Helper()
	out, err := b.hd.Ingest(b.ctx, helpdesk.InboundMessage{Channel: "web", Body: body,
		Customer: helpdesk.CustomerRef{ExternalID: customer, Name: name}})
	if err != nil {
		b.t.Fatal(err)
	}
	return out
}

// correct stores an agent's correction of an ingested message.
func (b *brand) correct(in *helpdesk.Ingested, intent, urgency string) {
	b.t.Helper()
	b.tx(func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO triage_corrections (tenant_id, id, conversation_id, message_id, original, corrected)
			VALUES (?, ?, ?, ?, ?, ?)`, deskpool.TenantIDFromContext(ctx), uuid.New(), in.ConversationID, in.MessageID,
			`{"intent":"`+in.Triage.Intent+`"}`, `{"intent":"`+intent+`","urgency":"`+urgency+`"}`).Error
	})
}

func settingsSave(ctx context.Context, tx *gorm.DB, optIn bool) (settings.Settings, error) {
	return settings.Save(ctx, tx, settings.Update{PoolOptIn: &optIn})
}
