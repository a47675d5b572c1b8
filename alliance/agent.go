package alliance

import (
	"context"
	"slices"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// PoolAgent is a platform user who answers for the alliance's brands.
type PoolAgent struct {
	AllianceID uuid.UUID      `json:"alliance_id"`
	UserID     uuid.UUID      `json:"user_id"`
	Intents    pq.StringArray `json:"intents" gorm:"type:text[]"`
	Languages  pq.StringArray `json:"languages" gorm:"type:text[]"`
	Channels   pq.StringArray `json:"channels" gorm:"type:text[]"`
	Senior     bool           `json:"senior"`
	Capacity   int            `json:"capacity"`
	Status     string         `json:"status"`
	Load       int            `json:"load"`
}

const agentColumns = `alliance_id, user_id, intents, languages, channels, senior, capacity, status, load`

// NewPoolAgent is the input of AddPoolAgent: an existing user by email,
// with skills, seniority and capacity.
type NewPoolAgent struct {
	Email     string   `json:"email"`
	Intents   []string `json:"intents"`
	Languages []string `json:"languages"`
	Channels  []string `json:"channels"`
	Senior    bool     `json:"senior"`
	Capacity  *int     `json:"capacity"`
}

// Languages the triage tells apart.
var Languages = []string{"zh", "en"}

// checkList records a fault under field for each value outside known.
func checkList(v *deskpool.Validator, field string, values, known []string) {
	for _, x := range values {
		if !slices.Contains(known, x) {
			v.Add(field, "names an unknown value "+x+"; use one of "+strings.Join(known, ", "))
			return
		}
	}
}

// AddPoolAgent adds the user with the email to the alliance id's pool;
// the caller must administer the alliance. The user stays outside every
// brand: they reach a brand's conversation only while the pool holds it
// for them.
func (s *Service) AddPoolAgent(ctx context.Context, id uuid.UUID, in NewPoolAgent) (*PoolAgent, error) {
	var v deskpool.Validator
	v.Check(strings.TrimSpace(in.Email) != "", "email", "must not be empty")
	checkList(&v, "intents", in.Intents, helpdesk.Intents)
	checkList(&v, "languages", in.Languages, Languages)
	checkList(&v, "channels", in.Channels, helpdesk.Channels)
	capacity := 5
	if in.Capacity != nil {
		capacity = *in.Capacity
		v.Check(capacity >= 0 && capacity <= 100, "capacity", "must be between 0 and 100")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var a PoolAgent
	err := s.platform(ctx, "alliance_add_agent", func(ctx context.Context, tx *gorm.DB) error {
		if err := requireAdmin(ctx, tx, id); err != nil {
			return err
		}
		var user uuid.UUID
		if err := tx.Raw(`SELECT id FROM users WHERE email = lower(?)`, strings.TrimSpace(in.Email)).Row().Scan(&user); err != nil {
			return deskpool.Invalid(deskpool.FieldError{Field: "email", Message: "names no user of the platform"})
		}
		res := tx.Raw(`INSERT INTO alliance_staff (alliance_id, user_id, role, intents, languages, channels, senior, capacity)
			VALUES (?, ?, 'pool_agent', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING `+agentColumns,
			id, user, pq.StringArray(nonNil(in.Intents)), pq.StringArray(nonNil(in.Languages)), pq.StringArray(nonNil(in.Channels)),
			in.Senior, capacity).Scan(&a)
		if res.Error != nil {
			return res.Error
		}
		if a.UserID == uuid.Nil {
			return deskpool.Errorf(deskpool.ECONFLICT, "The user is already a pool agent of this alliance.")
		}
		return auditAlliance(ctx, tx, id, "alliance.agent_added", uuid.Nil, user.String(), map[string]any{"user_id": user})
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Presence is a pool agent's status.
type Presence struct {
	Status string `json:"status"`
}

// SetPresence sets the caller's status as a pool agent of the alliance id.
// Going online routes the pool's waiting conversations (see RouteWaiting).
func (s *Service) SetPresence(ctx context.Context, id uuid.UUID, in Presence) (*PoolAgent, error) {
	if !slices.Contains([]string{"online", "away", "offline"}, in.Status) {
		return nil, deskpool.Invalid(deskpool.FieldError{Field: "status", Message: "must be one of online, away, offline"})
	}
	var a PoolAgent
	err := s.platform(ctx, "alliance_presence", func(ctx context.Context, tx *gorm.DB) error {
		if _, err := roleIn(tx, id, userOf(ctx)); err != nil {
			return err
		}
		if err := tx.Raw(`UPDATE alliance_staff SET status = ? WHERE alliance_id = ? AND user_id = ? AND role = 'pool_agent'
			RETURNING `+agentColumns, in.Status, id, userOf(ctx)).Scan(&a).Error; err != nil {
			return err
		}
		if a.UserID == uuid.Nil {
			return deskpool.Errorf(deskpool.EFORBIDDEN, "This needs the pool_agent role of the alliance.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if in.Status == "online" {
		if _, err := s.RouteWaiting(ctx, id); err != nil {
			return nil, err
		}
	}
	return &a, nil
}

// PoolAgents is the alliance's online pool agents as a helpdesk
// CandidateSource: they see the brand's customers masked. Their rows are
// locked for the transaction, so two brands' assignments cannot both use
// an agent's last unit of capacity.
type PoolAgents struct{ AllianceID uuid.UUID }

// Candidates implements helpdesk.CandidateSource.
func (p PoolAgents) Candidates(ctx context.Context, tx *gorm.DB) ([]helpdesk.Candidate, error) {
	var rows []PoolAgent
	if err := tx.Raw(`SELECT `+agentColumns+` FROM alliance_staff WHERE alliance_id = ? AND role = 'pool_agent' AND status = 'online'
		ORDER BY user_id FOR UPDATE`, p.AllianceID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]helpdesk.Candidate, 0, len(rows))
	for _, r := range rows {
		out = append(out, helpdesk.Candidate{UserID: r.UserID, Capacity: r.Capacity, Senior: r.Senior, Languages: r.Languages,
			Channels: r.Channels, Categories: r.Intents, Load: r.Load, View: helpdesk.ViewMasked})
	}
	return out, nil
}

var _ helpdesk.CandidateSource = PoolAgents{}

// isPoolAgent reports whether the user in ctx is a pool agent of any
// alliance, read in tx.
func isPoolAgent(ctx context.Context, tx *gorm.DB) (bool, error) {
	var n int
	err := tx.Raw(`SELECT count(*) FROM alliance_staff WHERE user_id = ? AND role = ?`, userOf(ctx), tenant.RolePoolAgent).Scan(&n).Error
	return n > 0, err
}
