package api_test

import (
	"context"
	"sync"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/triage/ai"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// aiWorkspaces are the workspaces in which the AI answers: the triage tests
// mark theirs, so that other tests' conversations stay free of AI replies.
var aiWorkspaces sync.Map

// gatedAnswerer answers only in the marked workspaces.
type gatedAnswerer struct{ next helpdesk.Answerer }

func (g gatedAnswerer) Answer(ctx context.Context, tx *gorm.DB, in helpdesk.AnswerInput) (*helpdesk.Answer, error) {
	if _, ok := aiWorkspaces.Load(deskpool.TenantIDFromContext(ctx)); !ok {
		return nil, nil
	}
	return g.next.Answer(ctx, tx, in)
}

// The triage's services: knowledge scenarios, learning, settings, drafts.
func init() {
	depHooks = append(depHooks, func(t *testing.T, d *api.Deps, outbox *jobs.Outbox) {
		cfg := ai.DefaultConfig()
		cfg.Knowledge.ShareCacheTTL = 0
		cfg.Learning.CacheTTL = 0
		d.AI = ai.New(env.App, env.System, outbox, nil, d.Classifier, cfg, quietLog)
		d.Helpdesk.UseAnswerer(gatedAnswerer{d.AI.Answerer()})
	})
	workerHooks = append(workerHooks, func(mux *asynq.ServeMux, d api.Deps) { d.AI.Register(mux) })
}

// useAI lets the AI answer in the workspace.
func useAI(ws workspace) { aiWorkspaces.Store(uuid.MustParse(ws.ID), true) }
