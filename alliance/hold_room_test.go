package alliance_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/deskpool/deskpool/alliance"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// With more ranked agents than the first try holds and every one of those
// held by other offers, the room hold goes on to the next agent with room
// instead of waiting; an agent without room is never held.
func TestHoldRoomPastTheFirstTry(t *testing.T) {
	w := newWorld(t)
	ranked := make([]helpdesk.Candidate, 40)
	for i := range ranked {
		id := uuid.New()
		ranked[i] = helpdesk.Candidate{UserID: id}
		if err := env.System.Exec(`INSERT INTO users (id, email, password_hash) VALUES (?, ?, 'x')`, id, fmt.Sprintf("hold.%s@example.com", id)).Error; err != nil {
			t.Fatal(err)
		}
		capacity := 5
		if i == 32 {
			capacity = 0 // the 33rd has no room: the 34th is the one
		}
		if err := env.System.Exec(`INSERT INTO alliance_staff (alliance_id, user_id, role, status, capacity) VALUES (?, ?, 'pool_agent', 'online', ?)`,
			w.allianceID, id, capacity).Error; err != nil {
			t.Fatal(err)
		}
	}
	others := env.System.Begin()
	defer others.Rollback()
	first := make([]uuid.UUID, 32)
	for i := range first {
		first[i] = ranked[i].UserID
	}
	if err := others.Exec(`SELECT 1 FROM alliance_staff WHERE alliance_id = ? AND user_id IN ? FOR UPDATE`, w.allianceID, first).Error; err != nil {
		t.Fatal(err)
	}
	var got int
	err := env.System.Transaction(func(tx *gorm.DB) error {
		var err error
		got, err = alliance.PoolAgents{AllianceID: w.allianceID}.HoldRoom(context.Background(), tx, ranked)
		return err
	})
	if err != nil || got != 33 {
		t.Fatalf("held the agent ranked %d (%v), want 33: the best free one with room past the first 32", got, err)
	}
}
