package alliance

import (
	"context"
	"crypto/subtle"
	"slices"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
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

// NewPoolAgent is the input of InvitePoolAgent: a person by email, with
// skills, seniority and capacity.
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

// PoolInvite is a pool agent's invitation to an alliance.
type PoolInvite struct {
	AllianceID uuid.UUID      `json:"alliance_id"`
	Email      string         `json:"email"`
	Intents    pq.StringArray `json:"intents" gorm:"type:text[]"`
	Languages  pq.StringArray `json:"languages" gorm:"type:text[]"`
	Channels   pq.StringArray `json:"channels" gorm:"type:text[]"`
	Senior     bool           `json:"senior"`
	Capacity   int            `json:"capacity"`
	InvitedAt  time.Time      `json:"invited_at"`
	AcceptedAt *time.Time     `json:"accepted_at"`
	// Token is the invitation link's secret, shown only in the answer that
	// creates (or renews) the invitation, and stored as its hash.
	Token string `json:"token,omitempty" gorm:"-"`
}

// TokenPoolInvite is the kind of a pool invitation's token (dpa_...),
// one of the kinds tenant.ParseToken knows.
const TokenPoolInvite = tenant.TokenPoolInvite

const inviteColumns = `alliance_id, email, intents, languages, channels, senior, capacity, invited_at, accepted_at`

// InvitePoolAgent invites the person with the email into the alliance
// id's pool with skills, seniority and capacity; the caller must
// administer the alliance. The answer is the same whether or not the
// email has an account, and holds the token of the invitation's link,
// which the admin gives the person: they accept signed in to the account
// of that email, with the token (AcceptPoolInvite). Inviting again before
// acceptance updates the skills and replaces the token.
func (s *Service) InvitePoolAgent(ctx context.Context, id uuid.UUID, in NewPoolAgent) (*PoolInvite, error) {
	var v deskpool.Validator
	email := strings.ToLower(strings.TrimSpace(in.Email))
	v.Check(strings.Contains(email, "@") && len(email) <= 254, "email", "must be an email address")
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
	var inv PoolInvite
	token, hash := tenant.NewToken(TokenPoolInvite, id)
	err := s.platform(ctx, "alliance_invite_agent", func(ctx context.Context, tx *gorm.DB) error {
		if err := requireAdmin(ctx, tx, id); err != nil {
			return err
		}
		if err := tx.Raw(`INSERT INTO alliance_agent_invites (alliance_id, email, intents, languages, channels, senior, capacity, invited_by, token_hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (alliance_id, email) DO UPDATE SET intents = excluded.intents,
				languages = excluded.languages, channels = excluded.channels, senior = excluded.senior, capacity = excluded.capacity,
				token_hash = excluded.token_hash
			WHERE alliance_agent_invites.accepted_at IS NULL RETURNING `+inviteColumns,
			id, email, pq.StringArray(nonNil(in.Intents)), pq.StringArray(nonNil(in.Languages)), pq.StringArray(nonNil(in.Channels)),
			in.Senior, capacity, userOf(ctx), hash).Scan(&inv).Error; err != nil {
			return err
		}
		inv.Token = token
		if inv.Email == "" {
			return deskpool.Errorf(deskpool.ECONFLICT, "This person already accepted a place in the pool.")
		}
		return auditAlliance(ctx, tx, id, "alliance.agent_invited", uuid.Nil, email, map[string]any{"email": email})
	})
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// AcceptPoolInvite makes the signed-in person a pool agent of the
// alliance id, with the skills of their invitation: the one to their
// account's email whose link carries token (signing up proves no address,
// so the email alone proves nothing), once the account has verified that
// email. A missing token is EINVALID; no such invitation, or another
// token, ENOTFOUND; an email not verified, EFORBIDDEN; accepted already,
// ECONFLICT.
func (s *Service) AcceptPoolInvite(ctx context.Context, id uuid.UUID, token string) (*PoolAgent, error) {
	if token == "" {
		return nil, deskpool.Invalid(deskpool.FieldError{Field: "token", Message: "is required: the token of the invitation's link"})
	}
	if kind, allianceID, ok := tenant.ParseToken(token); ok && kind != TokenPoolInvite {
		return nil, deskpool.Invalid(deskpool.FieldError{Field: "token",
			Message: "is a " + kind + "_ token, not a pool invitation's: the token of a pool agent's invitation starts with dpa_"})
	} else if ok && allianceID != id {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "Invitation not found.")
	}
	var a PoolAgent
	err := s.platform(ctx, "alliance_accept_agent", func(ctx context.Context, tx *gorm.DB) error {
		var inv struct {
			PoolInvite
			TokenHash     []byte
			EmailVerified bool
		}
		if err := tx.Raw(`SELECT `+prefixed("i.", inviteColumns)+`, i.token_hash, u.email_verified_at IS NOT NULL AS email_verified
			FROM alliance_agent_invites i JOIN users u ON u.email = i.email
			WHERE i.alliance_id = ? AND u.id = ? FOR UPDATE OF i`, id, userOf(ctx)).Scan(&inv).Error; err != nil {
			return err
		}
		if inv.Email == "" || inv.TokenHash == nil || subtle.ConstantTimeCompare(inv.TokenHash, tenant.HashToken(token)) != 1 {
			return deskpool.Errorf(deskpool.ENOTFOUND, "Invitation not found.")
		}
		if !inv.EmailVerified {
			return deskpool.Errorf(deskpool.EFORBIDDEN, "Confirm your email first, with the link we sent to %s (or send it again): the invitation is for that address, and your account has not proved it is yours.", inv.Email)
		}
		if inv.AcceptedAt != nil {
			return deskpool.Errorf(deskpool.ECONFLICT, "The invitation was already accepted.")
		}
		if err := tx.Exec(`UPDATE alliance_agent_invites SET accepted_by = ?, accepted_at = now() WHERE alliance_id = ? AND email = ?`,
			userOf(ctx), id, inv.Email).Error; err != nil {
			return err
		}
		if err := tx.Raw(`INSERT INTO alliance_staff (alliance_id, user_id, role, intents, languages, channels, senior, capacity)
			VALUES (?, ?, 'pool_agent', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING `+agentColumns,
			id, userOf(ctx), inv.Intents, inv.Languages, inv.Channels, inv.Senior, inv.Capacity).Scan(&a).Error; err != nil {
			return err
		}
		if a.UserID == uuid.Nil {
			return deskpool.Errorf(deskpool.ECONFLICT, "You already are a pool agent of this alliance.")
		}
		return auditAlliance(ctx, tx, id, "alliance.agent_joined", uuid.Nil, userOf(ctx).String(), map[string]any{"email": inv.Email})
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
// CandidateSource: they see the brand's customers masked. Their room is
// shared by every member brand, so it is held (see HoldRoom) for the one
// agent an assignment picks, not for all of them.
type PoolAgents struct{ AllianceID uuid.UUID }

// Candidates implements helpdesk.CandidateSource: the agents as they were
// last committed, unlocked; HoldRoom checks the chosen one's room again.
func (p PoolAgents) Candidates(ctx context.Context, tx *gorm.DB) ([]helpdesk.Candidate, error) {
	var rows []PoolAgent
	if err := tx.Raw(`SELECT `+agentColumns+` FROM alliance_staff WHERE alliance_id = ? AND role = 'pool_agent' AND status = 'online'
		ORDER BY user_id`, p.AllianceID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]helpdesk.Candidate, 0, len(rows))
	for _, r := range rows {
		out = append(out, helpdesk.Candidate{UserID: r.UserID, Capacity: r.Capacity, Senior: r.Senior, Languages: r.Languages,
			Channels: r.Channels, Categories: r.Intents, Load: r.Load, View: helpdesk.ViewMasked})
	}
	return out, nil
}

// holdRoom locks the row of the first of the ranked agents (ids, best
// first) still online with room; with skip, one another assignment is
// holding right now is passed over instead of waited for.
const holdRoom = `SELECT s.user_id FROM unnest(?::uuid[]) WITH ORDINALITY AS r(user_id, rank)
	JOIN alliance_staff s ON s.alliance_id = ? AND s.role = 'pool_agent' AND s.user_id = r.user_id
	WHERE s.status = 'online' AND s.load < s.capacity
	ORDER BY r.rank LIMIT 1 FOR UPDATE OF s`

// firstTry is how many of the best ranked agents HoldRoom tries first:
// more than offers run at once, so one of them is nearly always free, and
// the statement need not carry every agent of a large pool.
const firstTry = 32

// HoldRoom implements helpdesk.RoomHolder. It locks the row of the best
// ranked agent still online with room that no other assignment holds at
// this moment, so that offers from many brands at once spread over the
// agents instead of queueing on one; when all of them are held, it waits
// for the best and checks their room again once it is free. The lock
// lasts until the transaction ends, and the agent's load (kept by the
// pool row, migration 00030) moves under it, so two brands can never
// both use an agent's last unit of room.
func (p PoolAgents) HoldRoom(ctx context.Context, tx *gorm.DB, ranked []helpdesk.Candidate) (int, error) {
	type try struct {
		n    int
		wait string
	}
	tries := []try{{len(ranked), " SKIP LOCKED"}, {len(ranked), ""}}
	if len(ranked) > firstTry {
		tries = append([]try{{firstTry, " SKIP LOCKED"}}, tries...)
	}
	for _, t := range tries {
		held, err := postgres.ScanIDs(tx.Raw(holdRoom+t.wait, uuidArray(ranked[:t.n]), p.AllianceID))
		if err != nil {
			return -1, err
		}
		if len(held) > 0 {
			return slices.IndexFunc(ranked, func(c helpdesk.Candidate) bool { return c.UserID == held[0] }), nil
		}
	}
	return -1, nil
}

// uuidArray is the agents' ids as a PostgreSQL array literal: ids need no
// quoting, and the literal costs far less to build than a quoted one.
func uuidArray(cs []helpdesk.Candidate) string {
	var b strings.Builder
	b.Grow(len(cs)*37 + 2)
	b.WriteByte('{')
	for i, c := range cs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(c.UserID.String())
	}
	b.WriteByte('}')
	return b.String()
}

var _ helpdesk.RoomHolder = PoolAgents{}

var _ helpdesk.CandidateSource = PoolAgents{}

// isPoolAgent reports whether the user in ctx is a pool agent of any
// alliance, read in tx.
func isPoolAgent(ctx context.Context, tx *gorm.DB) (bool, error) {
	var n int
	err := tx.Raw(`SELECT count(*) FROM alliance_staff WHERE user_id = ? AND role = ?`, userOf(ctx), tenant.RolePoolAgent).Scan(&n).Error
	return n > 0, err
}
