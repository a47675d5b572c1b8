package helpdesk

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

var errCSATByMember = deskpool.Errorf(deskpool.EFORBIDDEN,
	"CSAT is the customer's rating: the workspace's integration records it for the customer with an API key (scope conversations:write); a member cannot record one.")

// CSAT is a customer's rating of a resolved conversation, with an optional
// NPS answer.
type CSAT struct {
	ConversationID uuid.UUID `json:"conversation_id"`
	Score          int       `json:"score"`
	NPS            *int      `json:"nps" gorm:"column:nps"`
	Comment        string    `json:"comment"`
	CreatedAt      time.Time `json:"created_at"`
}

// RecordCSAT stores the survey answer once per conversation: a score out of
// range is EINVALID, a conversation never resolved or already rated is
// ECONFLICT. The rating is the customer's: the workspace's integration (an
// API key) relays it; a member of the workspace, signed in, may not
// record one (EFORBIDDEN), least of all on their own work.
func (s *Service) RecordCSAT(ctx context.Context, conversationID uuid.UUID, in CSAT) (*CSAT, error) {
	if a, _ := deskpool.ActorFromContext(ctx); a.UserID != uuid.Nil {
		return nil, errCSATByMember
	}
	var v deskpool.Validator
	v.Check(in.Score >= 1 && in.Score <= 5, "score", "must be an integer from 1 to 5")
	v.Check(in.NPS == nil || (*in.NPS >= 0 && *in.NPS <= 10), "nps", "must be an integer from 0 to 10")
	v.Check(utf8.RuneCountInString(in.Comment) <= 2000, "comment", "must be at most 2000 characters")
	if err := v.Err(); err != nil {
		return nil, err
	}
	in.ConversationID, in.CreatedAt = conversationID, now()
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		c, err := loadConversation(ctx, tx, conversationID, true)
		if err != nil {
			return err
		}
		if c.ResolvedAt == nil {
			return deskpool.Errorf(deskpool.ECONFLICT, "The conversation has not been resolved; CSAT is asked on resolution.")
		}
		res := tx.Exec(`INSERT INTO csat_responses (tenant_id, conversation_id, score, nps, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, deskpool.TenantIDFromContext(ctx), conversationID, in.Score, in.NPS, in.Comment, in.CreatedAt)
		if res.Error != nil {
			return res.Error
		} else if res.RowsAffected == 0 {
			return deskpool.Errorf(deskpool.ECONFLICT, "This conversation has been rated already.")
		}
		return s.event(ctx, tx, conversationID, "csat.recorded", map[string]any{"score": in.Score, "nps": in.NPS})
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}
