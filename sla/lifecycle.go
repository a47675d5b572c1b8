package sla

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ConversationChanged keeps the conversation's clocks inside the
// transaction of the change: a customer message starts the first-response
// (new conversation) or next-response clock and the resolution clock; a
// reply stops the response clocks; pending and snoozed pause every clock,
// open resumes them, resolved and closed stop them; a change of the
// matching policy or its targets (urgency, intent, segment, plan) moves the
// deadlines. Every moved deadline gets new timers; the old ones lapse. The
// conversation's policy and deadlines are written, when they moved, with
// the transaction's next round trip, and set on ch.After as well.
func (s *Service) ConversationChanged(ctx context.Context, tx *gorm.DB, ch helpdesk.Change) error {
	c := ch.After
	if c == nil || ch.Kind == helpdesk.ChangeProactive {
		return nil
	}
	at := ch.At
	if at.IsZero() {
		at = s.now()
	}
	timers, ok := prefetchedTimers(ctx, c.ID)
	if !ok {
		var err error
		if timers, err = loadTimers(ctx, tx, c.ID); err != nil {
			return err
		}
	}
	if ch.Kind != helpdesk.ChangeInbound && len(timers) == 0 {
		return nil // never under an SLA: nothing to keep
	}
	pol, err := s.policyFor(ctx, tx, ch)
	if err != nil {
		return err
	}
	var started []string
	switch ch.Kind {
	case helpdesk.ChangeInbound:
		started = startClocks(timers, c, pol, at)
	case helpdesk.ChangeReply:
		for _, m := range []string{MetricFirstResponse, MetricNextResponse} {
			stopClock(timers[m], at)
		}
	}
	retarget(timers, pol)
	applyStatus(timers, c.Status, pol.calendar(), at)
	for _, t := range timers {
		if t.dirty {
			if err := s.save(ctx, tx, t, pol); err != nil {
				return err
			}
			t.dirty = false // as stored: a later change in the transaction may reuse it (see PrepareInbound)
		}
	}
	if len(started) > 0 {
		if err := clocksStarted(ctx, tx, c.ID, pol, timers, started); err != nil {
			return err
		}
	}
	if c.SLAPolicyID != nil && *c.SLAPolicyID != pol.ID {
		if err := helpdesk.AppendEvent(ctx, tx, c.ID, "sla.policy_changed", map[string]any{
			"from": *c.SLAPolicyID, "to": pol.ID, "name": pol.Name}); err != nil {
			return err
		}
	}
	due := func(m string) *time.Time {
		if t := timers[m]; t.live() && t.Status != TimerPaused {
			return asStored(t.DueAt)
		}
		return nil
	}
	first, next, resolution := due(MetricFirstResponse), due(MetricNextResponse), due(MetricResolution)
	if c.SLAPolicyID != nil && *c.SLAPolicyID == pol.ID && sameInstant(c.FirstDueAt, first) &&
		sameInstant(c.NextDueAt, next) && sameInstant(c.ResolutionDueAt, resolution) {
		return nil // the conversation shows its deadlines already
	}
	// The caller's copy shows the deadlines too: it needs no second read.
	c.SLAPolicyID, c.FirstDueAt, c.NextDueAt, c.ResolutionDueAt = &pol.ID, first, next, resolution
	postgres.Defer(ctx, tx, nil, `UPDATE conversations SET sla_policy_id = ?, first_response_due_at = ?, next_response_due_at = ?, resolution_due_at = ?
		WHERE tenant_id = ? AND id = ?`, pol.ID, first, next, resolution, deskpool.TenantIDFromContext(ctx), c.ID)
	return nil
}

// asStored is t as PostgreSQL stores it, to the microsecond; nil stays
// nil.
func asStored(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	at := t.Truncate(time.Microsecond)
	return &at
}

// sameInstant reports whether a and b are both unset or the same instant.
func sameInstant(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// startClocks starts the clocks a customer message calls for: first
// response until the first reply, next response after it (unless one is
// already waiting), and resolution unless it is already counting. It
// returns the metrics started.
func startClocks(timers map[string]*Timer, c *helpdesk.Conversation, pol *PolicyDoc, at time.Time) (started []string) {
	start := func(metric string) {
		started = append(started, metric)
		t := &Timer{ConversationID: c.ID, Metric: metric, PolicyID: pol.ID, Status: TimerRunning,
			Clock: NewClock(pol.Policy().Targets.For(metric), at), dirty: true}
		if old := timers[metric]; old != nil {
			t.Version = old.Version // versions only grow, so task ids never repeat
		}
		timers[metric] = t
	}
	if c.FirstResponseAt == nil {
		if timers[MetricFirstResponse] == nil {
			start(MetricFirstResponse)
		}
	} else if !timers[MetricNextResponse].live() {
		start(MetricNextResponse)
	}
	if !timers[MetricResolution].live() {
		start(MetricResolution)
	}
	return started
}

// clocksStarted records on the conversation's timeline the clocks a
// customer message started ("sla.started"), as a help desk's event log shows
// the SLA applied to a ticket: the policy, and each clock's metric, target
// and deadline (null while paused).
func clocksStarted(ctx context.Context, tx *gorm.DB, convID uuid.UUID, pol *PolicyDoc, timers map[string]*Timer, started []string) error {
	clocks := make([]map[string]any, 0, len(started))
	for _, m := range started {
		t := timers[m]
		clocks = append(clocks, map[string]any{"metric": m, "target_seconds": int64(t.Clock.Target / time.Second), "due_at": asStored(t.DueAt)})
	}
	return helpdesk.AppendEvent(ctx, tx, convID, "sla.started", map[string]any{"policy_id": pol.ID, "policy": pol.Name, "clocks": clocks})
}

// stopClock stops a clock still waiting for its target; a breached one
// keeps its status and records when it was met.
func stopClock(t *Timer, at time.Time) {
	if !t.live() {
		return
	}
	t.Clock = t.Clock.Stop(at)
	if t.Status != TimerBreached {
		t.Status = TimerStopped
	}
	t.dirty = true
}

// retarget moves running and paused clocks to the policy's targets when
// the policy or its targets changed; breached clocks keep theirs.
func retarget(timers map[string]*Timer, pol *PolicyDoc) {
	targets := pol.Policy().Targets
	for _, t := range timers {
		if t.Status != TimerRunning && t.Status != TimerPaused {
			continue
		}
		if target := targets.For(t.Metric); t.PolicyID != pol.ID || t.Clock.Target != target {
			t.PolicyID, t.Clock.Target, t.dirty = pol.ID, target, true
		}
	}
}

// applyStatus pauses, resumes or stops the clocks as the conversation's
// status asks.
func applyStatus(timers map[string]*Timer, status string, cal BusinessHours, at time.Time) {
	for _, t := range timers {
		switch {
		case (status == helpdesk.StatusPending || status == helpdesk.StatusSnoozed) && t.Status == TimerRunning:
			t.Clock, t.Status, t.dirty = t.Clock.Pause(at), TimerPaused, true
		case status == helpdesk.StatusOpen && t.Status == TimerPaused:
			t.Clock, t.Status, t.dirty = t.Clock.Resume(cal, at), TimerRunning, true
		case status == helpdesk.StatusResolved || status == helpdesk.StatusClosed:
			stopClock(t, at)
		}
	}
}

// policyFor matches the conversation against the workspace's policies (the
// built-in ones while it has none); a conversation no policy matches falls
// under the built-in baseline, so every customer has a promise. An inbound
// change, and one that says it knows the customer, tells the customer's
// VIP flag, segment and high-frequency flag; other changes read them.
func (s *Service) policyFor(ctx context.Context, tx *gorm.DB, ch helpdesk.Change) (*PolicyDoc, error) {
	c := ch.After
	wp, err := s.workspacePolicies(ctx, tx)
	if err != nil {
		return nil, err
	}
	vip, segment, frequent := ch.CustomerVIP, ch.CustomerSeg, ch.CustomerHighFreq
	if ch.Kind != helpdesk.ChangeInbound && !ch.CustomerKnown {
		var who struct {
			VIP           bool
			Segment       string
			HighFrequency bool
		}
		if err := tx.Raw(`SELECT vip, segment, high_frequency FROM customers WHERE tenant_id = ? AND id = ?`,
			deskpool.TenantIDFromContext(ctx), c.CustomerID).Scan(&who).Error; err != nil {
			return nil, err
		}
		vip, segment, frequent = who.VIP, who.Segment, who.HighFrequency
	}
	f := Facts{PlanTier: wp.plan, Segment: segment, HighFrequency: frequent, Urgency: c.Urgency, Intent: c.Intent, Channel: c.LastChannel}
	if vip {
		f.Segment = "vip"
	}
	pure := make([]Policy, len(wp.docs))
	for i, d := range wp.docs {
		pure[i] = d.Policy()
	}
	if m, ok := Match(pure, f); ok {
		for _, d := range wp.docs {
			if d.ID.String() == m.ID {
				return &d, nil
			}
		}
	}
	pol := baseline() // built in: around the clock, no business hours to load
	return &pol, nil
}
