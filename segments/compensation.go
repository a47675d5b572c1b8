package segments

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Kinds of compensation.
var Kinds = []string{"refund_partial", "coupon", "gift", "free_shipping", "points"}

// Statuses of a grant.
const (
	StatusPending  = "pending_approval"
	StatusApproved = "approved"
	StatusRejected = "rejected"
)

// Execution states of an approved grant in the shop.
const (
	ExecNone     = "none"     // not approved (yet)
	ExecPending  = "pending"  // a job will execute it
	ExecExecuted = "executed" // done in the shop; ExecutionRef names it there
	ExecManual   = "manual"   // the shop cannot do it (or the plan does not include it): to fulfil by hand
	ExecFailed   = "failed"   // the shop refused it
)

// Compensation is a grant to a customer on a conversation.
type Compensation struct {
	ID              uuid.UUID  `json:"id"`
	ConversationID  uuid.UUID  `json:"conversation_id"`
	CustomerID      uuid.UUID  `json:"customer_id"`
	Kind            string     `json:"kind"`
	AmountMinor     int64      `json:"-"`
	Amount          string     `json:"amount" gorm:"-"`
	Currency        string     `json:"currency"`
	Reason          string     `json:"reason"`
	Status          string     `json:"status"`
	OverLimit       bool       `json:"over_limit"`
	GrantedBy       uuid.UUID  `json:"granted_by"`
	DecidedBy       *uuid.UUID `json:"decided_by"`
	DecidedAt       *time.Time `json:"decided_at"`
	DecisionNote    string     `json:"decision_note"`
	Execution       string     `json:"execution"`
	ExecutionRef    string     `json:"execution_ref"`
	ExecutionError  string     `json:"execution_error"`
	ExecutionTarget string     `json:"-"` // where in the shop it goes, once chosen
	ExecutedAt      *time.Time `json:"executed_at"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

const compensationColumns = `id, conversation_id, customer_id, kind, amount_minor, currency, reason, status, over_limit,
	granted_by, decided_by, decided_at, decision_note, execution, execution_ref, execution_error, execution_target, executed_at, created_at, updated_at`

// NewCompensation is what an agent grants.
type NewCompensation struct {
	Kind     string `json:"kind"`
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
	Reason   string `json:"reason"`
}

// parse validates in against the workspace's currency.
func (in NewCompensation) parse(currency string) (int64, error) {
	var v deskpool.Validator
	v.Check(slices.Contains(Kinds, in.Kind), "kind", "must be one of "+strings.Join(Kinds, ", "))
	v.Check(in.Currency == currency, "currency", "must be "+currency+", the workspace's currency")
	amount, err := shop.ParseAmount(in.Amount, currency)
	v.Check(err == nil && amount > 0, "amount", "must be a positive decimal amount such as \"50.00\"")
	n := utf8.RuneCountInString(strings.TrimSpace(in.Reason))
	v.Check(n >= 1 && n <= 500, "reason", "must be 1 to 500 characters")
	return amount, v.Err()
}

// Grant records a compensation on a conversation by the person in ctx.
// Within their role's per-grant and daily limits it is approved at once
// and its execution queued; above them it waits for a senior or an owner.
// The granter's day row is locked while the limit is checked, so
// concurrent grants take turns and cannot pass the daily limit together.
func (s *Service) Grant(ctx context.Context, conversationID uuid.UUID, in NewCompensation) (*Compensation, error) {
	actor, _ := deskpool.ActorFromContext(ctx)
	var out *Compensation
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		t, err := loadThresholds(ctx, tx)
		if err != nil {
			return err
		}
		amount, err := in.parse(t.Currency)
		if err != nil {
			return err
		}
		ids, err := postgres.ScanIDs(tx.Raw(`SELECT customer_id FROM conversations WHERE tenant_id = ? AND id = ?`, tenantID, conversationID))
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return deskpool.Errorf(deskpool.ENOTFOUND, "Conversation not found.")
		}
		customerID := ids[0]
		role, err := authorityRole(ctx, tx, actor)
		if err != nil {
			return err
		}
		within, err := spend(ctx, tx, actor.ID(), role, amount)
		if err != nil {
			return err
		}
		c := Compensation{ID: deskpool.NewID(), ConversationID: conversationID, CustomerID: customerID, Kind: in.Kind,
			AmountMinor: amount, Currency: t.Currency, Reason: strings.TrimSpace(in.Reason), Status: StatusPending,
			OverLimit: !within, GrantedBy: actor.ID(), Execution: ExecNone}
		if within {
			c.Status, c.Execution = StatusApproved, ExecPending
		}
		if err := tx.Raw(`INSERT INTO compensations (tenant_id, id, conversation_id, customer_id, kind, amount_minor, currency,
				reason, status, over_limit, granted_by, execution) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+compensationColumns,
			tenantID, c.ID, c.ConversationID, c.CustomerID, c.Kind, c.AmountMinor, c.Currency, c.Reason, c.Status, c.OverLimit,
			c.GrantedBy, c.Execution).Scan(&c).Error; err != nil {
			return err
		}
		if err := tenant.Audit(ctx, tx, "compensation.granted", "compensation", c.ID.String(), map[string]any{
			"conversation_id": conversationID, "kind": c.Kind, "amount": shop.FormatAmount(amount, c.Currency),
			"currency": c.Currency, "role": role, "status": c.Status}); err != nil {
			return err
		}
		if within {
			if err := s.queueExecution(ctx, tx, c.ID); err != nil {
				return err
			}
		}
		c.Amount = shop.FormatAmount(c.AmountMinor, c.Currency)
		out = &c
		return nil
	})
	return out, err
}

// Decide approves or rejects a grant waiting for approval. Only a senior
// or an owner decides, never on their own grant (EFORBIDDEN), and only
// within their own authority; a grant decided already is ECONFLICT.
func (s *Service) Decide(ctx context.Context, conversationID, id uuid.UUID, approve bool, note string) (*Compensation, error) {
	actor, _ := deskpool.ActorFromContext(ctx)
	if utf8.RuneCountInString(note) > 500 {
		return nil, deskpool.Invalid(deskpool.FieldError{Field: "note", Message: "must be at most 500 characters"})
	}
	var out *Compensation
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		var c Compensation
		if err := tx.Raw(`SELECT `+compensationColumns+` FROM compensations WHERE tenant_id = ? AND id = ? AND conversation_id = ? FOR UPDATE`,
			tenantID, id, conversationID).Scan(&c).Error; err != nil {
			return err
		}
		if c.ID == uuid.Nil {
			return deskpool.Errorf(deskpool.ENOTFOUND, "Compensation not found.")
		}
		role, err := authorityRole(ctx, tx, actor)
		if err != nil {
			return err
		}
		switch {
		case role == roleAgent:
			return deskpool.Errorf(deskpool.EFORBIDDEN, "Only a senior agent or an owner may decide on a grant.")
		case c.GrantedBy == actor.ID():
			return deskpool.Errorf(deskpool.EFORBIDDEN, "You may not decide on your own grant.")
		case c.Status != StatusPending:
			return deskpool.Errorf(deskpool.ECONFLICT, "The grant was %s already.", c.Status)
		}
		status, exec := StatusRejected, ExecNone
		if approve {
			within, err := spend(ctx, tx, actor.ID(), role, c.AmountMinor)
			if err != nil {
				return err
			}
			if !within {
				return deskpool.Errorf(deskpool.EFORBIDDEN, "The grant is beyond your own authority: an owner must approve it.")
			}
			status, exec = StatusApproved, ExecPending
		}
		if err := tx.Raw(`UPDATE compensations SET status = ?, execution = ?, decided_by = ?, decided_at = now(), decision_note = ?,
				updated_at = now() WHERE tenant_id = ? AND id = ? RETURNING `+compensationColumns,
			status, exec, actor.ID(), note, tenantID, id).Scan(&c).Error; err != nil {
			return err
		}
		if err := tenant.Audit(ctx, tx, "compensation."+status, "compensation", id.String(), map[string]any{
			"conversation_id": conversationID, "amount": shop.FormatAmount(c.AmountMinor, c.Currency), "note": note}); err != nil {
			return err
		}
		if approve {
			if err := s.queueExecution(ctx, tx, id); err != nil {
				return err
			}
		}
		c.Amount = shop.FormatAmount(c.AmountMinor, c.Currency)
		out = &c
		return nil
	})
	return out, err
}

// Compensations lists the grants of a conversation (or, with a nil
// conversation, of a customer), oldest first.
func (s *Service) Compensations(ctx context.Context, conversationID, customerID *uuid.UUID) ([]Compensation, error) {
	out := []Compensation{}
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		q := tx.Table("compensations").Select(compensationColumns).Where("tenant_id = ?", tenantID)
		if conversationID != nil {
			var n int64
			if err := tx.Raw(`SELECT count(*) FROM conversations WHERE tenant_id = ? AND id = ?`, tenantID, *conversationID).Scan(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return deskpool.Errorf(deskpool.ENOTFOUND, "Conversation not found.")
			}
			q = q.Where("conversation_id = ?", *conversationID)
		}
		if customerID != nil {
			q = q.Where("customer_id = ?", *customerID)
		}
		return q.Order("created_at, id").Limit(200).Scan(&out).Error
	})
	for i := range out {
		out[i].Amount = shop.FormatAmount(out[i].AmountMinor, out[i].Currency)
	}
	return out, err
}

// queueExecution adds the task that executes an approved grant; its id is
// the grant's, so it is queued once.
func (s *Service) queueExecution(ctx context.Context, tx *gorm.DB, id uuid.UUID) error {
	return s.outbox.Add(ctx, tx, jobs.Task{ID: uuid.NewSHA1(id, []byte("segments:execute")), Type: TaskExecute,
		Payload: ExecutePayload{TenantID: deskpool.TenantIDFromContext(ctx), CompensationID: id}, MaxRetry: 10})
}
