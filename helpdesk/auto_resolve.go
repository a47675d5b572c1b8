package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// RuleSweepInterval is how often each worker process applies the
// workspaces' conversation rules. The rules count in hours, so a minute
// late is on time.
const RuleSweepInterval = time.Minute

// RuleSweepBatch bounds the conversations one rule resolves or closes in
// one workspace per sweep; the next sweep takes the rest.
const RuleSweepBatch = 500

// pendingDue holds for a pending conversation that has waited on the
// customer since @cutoff: the last message was ours (no customer message
// since, which would have set waiting_since), written at or before
// @cutoff, and it was set pending (its latest status change) at or
// before @cutoff too, so that a conversation set pending a minute ago is
// given the rule's whole delay.
const pendingDue = `c.status = 'pending' AND c.waiting_since IS NULL AND c.last_message_at <= @cutoff
	AND COALESCE((SELECT max(e.created_at) FROM conversation_events e WHERE e.tenant_id = c.tenant_id
		AND e.conversation_id = c.id AND e.kind = 'status_changed'), '-infinity') <= @cutoff`

// resolvedDue holds for a conversation resolved at or before @cutoff.
const resolvedDue = `c.status = 'resolved' AND c.resolved_at <= @cutoff`

// dueWorkspacesSQL lists the workspaces with a conversation due as of
// @at (a workspace that set no rules has none on). For each
// workspace whose rule is on, it reads the oldest conversation on that
// rule's clock, one index probe (see migration 00046), so its cost
// follows the number of workspaces, never their conversations: pending
// ones no rule resolves and resolved ones not yet due are not read.
const dueWorkspacesSQL = `SELECT r.tenant_id FROM conversation_rules r
	WHERE (r.auto_close_resolved_after_hours IS NOT NULL
			AND (SELECT min(c.resolved_at) FROM conversations c WHERE c.tenant_id = r.tenant_id AND c.status = 'resolved')
				<= CAST(@at AS timestamptz) - r.auto_close_resolved_after_hours * interval '1 hour')
		OR (r.auto_resolve_pending_after_hours IS NOT NULL
			AND (SELECT min(c.last_message_at) FROM conversations c WHERE c.tenant_id = r.tenant_id AND c.status = 'pending' AND c.waiting_since IS NULL)
				<= CAST(@at AS timestamptz) - r.auto_resolve_pending_after_hours * interval '1 hour')
	ORDER BY r.tenant_id`

// RunConversationRules applies every workspace's conversation rules now
// and then every interval until ctx ends (run it in worker processes;
// sysdb is the system role, which finds the workspaces with work due).
// Every worker process may run one: a conversation is changed once.
func (s *Service) RunConversationRules(ctx context.Context, sysdb *gorm.DB, interval time.Duration, warn func(msg string, args ...any)) {
	jobs.Every(ctx, interval, func(ctx context.Context) {
		if _, err := s.SweepConversationRules(ctx, sysdb, now()); err != nil && ctx.Err() == nil {
			warn("conversation rules sweep", "err", err)
		}
	})
}

// SweepConversationRules applies, as of at, the conversation rules of
// every workspace with a conversation due (see ApplyConversationRules),
// and returns how many conversations it resolved or closed. Nothing is
// kept outside the conversations themselves: a sweep that dies is made
// good by the next one.
func (s *Service) SweepConversationRules(ctx context.Context, sysdb *gorm.DB, at time.Time) (int, error) {
	var tenants []uuid.UUID
	err := postgres.System(ctx, sysdb, "helpdesk:conversation_rules", func(ctx context.Context, tx *gorm.DB) (err error) {
		// A superset for pending ones: the time they were set pending is
		// read in the workspace's own pass.
		tenants, err = postgres.ScanIDs(tx.Raw(dueWorkspacesSQL,
			map[string]any{"at": at}))
		return err
	})
	if err != nil {
		return 0, err
	}
	// A workspace that fails (one conversation an observer refuses) does
	// not hold up the others; its error is reported with theirs.
	total, errs := 0, []error(nil)
	for _, tenantID := range tenants {
		if ctx.Err() != nil {
			return total, ctx.Err()
		}
		n, err := s.ApplyConversationRules(deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: tenantID}), at)
		total += n
		if err != nil {
			errs = append(errs, fmt.Errorf("workspace %s: %w", tenantID, err))
		}
	}
	return total, errors.Join(errs...)
}

// ApplyConversationRules applies, as of at, the rules of the workspace in
// ctx: it closes up to RuleSweepBatch conversations resolved longer than
// the close rule's delay, then resolves up to RuleSweepBatch pending ones
// that waited on the customer longer than the resolve rule's (closing
// first, so that nothing resolved now is closed in the same pass), the
// longest due first on the rule's own clock (a pending conversation
// resolved once before keeps that old resolved_at, which is not its clock). Each
// goes through UpdateConversation, in a transaction of its own, recorded
// as the rule's. It returns how many it changed.
func (s *Service) ApplyConversationRules(ctx context.Context, at time.Time) (int, error) {
	rules, err := s.ConversationRules(ctx)
	if err != nil {
		return 0, err
	}
	total, errs := 0, []error(nil)
	for _, r := range []struct {
		name, due, clock, to string
		hours                *int // nil: the rule is off
	}{
		{RuleAutoCloseResolved, resolvedDue, "c.resolved_at", StatusClosed, rules.AutoCloseResolvedAfterHours},
		{RuleAutoResolvePending, pendingDue, "c.last_message_at", StatusResolved, rules.AutoResolvePendingAfterHours},
	} {
		if r.hours == nil {
			continue
		}
		rule := AppliedRule{Name: r.name, Hours: *r.hours}
		cutoff := at.Add(-time.Duration(*r.hours) * time.Hour)
		var ids []uuid.UUID
		if err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) (err error) {
			ids, err = postgres.ScanIDs(tx.Raw(`SELECT c.id FROM conversations c WHERE c.tenant_id = @t AND `+r.due+`
				ORDER BY `+r.clock+`, c.id LIMIT @n`, map[string]any{"t": deskpool.TenantIDFromContext(ctx), "cutoff": cutoff, "n": RuleSweepBatch}))
			return err
		}); err != nil {
			return total, errors.Join(append(errs, err)...)
		}
		for _, id := range ids {
			if ctx.Err() != nil {
				return total, ctx.Err()
			}
			// One conversation that cannot change does not hold up the
			// rest of the batch.
			did, err := s.applyRule(ctx, id, r.due, cutoff, r.to, rule)
			if err != nil {
				errs = append(errs, fmt.Errorf("conversation %s: %w", id, err))
			}
			if did {
				total++
			}
		}
	}
	return total, errors.Join(errs...)
}

// applyRule moves one conversation to status by rule if it is still due
// as of cutoff: the row is locked only if no one holds it (another sweep,
// a customer's message being stored) and it still matches due, so a
// conversation that changed since it was listed (the customer answered,
// an agent reopened it, another sweep got there first) is left alone.
func (s *Service) applyRule(ctx context.Context, id uuid.UUID, due string, cutoff time.Time, status string, rule AppliedRule) (bool, error) {
	did := false
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		still, err := postgres.ScanIDs(tx.Raw(`SELECT c.id FROM conversations c WHERE c.tenant_id = @t AND c.id = @id AND `+due+`
			FOR UPDATE OF c SKIP LOCKED`, map[string]any{"t": deskpool.TenantIDFromContext(ctx), "id": id, "cutoff": cutoff}))
		if err != nil || len(still) == 0 {
			return err
		}
		_, err = s.UpdateConversation(ctx, id, ConversationUpdate{Status: &status, Rule: &rule})
		did = err == nil
		return err
	})
	if did && err == nil {
		ruleChanges.WithLabelValues(rule.Name).Inc()
	}
	return did && err == nil, err
}
