package helpdesk

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// reviewSample is the SQL condition, on a conversation aliased c, that it
// is in the quality-review sample: one conversation in ten, by a hash of
// its id, so the sample is stable (the same conversations every time, with
// nothing written on resolve) and random across each workspace's
// conversations. It reads as the predicate of the conversations_review_sample
// index, which keeps the queue a walk of a tenth of the conversations.
const reviewSample = `hashtextextended(c.id::text, 0) % 10 = 0`

// Review is a reviewer's score of a sampled conversation, each from 1 to 5.
type Review struct {
	ConversationID uuid.UUID  `json:"conversation_id"`
	ReviewerID     *uuid.UUID `json:"reviewer_id"`
	Accuracy       int        `json:"accuracy"`   // the answers were right
	Empathy        int        `json:"empathy"`    // the tone fitted the customer
	Resolution     int        `json:"resolution"` // the customer's problem was solved
	Comment        string     `json:"comment"`
	ReviewedAt     time.Time  `json:"reviewed_at"`
}

// ReviewInput is a reviewer's form.
type ReviewInput struct {
	Accuracy   int    `json:"accuracy"`
	Empathy    int    `json:"empathy"`
	Resolution int    `json:"resolution"`
	Comment    string `json:"comment"`
}

// Validate checks every score is from 1 to 5 and the comment is short.
func (in ReviewInput) Validate() error {
	var v deskpool.Validator
	for _, f := range []struct {
		name  string
		score int
	}{{"accuracy", in.Accuracy}, {"empathy", in.Empathy}, {"resolution", in.Resolution}} {
		v.Check(f.score >= 1 && f.score <= 5, f.name, "must be an integer from 1 to 5")
	}
	v.Check(utf8.RuneCountInString(in.Comment) <= 2000, "comment", "must be at most 2000 characters")
	return v.Err()
}

// ReviewItem is a resolved conversation of the sample, with its review
// once scored.
type ReviewItem struct {
	ConversationID uuid.UUID  `json:"conversation_id"`
	Subject        string     `json:"subject"`
	Channel        string     `json:"channel"`
	Intent         string     `json:"intent"`
	Level          string     `json:"level"`
	AssigneeID     *uuid.UUID `json:"assignee_id"`
	CreatedAt      time.Time  `json:"created_at"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	Review         *Review    `json:"review" gorm:"-"`
}

// ReviewFilter selects the queue: pending (not yet scored) or reviewed.
type ReviewFilter struct {
	Reviewed bool
	Cursor   deskpool.Cursor
	Limit    int
}

// reviewRow is a ReviewItem as one row.
type reviewRow struct {
	ReviewItem
	ReviewerID                      *uuid.UUID
	Accuracy, Empathy, ResolutionSc *int
	Comment                         string
	ReviewedAt                      *time.Time
}

// FindReviews lists the workspace's sampled resolved conversations, newest
// first: those waiting for a score, or (Reviewed) those scored.
func (s *Service) FindReviews(ctx context.Context, f ReviewFilter) ([]ReviewItem, error) {
	out := []ReviewItem{}
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		join := "LEFT JOIN"
		cond := "q.conversation_id IS NULL"
		if f.Reviewed {
			join, cond = "JOIN", "true"
		}
		args := []any{deskpool.TenantIDFromContext(ctx)}
		after := ""
		if !f.Cursor.IsZero() {
			after, args = ` AND (c.created_at, c.id) < (?, ?)`, append(args, f.Cursor.Time, f.Cursor.ID)
		}
		var rows []reviewRow
		if err := tx.Raw(`SELECT c.id AS conversation_id, c.subject, c.channel, c.intent, c.level, c.assignee_id, c.created_at, c.resolved_at,
				q.reviewer_id, q.accuracy, q.empathy, q.resolution AS resolution_sc, COALESCE(q.comment, '') AS comment, q.reviewed_at
			FROM conversations c `+join+` quality_reviews q ON q.tenant_id = c.tenant_id AND q.conversation_id = c.id
			WHERE c.tenant_id = ? AND `+reviewSample+` AND c.status IN ('resolved', 'closed') AND `+cond+after+`
			ORDER BY c.created_at DESC, c.id DESC LIMIT ?`, append(args, f.Limit)...).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			it := r.ReviewItem
			if r.ReviewedAt != nil {
				it.Review = &Review{ConversationID: it.ConversationID, ReviewerID: r.ReviewerID, Accuracy: *r.Accuracy,
					Empathy: *r.Empathy, Resolution: *r.ResolutionSc, Comment: r.Comment, ReviewedAt: *r.ReviewedAt}
			}
			out = append(out, it)
		}
		return nil
	})
	return out, err
}

// ScoreReview records the acting reviewer's score of a sampled resolved
// conversation, replacing an earlier one: another workspace's or an unknown
// conversation is ENOTFOUND, one outside the sample or not resolved
// ECONFLICT, a score out of range EINVALID.
func (s *Service) ScoreReview(ctx context.Context, conversationID uuid.UUID, in ReviewInput) (*Review, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	a, _ := deskpool.ActorFromContext(ctx)
	out := &Review{ConversationID: conversationID, ReviewerID: nullID(a.ID()), Accuracy: in.Accuracy, Empathy: in.Empathy,
		Resolution: in.Resolution, Comment: in.Comment, ReviewedAt: now()}
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		var state []struct {
			Sampled  bool
			Resolved bool
		}
		if err := tx.Raw(`SELECT `+reviewSample+` AS sampled, c.status IN ('resolved', 'closed') AS resolved
			FROM conversations c WHERE c.tenant_id = ? AND c.id = ?`, tenantID, conversationID).Scan(&state).Error; err != nil {
			return err
		}
		switch {
		case len(state) == 0:
			return deskpool.Errorf(deskpool.ENOTFOUND, "Conversation not found.")
		case !state[0].Sampled:
			return deskpool.Errorf(deskpool.ECONFLICT, "This conversation is not in the review sample.")
		case !state[0].Resolved:
			return deskpool.Errorf(deskpool.ECONFLICT, "The conversation has not been resolved; it is reviewed once resolved.")
		}
		if err := tx.Exec(`INSERT INTO quality_reviews (tenant_id, conversation_id, reviewer_id, accuracy, empathy, resolution, comment, reviewed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET reviewer_id = excluded.reviewer_id, accuracy = excluded.accuracy,
				empathy = excluded.empathy, resolution = excluded.resolution, comment = excluded.comment, reviewed_at = excluded.reviewed_at`,
			tenantID, conversationID, out.ReviewerID, in.Accuracy, in.Empathy, in.Resolution, in.Comment, out.ReviewedAt).Error; err != nil {
			return err
		}
		return s.event(ctx, tx, conversationID, "review.scored", map[string]any{"accuracy": in.Accuracy, "empathy": in.Empathy, "resolution": in.Resolution})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
