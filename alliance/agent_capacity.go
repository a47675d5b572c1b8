package alliance

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// PoolAgentUpdate is the input of UpdatePoolAgent.
type PoolAgentUpdate struct {
	Capacity *int `json:"capacity"`
}

// UpdatePoolAgent sets the capacity of the pool agent user in the alliance
// id; the caller must administer the alliance (ENOTFOUND for an agent it
// does not have). Raising the capacity of an online agent routes the
// pool's waiting conversations to the room it makes.
func (s *Service) UpdatePoolAgent(ctx context.Context, id, user uuid.UUID, in PoolAgentUpdate) (*PoolAgent, error) {
	var v deskpool.Validator
	v.Check(in.Capacity != nil, "capacity", "is required")
	if in.Capacity != nil {
		v.Check(*in.Capacity >= 0 && *in.Capacity <= 100, "capacity", "must be between 0 and 100")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var a PoolAgent
	var before int
	err := s.platform(ctx, "alliance_agent_update", func(ctx context.Context, tx *gorm.DB) error {
		if err := requireAdmin(ctx, tx, id); err != nil {
			return err
		}
		var found []int
		if err := tx.Raw(`SELECT capacity FROM alliance_staff WHERE alliance_id = ? AND user_id = ? AND role = 'pool_agent' FOR UPDATE`,
			id, user).Scan(&found).Error; err != nil {
			return err
		}
		if len(found) == 0 {
			return deskpool.Errorf(deskpool.ENOTFOUND, "Pool agent not found.")
		}
		before = found[0]
		if err := tx.Raw(`UPDATE alliance_staff SET capacity = ? WHERE alliance_id = ? AND user_id = ? AND role = 'pool_agent'
			RETURNING `+agentColumns, *in.Capacity, id, user).Scan(&a).Error; err != nil {
			return err
		}
		return auditAlliance(ctx, tx, id, "alliance.agent_updated", uuid.Nil, user.String(), map[string]any{"capacity": map[string]int{"from": before, "to": a.Capacity}})
	})
	if err != nil {
		return nil, err
	}
	if a.Capacity > before && a.Status == "online" {
		if _, err := s.RouteWaiting(ctx, id); err != nil {
			return nil, err
		}
	}
	return &a, nil
}
