package helpdesk

import (
	"context"
	"slices"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// Agent is a member's working profile: presence, capacity and skills.
type Agent struct {
	UserID     uuid.UUID      `json:"user_id"`
	Email      string         `json:"email"`
	Name       string         `json:"name"`
	Role       string         `json:"role"`
	Status     string         `json:"status"`
	Capacity   int            `json:"capacity"`
	Senior     bool           `json:"senior"`
	Gold       bool           `json:"gold"` // VIP lane: takes high-value and VIP customers first
	Languages  pq.StringArray `json:"languages" gorm:"type:text[]"`
	Channels   pq.StringArray `json:"channels" gorm:"type:text[]"`
	Categories pq.StringArray `json:"categories" gorm:"type:text[]"`
	Load       int            `json:"load"`
	StatusAt   time.Time      `json:"status_at"`
}

// AgentUpdate changes an agent's profile; nil fields stay.
type AgentUpdate struct {
	Status     *string   `json:"status"`
	Capacity   *int      `json:"capacity"`
	Senior     *bool     `json:"senior"`
	Gold       *bool     `json:"gold"`
	Languages  *[]string `json:"languages"`
	Channels   *[]string `json:"channels"`
	Categories *[]string `json:"categories"`
}

// Validate checks the values.
func (u AgentUpdate) Validate() error {
	var v deskpool.Validator
	if u.Status != nil {
		v.Check(slices.Contains([]string{"online", "away", "offline"}, *u.Status), "status", "must be online, away or offline")
	}
	if u.Capacity != nil {
		v.Check(*u.Capacity >= 0 && *u.Capacity <= 200, "capacity", "must be from 0 to 200 open conversations")
	}
	if u.Languages != nil {
		for i, l := range *u.Languages {
			v.Check(l == "zh" || l == "en", "languages["+itoa(i)+"]", "must be zh or en")
		}
	}
	if u.Channels != nil {
		for i, c := range *u.Channels {
			v.Check(validChannel(c), "channels["+itoa(i)+"]", "is not a channel")
		}
	}
	if u.Categories != nil {
		v.Check(len(*u.Categories) <= 50, "categories", "must list at most 50 intents")
	}
	return v.Err()
}

const agentSelect = `SELECT m.user_id, u.email, u.name, m.role, COALESCE(a.status, 'offline') AS status, COALESCE(a.capacity, 5) AS capacity,
	COALESCE(a.senior, false) AS senior, COALESCE(a.gold, false) AS gold, COALESCE(a.languages, '{}') AS languages, COALESCE(a.channels, '{}') AS channels,
	COALESCE(a.categories, '{}') AS categories, COALESCE(a.status_at, m.created_at) AS status_at,
	(SELECT count(*) FROM conversations c WHERE c.tenant_id = m.tenant_id AND c.assignee_id = m.user_id
		AND c.status IN ('open', 'pending', 'snoozed')) AS load
	FROM memberships m JOIN users u ON u.id = m.user_id
	LEFT JOIN agent_profiles a ON a.tenant_id = m.tenant_id AND a.user_id = m.user_id
	WHERE m.tenant_id = ? AND m.role <> 'viewer'`

// FindAgents lists the members who can take conversations.
func (s *Service) FindAgents(ctx context.Context) ([]Agent, error) {
	var out []Agent
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(agentSelect+` ORDER BY u.email`, deskpool.TenantIDFromContext(ctx)).Scan(&out).Error
	})
	return out, err
}

// UpdateAgent changes an agent's profile. Going offline returns the
// agent's unanswered conversations to the queue; coming online (or more
// capacity) takes waiting conversations.
func (s *Service) UpdateAgent(ctx context.Context, userID uuid.UUID, u AgentUpdate) (*Agent, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var out Agent
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		var role string
		if err := tx.Raw(`SELECT role FROM memberships WHERE tenant_id = ? AND user_id = ?`, tenantID, userID).Scan(&role).Error; err != nil {
			return err
		} else if role == "" {
			return deskpool.Errorf(deskpool.ENOTFOUND, "Agent not found.")
		} else if role == "viewer" {
			return deskpool.Errorf(deskpool.ECONFLICT, "Viewers cannot take conversations; change their role first.")
		}
		// As with roles: a person changes their own profile, or that of a
		// member not above them (an admin does not set the owner offline).
		if a, _ := deskpool.ActorFromContext(ctx); a.Kind() == "user" && a.UserID != userID && tenant.RoleRank(role) > tenant.RoleRank(a.Role) {
			return deskpool.Errorf(deskpool.EFORBIDDEN, "You cannot change the profile of a member whose role is above your own.")
		}
		if err := LockAssignment(ctx, tx); err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO agent_profiles (tenant_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, tenantID, userID).Error; err != nil {
			return err
		}
		set := map[string]any{"updated_at": now()}
		if u.Status != nil {
			set["status"], set["status_at"] = *u.Status, now()
		}
		if u.Capacity != nil {
			set["capacity"] = *u.Capacity
		}
		if u.Senior != nil {
			set["senior"] = *u.Senior
		}
		if u.Gold != nil {
			set["gold"] = *u.Gold
		}
		if u.Languages != nil {
			set["languages"] = pq.StringArray(*u.Languages)
		}
		if u.Channels != nil {
			set["channels"] = pq.StringArray(*u.Channels)
		}
		if u.Categories != nil {
			set["categories"] = pq.StringArray(*u.Categories)
		}
		if err := tx.Table("agent_profiles").Where("tenant_id = ? AND user_id = ?", tenantID, userID).Updates(set).Error; err != nil {
			return err
		}
		if u.Status != nil {
			s.facts.Changed(ctx, tenantID)
		}
		if u.Status != nil && *u.Status == "offline" {
			if err := s.releaseUnanswered(ctx, tx, userID); err != nil {
				return err
			}
		}
		if u.Status != nil && *u.Status == "online" {
			for _, o := range s.presence {
				if err := o.AgentOnline(ctx, tx, userID); err != nil {
					return err
				}
			}
		}
		if _, err := s.assignWaiting(ctx, tx); err != nil {
			return err
		}
		return tx.Raw(agentSelect+` AND m.user_id = ?`, tenantID, userID).Scan(&out).Error
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// releaseUnanswered unassigns an agent's conversations in which the
// customer is waiting for an answer.
func (s *Service) releaseUnanswered(ctx context.Context, tx *gorm.DB, userID uuid.UUID) error {
	waiting, err := postgres.ScanIDs(tx.Raw(`SELECT id FROM conversations
		WHERE tenant_id = ? AND assignee_id = ? AND status = 'open' AND waiting_since IS NOT NULL`,
		deskpool.TenantIDFromContext(ctx), userID))
	if err != nil {
		return err
	}
	_, err = s.unassign(ctx, tx, waiting, userID, "agent_offline")
	return err
}

// unassign returns the conversations ids that userID still holds to the
// queue, each with an "unassigned" timeline entry giving the reason, and
// tells the observers of each, as every change of assignee does. It
// reports how many moved.
func (s *Service) unassign(ctx context.Context, tx *gorm.DB, ids []uuid.UUID, userID uuid.UUID, reason string) (int, error) {
	moved, err := setAssignee(ctx, tx, ids, &userID, nil, "")
	if err != nil {
		return 0, err
	}
	for _, h := range moved {
		if err := s.event(ctx, tx, h.After.ID, "unassigned", map[string]any{"from": userID, "reason": reason}); err != nil {
			return 0, err
		}
		if err := s.notifyObservers(ctx, tx, Change{Kind: ChangeUpdated, Before: h.Before, After: h.After, At: now()}); err != nil {
			return 0, err
		}
	}
	return len(moved), nil
}
