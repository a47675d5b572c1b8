package learning

import (
	"context"
	"crypto/sha256"
	"sort"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/triage"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// correction is a labelled message of a workspace.
type correction struct {
	ID           uuid.UUID
	Body         string
	Intent       string
	Urgency      string
	CustomerName string
	CreatedAt    time.Time
}

// loadCorrections reads the workspace's newest corrections with the text of
// the message each corrected (the newest correction of a message wins).
func loadCorrections(ctx context.Context, tx *gorm.DB, limit int) ([]correction, error) {
	var rows []correction
	err := tx.Raw(`SELECT DISTINCT ON (c.message_id) c.id, m.body, COALESCE(c.corrected->>'intent', '') AS intent,
			COALESCE(c.corrected->>'urgency', '') AS urgency, COALESCE(cu.name, '') AS customer_name, c.created_at
		FROM triage_corrections c
		JOIN messages m ON m.tenant_id = c.tenant_id AND m.id = c.message_id
		JOIN conversations v ON v.tenant_id = c.tenant_id AND v.id = c.conversation_id
		JOIN customers cu ON cu.tenant_id = v.tenant_id AND cu.id = v.customer_id
		WHERE c.tenant_id = ? AND m.body <> '[erased]'
		ORDER BY c.message_id, c.created_at DESC`, deskpool.TenantIDFromContext(ctx)).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	// Newest first, then keep the limit.
	sort.Slice(rows, func(i, j int) bool { return rows[i].CreatedAt.After(rows[j].CreatedAt) })
	if len(rows) > limit {
		rows = rows[:limit]
	}
	return rows, nil
}

// heldOut puts one example in five, chosen by a hash of its id, in the held-out split.
func heldOut(id []byte) bool {
	h := sha256.Sum256(id)
	return h[0]%5 == 0
}

// split returns training and held-out examples; with fewer than ten
// examples everything trains.
func split(cs []correction) (train, hold []triage.Example) {
	for _, c := range cs {
		ex := triage.Example{Text: c.Body, Intent: c.Intent, Urgency: c.Urgency}
		if len(cs) >= 10 && heldOut(c.ID[:]) {
			hold = append(hold, ex)
		} else {
			train = append(train, ex)
		}
	}
	return train, hold
}

// sourceOf is the pseudonymous key of a workspace in the pool.
func sourceOf(tenantID uuid.UUID) []byte {
	h := sha256.Sum256(append([]byte("deskpool-pool-source:"), tenantID[:]...))
	return h[:]
}
