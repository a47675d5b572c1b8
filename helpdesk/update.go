package helpdesk

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// ConversationUpdate is what an agent changes on a conversation; nil
// fields stay. Unassign clears the assignee.
type ConversationUpdate struct {
	Status       *string    `json:"status"`
	SnoozedUntil *time.Time `json:"snoozed_until"`
	AssigneeID   *uuid.UUID `json:"assignee_id"`
	Unassign     bool       `json:"unassign"`
	Priority     *string    `json:"priority"`
	Tags         *[]string  `json:"tags"`
	Triage       *struct {
		Intent  *string `json:"intent"`
		Urgency *string `json:"urgency"`
	} `json:"triage"`
	// Rule, set by the conversation rules' sweep only, names the
	// workspace's rule that changes the status: the timeline's
	// status_changed says so ("by": "rule"), not a person.
	Rule *AppliedRule `json:"-"`
}

// AppliedRule is a workspace conversation rule acting on a conversation:
// its name (RuleAutoResolvePending, RuleAutoCloseResolved) and its delay.
type AppliedRule struct {
	Name  string
	Hours int
}

// Urgencies are the triage's urgency labels.
var Urgencies = []string{"high", "medium", "low"}

// Intents are the triage's intent labels.
var Intents = []string{"order_status", "logistics_delay", "cancel_order", "change_order", "return", "refund", "exchange",
	"product_question", "stock", "payment", "invoice", "account", "promotion", "complaint", "quality_issue",
	"privacy_or_fund_safety", "human_request", "feedback", "other"}

var statuses = []string{StatusOpen, StatusPending, StatusSnoozed, StatusResolved, StatusClosed}

// MaxSnoozeYears bounds how far ahead a snooze may end, as help desks do:
// a conversation put away for longer is one to resolve, not to snooze.
const MaxSnoozeYears = 1

// Validate checks every field.
func (u *ConversationUpdate) Validate(at time.Time) error {
	var v deskpool.Validator
	if u.Status != nil {
		v.Check(slices.Contains(statuses, *u.Status), "status", "must be one of "+strings.Join(statuses, ", "))
		if *u.Status == StatusSnoozed {
			v.Check(u.SnoozedUntil != nil && u.SnoozedUntil.After(at), "snoozed_until", "is required for snoozed and must be in the future")
			v.Check(u.SnoozedUntil == nil || !u.SnoozedUntil.After(at.AddDate(MaxSnoozeYears, 0, 0)), "snoozed_until",
				"must be at most one year ahead")
		}
	}
	if u.SnoozedUntil != nil && (u.Status == nil || *u.Status != StatusSnoozed) {
		v.Add("snoozed_until", "goes with status snoozed")
	}
	v.Check(!(u.Unassign && u.AssigneeID != nil), "assignee_id", "cannot be set together with unassign")
	if u.Priority != nil {
		v.Check(slices.Contains([]string{"low", "normal", "high", "urgent"}, *u.Priority), "priority", "must be low, normal, high or urgent")
	}
	if u.Tags != nil {
		v.Check(len(*u.Tags) <= 50, "tags", "must hold at most 50 tags")
		for i, t := range *u.Tags {
			v.Check(strings.TrimSpace(t) != "" && utf8.RuneCountInString(t) <= 50, "tags["+itoa(i)+"]", "must be 1 to 50 characters")
		}
	}
	if u.Triage != nil {
		if u.Triage.Intent != nil {
			v.Check(slices.Contains(Intents, *u.Triage.Intent), "triage.intent", "must be one of "+strings.Join(Intents, ", "))
		}
		if u.Triage.Urgency != nil {
			v.Check(slices.Contains(Urgencies, *u.Triage.Urgency), "triage.urgency", "must be high, medium or low")
		}
	}
	return v.Err()
}

// UpdateConversation applies an agent's changes, records each on the
// timeline and emits the matching webhooks. A closed conversation cannot
// change (ECONFLICT). A triage correction is kept as a labelled example.
func (s *Service) UpdateConversation(ctx context.Context, id uuid.UUID, u ConversationUpdate) (*Conversation, error) {
	at := now()
	if err := u.Validate(at); err != nil {
		return nil, err
	}
	var out *Conversation
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		c, err := loadConversation(ctx, tx, id, true)
		if err != nil {
			return err
		}
		// The change is dated when the lock is had: one that waited for a
		// customer's message being stored (see joinSQL) comes after it,
		// as its resolved_at says.
		at = now()
		if c.Status == StatusClosed {
			return deskpool.Errorf(deskpool.ECONFLICT, "The conversation is closed and cannot change.")
		}
		set := map[string]any{"updated_at": at}
		var events []func() error
		if u.Status != nil && *u.Status != c.Status {
			set["status"] = *u.Status
			set["snoozed_until"] = u.SnoozedUntil
			switch *u.Status {
			case StatusResolved:
				set["resolved_at"], set["waiting_since"] = at, nil
			case StatusClosed:
				set["closed_at"], set["waiting_since"] = at, nil
				if c.ResolvedAt == nil {
					set["resolved_at"] = at
				}
			case StatusOpen:
				set["resolved_at"] = nil
			}
			if *u.Status == StatusSnoozed {
				if err := s.queueWake(ctx, tx, id, *u.SnoozedUntil); err != nil {
					return err
				}
			}
			data := map[string]any{"from": c.Status, "to": *u.Status, "snoozed_until": u.SnoozedUntil}
			if u.Rule != nil {
				data["by"], data["rule"], data["after_hours"] = "rule", u.Rule.Name, u.Rule.Hours
			}
			events = append(events, func() error { return s.event(ctx, tx, id, "status_changed", data) })
		}
		assignment, err := s.assignManually(ctx, tx, c, u)
		if err != nil {
			return err
		}
		if u.Priority != nil {
			set["priority"] = *u.Priority
		}
		if u.Tags != nil {
			tags := slices.Compact(slices.Sorted(slices.Values(*u.Tags)))
			set["tags"] = pq.StringArray(tags)
		}
		if u.Triage != nil {
			if err := s.correctTriage(ctx, tx, c, u, set); err != nil {
				return err
			}
		}
		if err := tx.Table("conversations").Where("tenant_id = ? AND id = ?", tenantID, id).Updates(set).Error; err != nil {
			return err
		}
		for _, ev := range events {
			if err := ev(); err != nil {
				return err
			}
		}
		if out, err = loadConversation(ctx, tx, id, false); err != nil {
			return err
		}
		// The observers set what they change on out.
		if err := s.notifyObservers(ctx, tx, Change{Kind: ChangeUpdated, Before: c, After: out, At: at}); err != nil {
			return err
		}
		return s.emitChanges(ctx, tx, c, out, assignment)
	})
	return out, err
}

// assignManually hands the conversation to the update's assignee, or
// back to the queue, when that changes who holds it; the assignment is
// announced with the rest of the update (see emitChanges).
func (s *Service) assignManually(ctx context.Context, tx *gorm.DB, c *Conversation, u ConversationUpdate) (*Assignment, error) {
	to := u.AssigneeID
	if (to == nil && !u.Unassign) || sameUser(c.AssigneeID, to) {
		return nil, nil
	}
	if to != nil {
		if err := s.checkAssignee(ctx, tx, *to); err != nil {
			return nil, err
		}
	}
	// c is locked: the conversation cannot have changed hands since.
	if _, err := setAssignee(ctx, tx, []uuid.UUID{c.ID}, c.AssigneeID, to, ""); err != nil {
		return nil, err
	}
	return &Assignment{ConversationID: c.ID, From: c.AssigneeID, To: to, By: "manual"}, nil
}

// sameUser reports whether a and b are both nobody or the same user.
func sameUser(a, b *uuid.UUID) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// emitChanges sends the webhooks a change calls for, and announces its
// assignment (nil for none).
func (s *Service) emitChanges(ctx context.Context, tx *gorm.DB, before, after *Conversation, assignment *Assignment) error {
	data := map[string]any{"conversation": after}
	if err := s.events.Emit(ctx, tx, EventConversationUpdated, data); err != nil {
		return err
	}
	if assignment != nil {
		if err := s.announce(ctx, tx, assignment, after, AssignNotice{}); err != nil {
			return err
		}
	}
	if after.Status == StatusResolved && before.Status != StatusResolved {
		if err := s.events.Emit(ctx, tx, EventConversationResolved, data); err != nil {
			return err
		}
		if err := s.events.Emit(ctx, tx, EventCSATRequested, map[string]any{"conversation_id": after.ID, "customer_id": after.CustomerID}); err != nil {
			return err
		}
		if err := s.event(ctx, tx, after.ID, "csat.requested", nil); err != nil {
			return err
		}
	}
	if (after.Status == StatusResolved || after.Status == StatusClosed) && before.AssigneeID != nil {
		return s.queueAssignment(ctx, tx) // capacity freed
	}
	return nil
}

// checkAssignee makes sure the user is a member who may take conversations.
func (s *Service) checkAssignee(ctx context.Context, tx *gorm.DB, userID uuid.UUID) error {
	var role string
	if err := tx.Raw(`SELECT role FROM memberships WHERE tenant_id = ? AND user_id = ?`, deskpool.TenantIDFromContext(ctx), userID).Scan(&role).Error; err != nil {
		return err
	}
	if role == "" || role == "viewer" {
		return deskpool.Invalid(deskpool.FieldError{Field: "assignee_id", Message: "must be a member of this workspace who can take conversations"})
	}
	return nil
}

// correctTriage applies an agent's triage correction and stores it as a
// labelled example for learning.
func (s *Service) correctTriage(ctx context.Context, tx *gorm.DB, c *Conversation, u ConversationUpdate, set map[string]any) error {
	original := map[string]any{"intent": c.Intent, "urgency": c.Urgency}
	corrected := map[string]any{"intent": c.Intent, "urgency": c.Urgency}
	if u.Triage.Intent != nil {
		set["intent"], corrected["intent"] = *u.Triage.Intent, *u.Triage.Intent
	}
	if u.Triage.Urgency != nil {
		set["urgency"], corrected["urgency"] = *u.Triage.Urgency, *u.Triage.Urgency
	}
	a, _ := deskpool.ActorFromContext(ctx)
	last, err := postgres.ScanID(tx.Raw(`SELECT id FROM messages WHERE tenant_id = ? AND conversation_id = ? AND direction = 'inbound'
		ORDER BY created_at DESC, id DESC LIMIT 1`, a.TenantID, c.ID))
	if err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO triage_corrections (tenant_id, id, conversation_id, message_id, corrected_by, original, corrected)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, a.TenantID, deskpool.NewID(), c.ID, nullID(last), nullID(a.ID()), jsonString(original), jsonString(corrected)).Error; err != nil {
		return err
	}
	return s.event(ctx, tx, c.ID, "triage.corrected", map[string]any{"from": original, "to": corrected})
}
