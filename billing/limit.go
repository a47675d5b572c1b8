package billing

import (
	"context"
	"fmt"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"gorm.io/gorm"
)

// Limits a plan sets, as LimitError names them.
const (
	LimitSeats            = "seats"
	LimitConnectors       = "connectors"
	LimitCustomSLA        = "custom_sla"
	LimitBusinessHours    = "business_hours"
	LimitLLM              = "llm"
	LimitAllianceOverflow = "alliance_overflow"
)

// LimitError is a request the workspace's plan does not cover: an
// EPAYMENTREQUIRED error that names the plan and the limit.
type LimitError struct {
	Plan    string // the workspace's effective plan
	Limit   string // one of the Limit* names
	Allowed int    // the numeric limit, when the limit is a count
	Message string
}

// Error implements error.
func (e *LimitError) Error() string {
	return "plan limit " + e.Limit + " of " + e.Plan + ": " + e.Message
}

// As lets errors.As see a LimitError as a *deskpool.Error with code
// EPAYMENTREQUIRED.
func (e *LimitError) As(target any) bool {
	if t, ok := target.(**deskpool.Error); ok {
		*t = &deskpool.Error{Code: deskpool.EPAYMENTREQUIRED, Message: e.Message}
		return true
	}
	return false
}

// limitFor returns the LimitError of the workspace in ctx on plan.
func (s *Service) limitFor(plan, limit string, allowed int, what string) *LimitError {
	p := s.catalog.Plan(plan)
	msg := fmt.Sprintf("The %s plan does not include %s; upgrade to use it.", p.DisplayName, what)
	if allowed != Unlimited && allowed >= 0 && (limit == LimitSeats || limit == LimitConnectors) {
		msg = fmt.Sprintf("The %s plan includes %d %s; upgrade for more.", p.DisplayName, allowed, what)
	}
	return &LimitError{Plan: p.Name, Limit: limit, Allowed: allowed, Message: msg}
}

// CheckSeats fails with a LimitError when the workspace in ctx has more
// members than its plan's seats; call it in the transaction that adds one.
func (s *Service) CheckSeats(ctx context.Context) error {
	return postgres.Join(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		a, err := loadAccount(ctx, tx, false)
		if err != nil {
			return err
		}
		plan := a.effective(s.now())
		e := s.catalog.Plan(plan).Entitlements
		n, err := countSeats(ctx, tx)
		if err != nil {
			return err
		}
		if e.Seats != Unlimited && n > e.Seats {
			return s.limitFor(plan, LimitSeats, e.Seats, "seats")
		}
		return nil
	})
}

// CheckConnectorAdd fails with a LimitError when the workspace in ctx may
// not add one more shop connector.
func (s *Service) CheckConnectorAdd(ctx context.Context) error {
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		a, err := loadAccount(ctx, tx, false)
		if err != nil {
			return err
		}
		plan := a.effective(s.now())
		e := s.catalog.Plan(plan).Entitlements
		n, err := countConnectors(ctx, tx)
		if err != nil {
			return err
		}
		if !Allows(e.Connectors, n) {
			return s.limitFor(plan, LimitConnectors, e.Connectors, "connectors")
		}
		return nil
	})
}

// CheckFeature fails with a LimitError when the plan of the workspace in
// ctx does not include the feature (LimitCustomSLA, LimitBusinessHours,
// LimitLLM, LimitAllianceOverflow).
func (s *Service) CheckFeature(ctx context.Context, feature string) error {
	plan, err := s.EffectivePlan(ctx, deskpool.TenantIDFromContext(ctx))
	if err != nil {
		return err
	}
	e := s.catalog.Plan(plan).Entitlements
	var ok bool
	var what string
	switch feature {
	case LimitCustomSLA:
		ok, what = e.CustomSLA, "custom SLA policies"
	case LimitBusinessHours:
		ok, what = e.BusinessHours, "custom business hours"
	case LimitLLM:
		ok, what = e.LLM, "the LLM provider"
	case LimitAllianceOverflow:
		ok, what = e.AllianceOverflow, "overflow to an alliance's pool"
	default:
		return deskpool.Errorf(deskpool.EINTERNAL, "unknown plan feature %q", feature)
	}
	if !ok {
		return s.limitFor(plan, feature, Unlimited, what)
	}
	return nil
}

// CheckAllianceOverflow fails with a LimitError when the plan of the
// workspace in ctx does not include overflow to an alliance's pool.
func (s *Service) CheckAllianceOverflow(ctx context.Context) error {
	return s.CheckFeature(ctx, LimitAllianceOverflow)
}
