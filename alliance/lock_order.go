package alliance

import (
	"context"
	"slices"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Pool work takes its row locks in one order, everywhere: the brand's
// assignment lock (when it is taken at all), then its conversations (by
// id), then their pool rows, then the pool agents' rows (by alliance and
// user). The triggers of migration 00030 follow that order by themselves:
// changing a conversation moves its pool row, and changing a pool row
// moves its agent's load. So no code may hold a pool row or an agent's row
// while it waits for a conversation.

// lockForPool takes the brand's assignment lock and then the conversation
// id's row, in the brand's transaction tx: what routing a conversation to
// the pool (or within it) holds before its pool row and any agent's room.
func lockForPool(ctx context.Context, tx *gorm.DB, id uuid.UUID) error {
	if err := helpdesk.LockAssignment(ctx, tx); err != nil {
		return err
	}
	return lockConversation(ctx, tx, id)
}

// lockConversation locks the brand's conversation id in tx.
func lockConversation(ctx context.Context, tx *gorm.DB, id uuid.UUID) error {
	return tx.Exec(`SELECT 1 FROM conversations WHERE tenant_id = ? AND id = ? FOR UPDATE`,
		deskpool.TenantIDFromContext(ctx), id).Error
}

// returnPooled ends the brand's live pool entries that match where (over
// p, the pool row, with args) in its transaction tx, in the one lock
// order: their conversations, their pool rows, then the rows of the pool
// agents whose room the change frees; it returns the entries that ended.
// Two round trips: the conversations are locked first, and their ids bound
// the rest, whose three statements go out together and run in that order.
func returnPooled(ctx context.Context, tx *gorm.DB, where string, args ...any) ([]pooledRow, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	live := ` FROM pool_conversations p WHERE p.tenant_id = ? AND p.state IN ('waiting', 'assigned') AND ` + where
	liveArgs := append([]any{tenantID}, args...)
	var ids []uuid.UUID
	if err := tx.Raw(`SELECT c.id FROM conversations c WHERE c.tenant_id = ? AND c.id IN (SELECT p.conversation_id`+live+`)
		ORDER BY c.id FOR UPDATE OF c`, append([]any{tenantID}, liveArgs...)...).Scan(&ids).Error; err != nil || len(ids) == 0 {
		return nil, err
	}
	mine := slices.Concat(liveArgs, []any{ids}) // the live entries of the conversations locked
	var rows []pooledRow
	err := postgres.Batch(ctx, tx,
		query(`SELECT 1`+live+` AND p.conversation_id = ANY(?) ORDER BY p.conversation_id FOR UPDATE OF p`, mine...),
		query(`SELECT 1 FROM alliance_staff s WHERE s.role = 'pool_agent' AND (s.alliance_id, s.user_id) IN
				(SELECT p.alliance_id, p.agent_id`+live+` AND p.conversation_id = ANY(?) AND p.state = 'assigned')
			ORDER BY s.alliance_id, s.user_id FOR UPDATE OF s`, mine...),
		query(`UPDATE pool_conversations p SET state = 'returned', returned_at = clock_timestamp()
			WHERE p.tenant_id = ? AND p.state IN ('waiting', 'assigned') AND `+where+` AND p.conversation_id = ANY(?)
			RETURNING p.conversation_id, p.alliance_id, p.agent_id`, mine...).Rows(func(rs postgres.Rows) error {
			for rs.Next() {
				var r pooledRow
				if err := rs.Scan(&r.ConversationID, &r.AllianceID, &r.AgentID); err != nil {
					return err
				}
				rows = append(rows, r)
			}
			return nil
		}))
	return rows, err
}

// query is a statement for postgres.Batch written with ? placeholders.
func query(sql string, args ...any) *postgres.Query {
	text, _ := postgres.Numbered(sql)
	return postgres.NewQuery(text, args...)
}
