package sla

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// TaskPool is the timer of a clock reaching the share of its target at
// which the workspace's alliance overflow rule offers the conversation to
// the pool (see ShareOverflow), on the critical queue.
const TaskPool = "sla:pool"

// ShareOverflow is an Overflow that also offers a conversation when its
// clock reaches a share of its target. PoolShare answers the share (in
// (0,1]; 0: none) for the workspace in ctx; OfferShare offers the
// conversation when the clock of metric reached it. Both run inside the
// clock's transaction.
type ShareOverflow interface {
	Overflow
	PoolShare(ctx context.Context, tx *gorm.DB) (float64, error)
	OfferShare(ctx context.Context, tx *gorm.DB, conversationID uuid.UUID, metric string) (offered bool, err error)
}

// poolAt returns when a running clock reaches the share the workspace's
// overflow rule names, if any: the instant of its sla:pool timer, kept
// with the clock so that the sweep acts on it if the timer is lost.
func (s *Service) poolAt(ctx context.Context, tx *gorm.DB, t *Timer, cal BusinessHours) (*time.Time, error) {
	so, ok := s.overflow.(ShareOverflow)
	if !ok {
		return nil, nil
	}
	share, err := so.PoolShare(ctx, tx)
	if err != nil || share <= 0 {
		return nil, err
	}
	at, err := t.Clock.WarnAt(cal, share)
	if err != nil {
		return nil, err
	}
	return &at, nil
}

// Open reports whether the workspace in ctx is within its business hours
// at the instant at: open when any of its schedules is, and always when it
// has none.
func (s *Service) Open(ctx context.Context, tx *gorm.DB, at time.Time) (bool, error) {
	var rows []scheduleRow
	if err := tx.Raw(`SELECT `+scheduleColumns+` FROM business_hours WHERE tenant_id = ?`,
		deskpool.TenantIDFromContext(ctx)).Scan(&rows).Error; err != nil {
		return false, err
	}
	if len(rows) == 0 {
		return true, nil
	}
	for _, r := range rows {
		if r.schedule().Hours().IsOpen(at) {
			return true, nil
		}
	}
	return false, nil
}
