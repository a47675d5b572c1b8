package alliance

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Summary is an alliance as one signed-in person sees it: their roles in
// it and, when they signed in to a brand invited to or member of it, that
// brand's membership with its overflow rule.
type Summary struct {
	Alliance
	Roles      []string    `json:"roles"`
	Membership *Membership `json:"membership"`
}

// Membership is a brand's membership seen by the brand: its consent and
// its overflow rule.
type Membership struct {
	Member
	Overflow OverflowRule `json:"overflow"`
}

// membershipRow is one alliance_members row read with its alliance.
type membershipRow struct {
	Name      string
	CreatedBy uuid.UUID
	CreatedAt time.Time
	Member
	OverflowRule
}

func (r membershipRow) alliance() Alliance {
	return Alliance{ID: r.AllianceID, Name: r.Name, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
}

func (r membershipRow) membership() *Membership {
	return &Membership{Member: r.Member, Overflow: r.OverflowRule}
}

// Detail is one alliance as its reader may see it: the admin sees every
// brand invited or member and every pool agent; a pool agent sees their
// own record; a brand sees its own membership only.
type Detail struct {
	Summary
	// The admin's lists: empty arrays when empty; nil (left out) for
	// anyone else.
	Members      []MemberView `json:"members,omitzero"`
	Agents       []AgentView  `json:"agents,omitzero"`
	AgentInvites []PoolInvite `json:"agent_invites,omitzero"`
	PoolAgent    *PoolAgent   `json:"pool_agent,omitempty"`
}

// MemberView is a member brand as the alliance's admin sees it: who it is,
// its consent, whether it overflows, and what of it is in the pool now.
type MemberView struct {
	Member
	Name            string `json:"name"`
	Slug            string `json:"slug"`
	OverflowEnabled bool   `json:"overflow_enabled"`
	InPool          int    `json:"in_pool"`
}

// AgentView is a pool agent as the alliance's admin sees it.
type AgentView struct {
	PoolAgent
	Name  string `json:"name"`
	Email string `json:"email"`
}

// List returns the alliances the signed-in person in ctx has a role in,
// and those the workspace they signed in to is invited to or member of
// (left ones included, for the record), by name.
func (s *Service) List(ctx context.Context) ([]Summary, error) {
	user := userOf(ctx)
	if user == uuid.Nil {
		return nil, deskpool.Errorf(deskpool.EFORBIDDEN, "Alliances are for people: send a session token, not an API key.")
	}
	byID := map[uuid.UUID]*Summary{}
	var order []uuid.UUID
	add := func(a Alliance) *Summary {
		if s, ok := byID[a.ID]; ok {
			return s
		}
		byID[a.ID] = &Summary{Alliance: a, Roles: []string{}}
		order = append(order, a.ID)
		return byID[a.ID]
	}
	err := s.platform(ctx, "alliance_list_own", func(ctx context.Context, tx *gorm.DB) error {
		var rows []struct {
			Alliance
			Role string
		}
		if err := tx.Raw(`SELECT a.id, a.name, a.created_by, a.created_at, st.role FROM alliance_staff st
			JOIN alliances a ON a.id = st.alliance_id WHERE st.user_id = ? ORDER BY a.name, a.id, st.role`, user).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			sum := add(r.Alliance)
			sum.Roles = append(sum.Roles, r.Role)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if deskpool.TenantIDFromContext(ctx) != uuid.Nil {
		err = s.brand(ctx, deskpool.TenantIDFromContext(ctx), func(ctx context.Context, tx *gorm.DB) error {
			rows, err := memberships(tx, uuid.Nil)
			for _, r := range rows {
				add(r.alliance()).Membership = r.membership()
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]Summary, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	slices.SortFunc(out, func(a, b Summary) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), slices.Compare(a.ID[:], b.ID[:]))
	})
	return out, nil
}

// memberships reads the brand's memberships in its tenant transaction tx:
// of the alliance id, or of every alliance when id is uuid.Nil.
func memberships(tx *gorm.DB, id uuid.UUID) ([]membershipRow, error) {
	q := tx.Raw(`SELECT a.name, a.created_by, a.created_at, ` + prefixed("m.", memberColumns) + `, ` + prefixed("m.", ruleColumns) + `
		FROM alliance_members m JOIN alliances a ON a.id = m.alliance_id ORDER BY a.name, a.id`)
	if id != uuid.Nil {
		q = tx.Raw(`SELECT a.name, a.created_by, a.created_at, `+prefixed("m.", memberColumns)+`, `+prefixed("m.", ruleColumns)+`
			FROM alliance_members m JOIN alliances a ON a.id = m.alliance_id WHERE m.alliance_id = ?`, id)
	}
	var rows []membershipRow
	return rows, q.Scan(&rows).Error
}

// Get returns the alliance id as the signed-in person in ctx may see it;
// ENOTFOUND when they hold no role in it and the workspace they signed in
// to was never invited, so an outsider cannot tell whether it exists.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (*Detail, error) {
	user := userOf(ctx)
	if user == uuid.Nil {
		return nil, deskpool.Errorf(deskpool.EFORBIDDEN, "Alliances are for people: send a session token, not an API key.")
	}
	d := Detail{Summary: Summary{Roles: []string{}}}
	if tenantID := deskpool.TenantIDFromContext(ctx); tenantID != uuid.Nil {
		err := s.brand(ctx, tenantID, func(ctx context.Context, tx *gorm.DB) error {
			rows, err := memberships(tx, id)
			if len(rows) == 1 {
				d.Alliance, d.Membership = rows[0].alliance(), rows[0].membership()
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	err := s.platform(ctx, "alliance_read", func(ctx context.Context, tx *gorm.DB) error {
		var staff []struct {
			Role string
			PoolAgent
		}
		if err := tx.Raw(`SELECT role, `+agentColumns+` FROM alliance_staff WHERE alliance_id = ? AND user_id = ? ORDER BY role`, id, user).
			Scan(&staff).Error; err != nil {
			return err
		}
		if len(staff) == 0 && d.Membership == nil {
			return deskpool.Errorf(deskpool.ENOTFOUND, "Alliance not found.")
		}
		admin := false
		for _, st := range staff {
			d.Roles = append(d.Roles, st.Role)
			admin = admin || st.Role == tenant.RoleAllianceAdmin
			if st.Role == tenant.RolePoolAgent {
				me := st.PoolAgent
				d.PoolAgent = &me
			}
		}
		if d.Membership == nil { // the brand's row named it already
			if err := tx.Raw(`SELECT id, name, created_by, created_at FROM alliances WHERE id = ?`, id).Scan(&d.Alliance).Error; err != nil {
				return err
			}
		}
		if !admin {
			return nil
		}
		return adminView(tx, id, &d)
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// adminView reads into d what the alliance id's admin sees: its brands,
// its pool agents and the agents' open invitations, in tx (system path).
func adminView(tx *gorm.DB, id uuid.UUID, d *Detail) error {
	d.Members, d.Agents, d.AgentInvites = []MemberView{}, []AgentView{}, []PoolInvite{}
	if err := tx.Raw(`SELECT `+prefixed("m.", memberColumns)+`, t.name, t.slug, m.overflow_enabled,
			(SELECT count(*) FROM pool_conversations p WHERE p.tenant_id = m.tenant_id AND p.alliance_id = m.alliance_id
				AND p.state IN ('waiting', 'assigned')) AS in_pool
		FROM alliance_members m JOIN tenants t ON t.id = m.tenant_id
		WHERE m.alliance_id = ? ORDER BY m.status, t.name, t.id`, id).Scan(&d.Members).Error; err != nil {
		return err
	}
	if err := tx.Raw(`SELECT `+prefixed("st.", agentColumns)+`, u.name, u.email FROM alliance_staff st
		JOIN users u ON u.id = st.user_id WHERE st.alliance_id = ? AND st.role = 'pool_agent' ORDER BY u.name, u.email`, id).
		Scan(&d.Agents).Error; err != nil {
		return err
	}
	return tx.Raw(`SELECT `+inviteColumns+` FROM alliance_agent_invites WHERE alliance_id = ? AND accepted_at IS NULL
		ORDER BY invited_at, email`, id).Scan(&d.AgentInvites).Error
}

// Overflow returns the brand tenantID's overflow rule in the alliance id:
// for the brand's own owners and admins, as SetOverflow.
func (s *Service) Overflow(ctx context.Context, id, tenantID uuid.UUID) (*OverflowRule, error) {
	if err := requireBrandAdmin(ctx, tenantID); err != nil {
		return nil, err
	}
	var out *OverflowRule
	err := s.brand(ctx, tenantID, func(ctx context.Context, tx *gorm.DB) error {
		rows, err := memberships(tx, id)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return deskpool.Errorf(deskpool.ENOTFOUND, "Membership not found.")
		}
		out = &rows[0].OverflowRule
		return nil
	})
	return out, err
}

// prefixed qualifies each of a comma-separated column list with prefix.
func prefixed(prefix, columns string) string {
	cols := strings.Split(columns, ", ")
	for i, c := range cols {
		cols[i] = prefix + c
	}
	return strings.Join(cols, ", ")
}
