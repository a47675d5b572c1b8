package helpdesk

import (
	"context"

	"gorm.io/gorm"
)

// RoomHolder is a CandidateSource whose agents' room is shared beyond one
// workspace's assignment lock (an alliance pool's agents answer for many
// brands at once). Assign hands it the candidates with room for the
// conversation, best first; it holds the room of one of them for the rest
// of the transaction and returns that one's index in ranked, or -1 when
// none has room left.
type RoomHolder interface {
	HoldRoom(ctx context.Context, tx *gorm.DB, ranked []Candidate) (int, error)
}

// pick returns the index in agents of the agent to give w to, or -1: the
// best with room (see pickAgent) or, from a RoomHolder source, the best
// whose room it could hold.
func pick(ctx context.Context, tx *gorm.DB, source CandidateSource, agents []Candidate, w waiting) (int, error) {
	h, ok := source.(RoomHolder)
	if !ok {
		return pickAgent(agents, w), nil
	}
	order := rankAgents(agents, w)
	if len(order) == 0 {
		return -1, nil
	}
	ranked := make([]Candidate, len(order))
	for i, j := range order {
		ranked[i] = agents[j]
	}
	i, err := h.HoldRoom(ctx, tx, ranked)
	if err != nil || i < 0 || i >= len(order) {
		return -1, err
	}
	return order[i], nil
}
