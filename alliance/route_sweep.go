package alliance

import (
	"context"
	"time"

	"github.com/deskpool/deskpool/jobs"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// RouteSweepInterval is how often RunRouteSweep looks for pools whose
// waiting conversations an agent with room could take.
const RouteSweepInterval = 15 * time.Second

// RunRouteSweep routes, every interval until ctx ends, each alliance that
// has a waiting pool conversation and an online pool agent with room. It
// is the safety net under the route tasks: a pool agent going online or
// gaining capacity whose routing died with its process, a task Redis lost
// before the outbox relayed it.
func (s *Service) RunRouteSweep(ctx context.Context, interval time.Duration, warn func(msg string, args ...any)) {
	jobs.Every(ctx, interval, func(ctx context.Context) {
		if _, err := s.SweepRoutes(ctx); err != nil && ctx.Err() == nil {
			warn("pool route sweep", "err", err)
		}
	})
}

// SweepRoutes routes each alliance that has a waiting pool conversation
// and an online pool agent with room, and returns how many conversations
// it assigned.
func (s *Service) SweepRoutes(ctx context.Context) (int, error) {
	var alliances []uuid.UUID
	if err := s.platform(ctx, "pool_route_sweep", func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT DISTINCT p.alliance_id FROM pool_conversations p
			WHERE p.state = 'waiting' AND EXISTS (SELECT 1 FROM alliance_staff st WHERE st.alliance_id = p.alliance_id
				AND st.role = 'pool_agent' AND st.status = 'online' AND st.load < st.capacity)`).Scan(&alliances).Error
	}); err != nil {
		return 0, err
	}
	total := 0
	for _, id := range alliances {
		n, err := s.RouteWaiting(ctx, id)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
