package helpdesk

import (
	"context"
	"encoding/json"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Notification is an in-app message to a member, or to the workspace's
// owners and admins when UserID is nil.
type Notification struct {
	ID        uuid.UUID       `json:"id"`
	UserID    *uuid.UUID      `json:"user_id"`
	Kind      string          `json:"kind"`
	Title     string          `json:"title"`
	Body      string          `json:"body"`
	Data      json.RawMessage `json:"data"`
	ReadAt    *time.Time      `json:"read_at"`
	CreatedAt time.Time       `json:"created_at"`
}

// Notify records a notification in the transaction tx.
func Notify(ctx context.Context, tx *gorm.DB, userID *uuid.UUID, kind, title, body string, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return tx.Exec(`INSERT INTO notifications (tenant_id, id, user_id, kind, title, body, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		deskpool.TenantIDFromContext(ctx), uuid.New(), userID, kind, title, body, string(raw)).Error
}
