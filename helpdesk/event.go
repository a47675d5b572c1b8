package helpdesk

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// TimelineEvent is one entry of a conversation's timeline: the customer's
// messages (with their triage), the SLA clocks they start, assignment,
// status changes, SLA warnings and breaches, escalations, hand-overs.
type TimelineEvent struct {
	ID        uuid.UUID       `json:"id"`
	Kind      string          `json:"kind"`
	ActorKind string          `json:"actor_kind"`
	ActorID   *uuid.UUID      `json:"actor_id"`
	Data      json.RawMessage `json:"data"`
	CreatedAt time.Time       `json:"created_at"`
}

// event appends to a conversation's timeline, as the actor in ctx.
func (s *Service) event(ctx context.Context, tx *gorm.DB, conversationID uuid.UUID, kind string, data any) error {
	return AppendEvent(ctx, tx, conversationID, kind, data)
}

// AppendEvent appends to a conversation's timeline inside tx, with the
// transaction's next round trip (see postgres.Defer); other packages (SLA,
// triage, alliance) record their events through it.
func AppendEvent(ctx context.Context, tx *gorm.DB, conversationID uuid.UUID, kind string, data any) error {
	rows, args, err := timelineRows(ctx, conversationID, []timelineEntry{{kind: kind, data: data}})
	if err != nil {
		return err
	}
	postgres.Defer(ctx, tx, nil, insertEvents+rows, args...)
	return nil
}

// timelineEntry is one event to append; at, when set, is its time.
type timelineEntry struct {
	kind string
	data any
	at   time.Time
}

const insertEvents = `INSERT INTO conversation_events (tenant_id, id, conversation_id, kind, actor_kind, actor_id, data, created_at) `

// timelineRows renders entries as a VALUES list (typed, so that it can
// stand in a subquery) to follow insertEvents, as the actor in ctx; those
// without a time of their own are a microsecond apart from now, so the
// timeline keeps the order written.
func timelineRows(ctx context.Context, conversationID uuid.UUID, entries []timelineEntry) (string, []any, error) {
	a, _ := deskpool.ActorFromContext(ctx)
	var actorID *uuid.UUID
	if id := a.ID(); id != uuid.Nil {
		actorID = &id
	}
	at := now()
	var sql strings.Builder
	sql.WriteString("VALUES ")
	args := make([]any, 0, 8*len(entries))
	for i, e := range entries {
		raw, err := json.Marshal(e.data)
		if err != nil {
			return "", nil, err
		}
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("(?::uuid, ?::uuid, ?::uuid, ?::text, ?::text, ?::uuid, ?::jsonb, ?::timestamptz)")
		t := e.at
		if t.IsZero() {
			t = at.Add(time.Duration(i) * time.Microsecond)
		}
		args = append(args, a.TenantID, deskpool.NewID(), conversationID, e.kind, a.Kind(), actorID, string(raw), t)
	}
	return sql.String(), args, nil
}

// FindEvents returns a conversation's timeline, oldest first, after cursor.
func (s *Service) FindEvents(ctx context.Context, conversationID uuid.UUID, cur deskpool.Cursor, limit int) ([]TimelineEvent, error) {
	var out []TimelineEvent
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if _, err := loadConversation(ctx, tx, conversationID, false); err != nil {
			return err
		}
		q := tx.Table("conversation_timeline").Select("id, kind, actor_kind, actor_id, data, created_at").
			Where("tenant_id = ? AND conversation_id = ?", deskpool.TenantIDFromContext(ctx), conversationID)
		if !cur.IsZero() {
			q = q.Where("(created_at, id) > (?, ?)", cur.Time, cur.ID)
		}
		return q.Order("created_at, id").Limit(limit).Scan(&out).Error
	})
	return out, err
}
