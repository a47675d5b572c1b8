package helpdesk

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ReleaseMember returns to the queue every conversation userID holds that
// is not finished (resolved or closed), inside tx, for a member who is being removed from the
// workspace: it tells the observers of each, as every change of assignee
// does, and queues an assignment pass for after the commit. It takes the
// workspace's assignment lock first, so no pass gives the person a
// conversation meanwhile. tenant.Service.OnMemberRemoved calls it.
func (s *Service) ReleaseMember(ctx context.Context, tx *gorm.DB, userID uuid.UUID) error {
	if err := LockAssignment(ctx, tx); err != nil {
		return err
	}
	held, err := postgres.ScanIDs(tx.Raw(`SELECT id FROM conversations
		WHERE tenant_id = ? AND assignee_id = ? AND status NOT IN (?, ?)`,
		deskpool.TenantIDFromContext(ctx), userID, StatusResolved, StatusClosed))
	if err != nil {
		return err
	}
	n, err := s.unassign(ctx, tx, held, userID, "member_removed")
	if err != nil || n == 0 {
		return err
	}
	return s.queueAssignment(ctx, tx)
}
