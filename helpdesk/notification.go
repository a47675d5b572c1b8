package helpdesk

import (
	"context"
	"encoding/json"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
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

// Notify records a notification in the transaction tx, with its next
// round trip (see postgres.Defer).
func Notify(ctx context.Context, tx *gorm.DB, userID *uuid.UUID, kind, title, body string, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	postgres.Defer(ctx, tx, nil, `INSERT INTO notifications (tenant_id, id, user_id, kind, title, body, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		deskpool.TenantIDFromContext(ctx), deskpool.NewID(), userID, kind, title, body, string(raw))
	return nil
}

// seesWorkspaceNotices reports whether the actor receives the
// notifications addressed to the whole workspace: its owners and admins.
func seesWorkspaceNotices(a deskpool.Actor) bool {
	return a.UserID != uuid.Nil && (a.Role == tenant.RoleOwner || a.Role == tenant.RoleAdmin)
}

// notificationScope is the condition that selects the actor's
// notifications: their own, and for owners and admins the workspace's.
func notificationScope(a deskpool.Actor) (string, []any) {
	if seesWorkspaceNotices(a) {
		return `tenant_id = ? AND (user_id = ? OR user_id IS NULL)`, []any{a.TenantID, a.UserID}
	}
	return `tenant_id = ? AND user_id = ?`, []any{a.TenantID, a.UserID}
}

// ListNotifications returns up to limit of the caller's notifications after
// the cursor, newest first: their own and, for owners and admins, those
// addressed to the workspace. API keys have none.
func (s *Service) ListNotifications(ctx context.Context, cur deskpool.Cursor, limit int) ([]Notification, error) {
	a, _ := deskpool.ActorFromContext(ctx)
	out := []Notification{}
	if a.UserID == uuid.Nil {
		return out, nil
	}
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		where, args := notificationScope(a)
		q := tx.Table("notifications").Select("id, user_id, kind, title, body, data::text, read_at, created_at").Where(where, args...)
		rows, err := postgres.NewestFirst(q, "created_at", cur, limit).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n Notification
			var data string
			if err := rows.Scan(&n.ID, &n.UserID, &n.Kind, &n.Title, &n.Body, &data, &n.ReadAt, &n.CreatedAt); err != nil {
				return err
			}
			n.Data = json.RawMessage(data)
			out = append(out, n)
		}
		return rows.Err()
	})
	return out, err
}

// MarkNotificationRead marks one of the caller's notifications read; one
// they cannot see is ENOTFOUND. Reading it again is not an error. A
// workspace notification read by one owner or admin is read for all.
func (s *Service) MarkNotificationRead(ctx context.Context, id uuid.UUID) error {
	a, _ := deskpool.ActorFromContext(ctx)
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		where, args := notificationScope(a)
		res := tx.Exec(`UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE `+where+` AND id = ?`,
			append(args, id)...)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return deskpool.Errorf(deskpool.ENOTFOUND, "No notification with id %s.", id)
		}
		return nil
	})
}
