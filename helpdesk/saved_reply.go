package helpdesk

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// SavedReply is one of a workspace's ready answers (a macro, a canned
// response): an agent inserts it into a reply, its placeholders filled from
// the conversation (see RenderSavedReply).
type SavedReply struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name"`
	Shortcut   *string    `json:"shortcut"` // "/refund", typed in the reply box to pick it
	Body       string     `json:"body"`
	Language   *string    `json:"language"` // en or zh; nil: any
	CreatedBy  *uuid.UUID `json:"created_by"`
	Uses       int        `json:"uses"`
	LastUsedAt *time.Time `json:"last_used_at"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// SavedReplyInput creates a saved reply, or changes the fields it sets; an
// empty shortcut or language clears it.
type SavedReplyInput struct {
	Name     *string `json:"name"`
	Shortcut *string `json:"shortcut"`
	Body     *string `json:"body"`
	Language *string `json:"language"`
}

// Limits on a saved reply's fields, in characters.
const (
	maxSavedReplyName = 100
	maxSavedReplyBody = 5000
)

// SavedReplyPlaceholders are the placeholders a saved reply's body may use,
// written {{customer.name}}; any other is refused when the reply is saved.
var SavedReplyPlaceholders = []string{
	"customer.name", "customer.email", "agent.name", "order.number", "order.status", "order.tracking_number", "workspace.name",
}

var (
	// savedPlaceholderRE matches anything in double braces, so that a typo
	// ({{order.nubmer}}, {{Order Number}}) is named rather than sent.
	savedPlaceholderRE = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)
	shortcutRE         = regexp.MustCompile(`^/[a-z0-9][a-z0-9_-]{0,31}$`)
)

// normalize trims the name, lowercases the shortcut (adding its leading
// slash) and the language.
func (in *SavedReplyInput) normalize() {
	trim := func(p *string, f func(string) string) {
		if p != nil {
			*p = f(strings.TrimSpace(*p))
		}
	}
	trim(in.Name, func(s string) string { return s })
	trim(in.Shortcut, func(s string) string {
		if s != "" && !strings.HasPrefix(s, "/") {
			s = "/" + s
		}
		return strings.ToLower(s)
	})
	trim(in.Language, strings.ToLower)
}

// Validate checks an input; creating needs a name and a body. Every
// placeholder the body uses must be one of SavedReplyPlaceholders.
func (in SavedReplyInput) Validate(create bool) error {
	var v deskpool.Validator
	if in.Name != nil || create {
		n := ""
		if in.Name != nil {
			n = *in.Name
		}
		if l := utf8.RuneCountInString(n); l == 0 || l > maxSavedReplyName {
			v.Add("name", fmt.Sprintf("is required, up to %d characters", maxSavedReplyName))
		} else if p := deskpool.NameProblem(n); p != "" {
			v.Add("name", p)
		}
	}
	if in.Shortcut != nil && *in.Shortcut != "" {
		v.Check(shortcutRE.MatchString(*in.Shortcut), "shortcut", `must be "/" and up to 32 letters, digits, "-" or "_", like /refund`)
	}
	if in.Body != nil || create {
		b := ""
		if in.Body != nil {
			b = *in.Body
		}
		if strings.TrimSpace(b) == "" || utf8.RuneCountInString(b) > maxSavedReplyBody {
			v.Add("body", fmt.Sprintf("is required, up to %d characters", maxSavedReplyBody))
		}
		var unknown []string
		for _, m := range savedPlaceholderRE.FindAllStringSubmatch(b, -1) {
			if !slices.Contains(SavedReplyPlaceholders, m[1]) && !slices.Contains(unknown, m[1]) {
				unknown = append(unknown, m[1])
				v.Add("body", fmt.Sprintf("unknown placeholder {{%s}}; use %s", m[1], placeholderList()))
			}
		}
	}
	if in.Language != nil {
		v.Check(*in.Language == "" || *in.Language == "en" || *in.Language == "zh", "language", "must be en or zh (or empty for any)")
	}
	return v.Err()
}

func placeholderList() string {
	list := make([]string, len(SavedReplyPlaceholders))
	for i, p := range SavedReplyPlaceholders {
		list[i] = "{{" + p + "}}"
	}
	return strings.Join(list, ", ")
}

// apply copies the set fields of in onto r.
func (in SavedReplyInput) apply(r *SavedReply) {
	orNil := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	if in.Name != nil {
		r.Name = *in.Name
	}
	if in.Shortcut != nil {
		r.Shortcut = orNil(*in.Shortcut)
	}
	if in.Body != nil {
		r.Body = *in.Body
	}
	if in.Language != nil {
		r.Language = orNil(*in.Language)
	}
}

const savedReplyColumns = `id, name, shortcut, body, language, created_by, uses, last_used_at, created_at, updated_at`

// FindSavedReplies lists the workspace's saved replies, newest first.
func (s *Service) FindSavedReplies(ctx context.Context, cur deskpool.Cursor, limit int) ([]SavedReply, error) {
	var out []SavedReply
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		q := tx.Table("saved_replies").Select(savedReplyColumns).Where("tenant_id = ?", deskpool.TenantIDFromContext(ctx))
		return postgres.NewestFirst(q, "created_at", cur, limit).Scan(&out).Error
	})
	return out, err
}

// FindSavedReply returns one saved reply; another workspace's is ENOTFOUND.
func (s *Service) FindSavedReply(ctx context.Context, id uuid.UUID) (*SavedReply, error) {
	var out *SavedReply
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) (err error) {
		out, err = findSavedReply(ctx, tx, id, false)
		return err
	})
	return out, err
}

func findSavedReply(ctx context.Context, tx *gorm.DB, id uuid.UUID, lock bool) (*SavedReply, error) {
	q := `SELECT ` + savedReplyColumns + ` FROM saved_replies WHERE tenant_id = ? AND id = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	var rows []SavedReply
	if err := tx.Raw(q, deskpool.TenantIDFromContext(ctx), id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "No saved reply with id %s.", id)
	}
	return &rows[0], nil
}

// CreateSavedReply adds a saved reply, written by the actor in ctx; a name
// (whatever its case) or shortcut already in use is ECONFLICT.
func (s *Service) CreateSavedReply(ctx context.Context, in SavedReplyInput) (*SavedReply, error) {
	in.normalize()
	if err := in.Validate(true); err != nil {
		return nil, err
	}
	r := SavedReply{ID: deskpool.NewID()}
	in.apply(&r)
	var out *SavedReply
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		a, _ := deskpool.ActorFromContext(ctx)
		if err := checkSavedReplyUnique(ctx, tx, r); err != nil {
			return err
		}
		err := tx.Exec(`INSERT INTO saved_replies (tenant_id, id, name, shortcut, body, language, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			a.TenantID, r.ID, r.Name, r.Shortcut, r.Body, r.Language, nullID(a.UserID)).Error
		if err != nil {
			return savedReplyConflict(err, r)
		}
		if err := tenant.Audit(ctx, tx, "saved_reply.created", "saved_reply", r.ID.String(), savedReplyDetails(r)); err != nil {
			return err
		}
		out, err = findSavedReply(ctx, tx, r.ID, false)
		return err
	})
	return out, err
}

// UpdateSavedReply changes the fields in sets.
func (s *Service) UpdateSavedReply(ctx context.Context, id uuid.UUID, in SavedReplyInput) (*SavedReply, error) {
	in.normalize()
	if err := in.Validate(false); err != nil {
		return nil, err
	}
	var out *SavedReply
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		r, err := findSavedReply(ctx, tx, id, true)
		if err != nil {
			return err
		}
		in.apply(r)
		if err := checkSavedReplyUnique(ctx, tx, *r); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE saved_replies SET name = ?, shortcut = ?, body = ?, language = ?, updated_at = now()
			WHERE tenant_id = ? AND id = ?`, r.Name, r.Shortcut, r.Body, r.Language, deskpool.TenantIDFromContext(ctx), id).Error; err != nil {
			return savedReplyConflict(err, *r)
		}
		if err := tenant.Audit(ctx, tx, "saved_reply.updated", "saved_reply", id.String(), savedReplyDetails(*r)); err != nil {
			return err
		}
		out, err = findSavedReply(ctx, tx, id, false)
		return err
	})
	return out, err
}

// DeleteSavedReply removes a saved reply.
func (s *Service) DeleteSavedReply(ctx context.Context, id uuid.UUID) error {
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var names []string
		if err := tx.Raw(`DELETE FROM saved_replies WHERE tenant_id = ? AND id = ? RETURNING name`,
			deskpool.TenantIDFromContext(ctx), id).Scan(&names).Error; err != nil {
			return err
		}
		if len(names) == 0 {
			return deskpool.Errorf(deskpool.ENOTFOUND, "No saved reply with id %s.", id)
		}
		return tenant.Audit(ctx, tx, "saved_reply.deleted", "saved_reply", id.String(), map[string]any{"name": names[0]})
	})
}

// checkSavedReplyUnique names the field another saved reply of the
// workspace already uses: its name (whatever the case) or its shortcut.
func checkSavedReplyUnique(ctx context.Context, tx *gorm.DB, r SavedReply) error {
	var taken []struct{ Name, Shortcut string }
	if err := tx.Raw(`SELECT name, COALESCE(shortcut, '') AS shortcut FROM saved_replies WHERE tenant_id = ? AND id <> ?
		AND (lower(name) = lower(?) OR shortcut = ?) LIMIT 2`, deskpool.TenantIDFromContext(ctx), r.ID, r.Name, r.Shortcut).
		Scan(&taken).Error; err != nil {
		return err
	}
	for _, t := range taken {
		if strings.EqualFold(t.Name, r.Name) {
			return savedReplyTaken("name", fmt.Sprintf("a saved reply named %q already exists", t.Name))
		}
		return savedReplyTaken("shortcut", fmt.Sprintf("the saved reply %q already uses the shortcut %s", t.Name, t.Shortcut))
	}
	return nil
}

// savedReplyTaken is ECONFLICT naming the field another saved reply of
// the workspace already uses.
func savedReplyTaken(field, message string) error {
	return &deskpool.Error{Code: deskpool.ECONFLICT, Message: field + ": " + message + ".",
		Fields: []deskpool.FieldError{{Field: field, Message: message}}}
}

// savedReplyConflict turns the unique indexes' refusal (a concurrent
// save of the same name or shortcut) into ECONFLICT.
func savedReplyConflict(err error, r SavedReply) error {
	if postgres.IsUniqueViolation(err) {
		e := &deskpool.Error{Code: deskpool.ECONFLICT, Message: fmt.Sprintf("A saved reply named %q or with its shortcut already exists.", r.Name),
			Fields: []deskpool.FieldError{{Field: "name", Message: "may be in use by another saved reply"}}}
		if r.Shortcut != nil {
			e.Fields = append(e.Fields, deskpool.FieldError{Field: "shortcut", Message: "may be in use by another saved reply"})
		}
		return e
	}
	return err
}

func savedReplyDetails(r SavedReply) map[string]any {
	return map[string]any{"name": r.Name, "shortcut": r.Shortcut, "language": r.Language}
}
