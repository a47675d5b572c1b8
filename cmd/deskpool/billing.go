package main

import (
	"context"
	"log/slog"

	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"gorm.io/gorm"
)

// billingNotifier tells a workspace's owners of billing events through the
// in-app notifications and emits them to its webhook subscribers.
type billingNotifier struct{ *helpdesk.Webhooks }

// NotifyOwners records a notification addressed to the workspace's owners
// and admins.
func (billingNotifier) NotifyOwners(ctx context.Context, tx *gorm.DB, kind, title, body string, data map[string]any) error {
	return helpdesk.Notify(ctx, tx, nil, kind, title, body, data)
}

// meteredTriager counts every AI-triaged message against the workspace's
// quota, in the ingest's transaction; past the quota (without billed
// overage) the message is triaged by the built-in rules alone, never
// dropped, and the AI triage (with its LLM) is not asked.
type meteredTriager struct {
	ai, rules helpdesk.Triager
	billing   *billing.Service
	log       *slog.Logger
}

// Triage implements helpdesk.Triager.
func (m meteredTriager) Triage(ctx context.Context, in helpdesk.TriageInput) helpdesk.Triage {
	ok, err := m.billing.CountAIMessage(ctx)
	if err != nil {
		// The transaction is doomed already; the rules answer meanwhile.
		m.log.Warn("AI quota not counted", "err", err)
		return m.rules.Triage(ctx, in)
	}
	if !ok {
		return m.rules.Triage(ctx, in)
	}
	return m.ai.Triage(ctx, in)
}

// quotaAnswerer lets the AI answer only within the workspace's quota;
// past it the message goes to a person.
type quotaAnswerer struct {
	next    helpdesk.Answerer
	billing *billing.Service
}

// Answer implements helpdesk.Answerer.
func (q quotaAnswerer) Answer(ctx context.Context, tx *gorm.DB, in helpdesk.AnswerInput) (*helpdesk.Answer, error) {
	if !q.billing.AIWithinQuota(ctx) {
		return &helpdesk.Answer{HandOver: "ai_quota_reached"}, nil
	}
	return q.next.Answer(ctx, tx, in)
}

// PrepareAnswer implements helpdesk.AnswerPreparer for an answerer that
// prepares, within the quota.
func (q quotaAnswerer) PrepareAnswer(ctx context.Context, tx *gorm.DB, in helpdesk.AnswerInput) (context.Context, []*postgres.Query, error) {
	p, ok := q.next.(helpdesk.AnswerPreparer)
	if !ok || !q.billing.AIWithinQuota(ctx) {
		return ctx, nil, nil
	}
	return p.PrepareAnswer(ctx, tx, in)
}
