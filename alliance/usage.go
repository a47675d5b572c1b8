package alliance

import (
	"context"
	"fmt"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// BrandUsage is what the pool handled for one brand in a period: the
// settlement line the alliance bills the brand for.
type BrandUsage struct {
	TenantID      uuid.UUID `json:"tenant_id"`
	BrandName     string    `json:"brand_name"`
	Conversations int       `json:"conversations"`
	HandleMinutes float64   `json:"handle_minutes"`
}

// Usage is an alliance's settlement for a period.
type Usage struct {
	AllianceID    uuid.UUID    `json:"alliance_id"`
	From          time.Time    `json:"from"`
	To            time.Time    `json:"to"`
	Brands        []BrandUsage `json:"brands"`
	Conversations int          `json:"conversations"`
	HandleMinutes float64      `json:"handle_minutes"`
}

// period is the period [from, to) a report covers: zero to is now, zero
// from 30 days before to; from must be before to.
func (s *Service) period(from, to time.Time) (time.Time, time.Time, error) {
	if to.IsZero() {
		to = s.now()
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -30)
	}
	if !from.Before(to) {
		return from, to, deskpool.Invalid(deskpool.FieldError{Field: "from", Message: "must be before to"})
	}
	return from, to, nil
}

// FindUsage returns the alliance id's settlement per brand for [from, to)
// (zero from: 30 days before to; zero to: now); the caller must
// administer the alliance.
func (s *Service) FindUsage(ctx context.Context, id uuid.UUID, from, to time.Time) (*Usage, error) {
	from, to, err := s.period(from, to)
	if err != nil {
		return nil, err
	}
	u := Usage{AllianceID: id, From: from.UTC(), To: to.UTC(), Brands: []BrandUsage{}}
	err = s.platform(ctx, "alliance_usage", func(ctx context.Context, tx *gorm.DB) error {
		if err := requireAdmin(ctx, tx, id); err != nil {
			return err
		}
		return tx.Raw(`SELECT u.tenant_id, t.name AS brand_name, count(*) AS conversations,
				round((sum(u.handle_seconds) / 60)::numeric, 2)::float8 AS handle_minutes
			FROM pool_usage u JOIN tenants t ON t.id = u.tenant_id
			WHERE u.alliance_id = ? AND u.first_reply_at >= ? AND u.first_reply_at < ?
			GROUP BY u.tenant_id, t.name ORDER BY t.name, u.tenant_id`, id, from, to).Scan(&u.Brands).Error
	})
	if err != nil {
		return nil, err
	}
	for _, b := range u.Brands {
		u.Conversations += b.Conversations
		u.HandleMinutes += b.HandleMinutes
	}
	return &u, nil
}

// sprintf fills a query's fixed fragments (never user input).
func sprintf(q string, args ...any) string { return fmt.Sprintf(q, args...) }
