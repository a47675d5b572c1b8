package segments

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Roles of compensation authority: an owner; a senior (a workspace admin
// or an agent marked senior); an agent (everyone else, API keys too).
const (
	roleAgent  = "agent"
	roleSenior = "senior"
	roleOwner  = "owner"
)

// Unlimited is a limit without a ceiling.
const Unlimited = -1

// limit is a role's authority in minor units.
type limit struct {
	Role     string
	PerGrant int64
	PerDay   int64
}

// defaultLimits are the issue's, in minor units of the workspace's
// currency (CNY by default): an agent 500 a grant and 2,000 a day, a
// senior 2,000 and 10,000, an owner unlimited.
var defaultLimits = map[string]limit{
	roleAgent:  {Role: roleAgent, PerGrant: 50000, PerDay: 200000},
	roleSenior: {Role: roleSenior, PerGrant: 200000, PerDay: 1000000},
	roleOwner:  {Role: roleOwner, PerGrant: Unlimited, PerDay: Unlimited},
}

// authorityRole is the compensation role of actor in the workspace.
func authorityRole(ctx context.Context, tx *gorm.DB, actor deskpool.Actor) (string, error) {
	switch actor.Role {
	case "owner":
		return roleOwner, nil
	case "admin":
		return roleSenior, nil
	}
	if actor.UserID == uuid.Nil {
		return roleAgent, nil
	}
	var senior bool
	err := tx.Raw(`SELECT COALESCE(bool_or(senior OR gold), false) FROM agent_profiles WHERE tenant_id = ? AND user_id = ?`,
		deskpool.TenantIDFromContext(ctx), actor.UserID).Scan(&senior).Error
	if senior {
		return roleSenior, err
	}
	return roleAgent, err
}

// loadLimits returns the workspace's limits, defaults filled in.
func loadLimits(ctx context.Context, tx *gorm.DB) (map[string]limit, error) {
	var rows []limit
	if err := tx.Raw(`SELECT role, per_grant, per_day FROM compensation_limits WHERE tenant_id = ?`,
		deskpool.TenantIDFromContext(ctx)).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]limit{}
	for k, v := range defaultLimits {
		out[k] = v
	}
	for _, r := range rows {
		out[r.Role] = r
	}
	return out, nil
}

// spend checks amount against the per-grant and daily limits of role for
// user, under a lock on the user's row of the day (UTC), and counts it
// when it is within them.
func spend(ctx context.Context, tx *gorm.DB, user uuid.UUID, role string, amount int64) (bool, error) {
	limits, err := loadLimits(ctx, tx)
	if err != nil {
		return false, err
	}
	l := limits[role]
	if l.PerGrant != Unlimited && amount > l.PerGrant {
		return false, nil
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	// The upsert locks the row (waiting for a concurrent grant to commit)
	// and reads its latest total.
	var granted int64
	if err := tx.Raw(`INSERT INTO compensation_days (tenant_id, user_id, day) VALUES (?, ?, (now() AT TIME ZONE 'UTC')::date)
		ON CONFLICT (tenant_id, user_id, day) DO UPDATE SET granted_minor = compensation_days.granted_minor
		RETURNING granted_minor`, tenantID, user).Scan(&granted).Error; err != nil {
		return false, err
	}
	if l.PerDay != Unlimited && granted+amount > l.PerDay {
		return false, nil
	}
	return true, tx.Exec(`UPDATE compensation_days SET granted_minor = granted_minor + ?
		WHERE tenant_id = ? AND user_id = ? AND day = (now() AT TIME ZONE 'UTC')::date`, amount, tenantID, user).Error
}

// Limit is a role's compensation authority as the API shows it; an empty
// amount is unlimited.
type Limit struct {
	Role     string `json:"role"`
	PerGrant string `json:"per_grant"`
	PerDay   string `json:"per_day"`
}

// Limits returns the workspace's limits per role, in its currency.
func (s *Service) Limits(ctx context.Context) ([]Limit, error) {
	var out []Limit
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		t, err := loadThresholds(ctx, tx)
		if err != nil {
			return err
		}
		limits, err := loadLimits(ctx, tx)
		for _, role := range []string{roleAgent, roleSenior, roleOwner} {
			l := limits[role]
			out = append(out, Limit{Role: role, PerGrant: formatLimit(l.PerGrant, t.Currency), PerDay: formatLimit(l.PerDay, t.Currency)})
		}
		return err
	})
	return out, err
}

// SetLimits replaces the limits of the roles listed, audited.
func (s *Service) SetLimits(ctx context.Context, in []Limit) ([]Limit, error) {
	if len(in) > len(defaultLimits) { // refused before any read
		return nil, deskpool.Invalid(deskpool.FieldError{Field: "limits", Message: "must list each role (agent, senior, owner) at most once"})
	}
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		t, err := loadThresholds(ctx, tx)
		if err != nil {
			return err
		}
		var v deskpool.Validator
		rows := make([]limit, len(in))
		listed := map[string]bool{}
		for i, l := range in {
			p := "limits[" + itoa(i) + "]."
			_, known := defaultLimits[l.Role]
			v.Check(known, p+"role", "must be agent, senior or owner")
			v.Check(!known || !listed[l.Role], p+"role", "lists "+l.Role+" a second time; give each role once")
			listed[l.Role] = true
			var okG, okD bool
			rows[i].Role = l.Role
			rows[i].PerGrant, okG = parseLimit(l.PerGrant, t.Currency)
			rows[i].PerDay, okD = parseLimit(l.PerDay, t.Currency)
			v.Check(okG, p+"per_grant", "must be a positive decimal amount, or empty for unlimited")
			v.Check(okD, p+"per_day", "must be a positive decimal amount, or empty for unlimited")
			if okG && okD && rows[i].PerDay != Unlimited && (rows[i].PerGrant == Unlimited || rows[i].PerGrant > rows[i].PerDay) {
				v.Add(p+"per_grant", "must not exceed per_day")
			}
		}
		v.Check(len(in) > 0, "limits", "must list at least one role")
		if err := v.Err(); err != nil {
			return err
		}
		for _, r := range rows {
			if err := tx.Exec(`INSERT INTO compensation_limits (tenant_id, role, per_grant, per_day) VALUES (?, ?, ?, ?)
				ON CONFLICT (tenant_id, role) DO UPDATE SET per_grant = excluded.per_grant, per_day = excluded.per_day`,
				deskpool.TenantIDFromContext(ctx), r.Role, r.PerGrant, r.PerDay).Error; err != nil {
				return err
			}
		}
		return tenant.Audit(ctx, tx, "compensation.limits_changed", "workspace", deskpool.TenantIDFromContext(ctx).String(),
			map[string]any{"limits": in})
	})
	if err != nil {
		return nil, err
	}
	return s.Limits(ctx)
}

func formatLimit(minor int64, currency string) string {
	if minor == Unlimited {
		return ""
	}
	return shop.FormatAmount(minor, currency)
}

func parseLimit(s, currency string) (int64, bool) {
	if s == "" {
		return Unlimited, true
	}
	n, err := shop.ParseAmount(s, currency)
	return n, err == nil && n > 0
}
