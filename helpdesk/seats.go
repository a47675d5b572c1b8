package helpdesk

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// SeatPlan answers how many members of the workspace in ctx hold a seat
// under its plan, read in tx (negative: every member); billing implements
// it from its cached answer of the plan.
type SeatPlan interface {
	Seats(ctx context.Context, tx *gorm.DB) (int, error)
}

// UseSeats sets who answers each workspace's seats; call it while wiring.
// Without it every member holds a seat.
func (s *Service) UseSeats(p SeatPlan) { s.seats = p }

// seated leaves out of agents the workspace's members past its plan's
// seats, so that they are not given new conversations (what they hold
// stays theirs). Seats go to owners first, then by the date they joined
// (then by id): after a downgrade the same members are left out every
// time, and an upgrade brings them back. Candidates who are not members
// (an alliance pool's agents) hold no seat of the workspace and stay.
func (s *Service) seated(ctx context.Context, tx *gorm.DB, agents []Candidate) ([]Candidate, error) {
	if s.seats == nil || len(agents) == 0 {
		return agents, nil
	}
	n, err := s.seats.Seats(ctx, tx)
	if err != nil || n < 0 {
		return agents, err
	}
	extra, err := postgres.ScanIDs(tx.Raw(`SELECT user_id FROM memberships WHERE tenant_id = ?
		ORDER BY (role = 'owner') DESC, created_at, user_id OFFSET ?`, deskpool.TenantIDFromContext(ctx), n))
	if err != nil || len(extra) == 0 {
		return agents, err
	}
	out := make(map[uuid.UUID]bool, len(extra))
	for _, id := range extra {
		out[id] = true
	}
	kept := agents[:0]
	for _, a := range agents {
		if !out[a.UserID] {
			kept = append(kept, a)
		}
	}
	return kept, nil
}
