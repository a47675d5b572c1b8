package tenant

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/nyaruka/phonenumbers"
	"gorm.io/gorm"
)

// DefaultCountry is the country of a workspace that names none.
const DefaultCountry = "CN"

// NormalizeCountry returns an ISO 3166-1 alpha-2 code in upper case, if it
// is one that libphonenumber knows the numbering plan of.
func NormalizeCountry(s string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if len(c) != 2 {
		return "", false
	}
	_, ok := phonenumbers.GetSupportedRegions()[c]
	return c, ok
}

const countryMessage = "must be an ISO 3166-1 alpha-2 country code such as CN or US"

// WorkspaceCountry reads the country of the workspace, inside its tenant
// transaction tx.
func WorkspaceCountry(tx *gorm.DB, tenantID uuid.UUID) (string, error) {
	var c string
	if err := tx.Raw(`SELECT country FROM tenants WHERE id = ?`, tenantID).Scan(&c).Error; err != nil {
		return "", err
	}
	if c == "" {
		return "", deskpool.Errorf(deskpool.ENOTFOUND, "Workspace not found.")
	}
	return c, nil
}

// WorkspaceUpdate changes a workspace's settings; nil fields stay.
type WorkspaceUpdate struct {
	Name             *string `json:"name"`
	Country          *string `json:"country"`
	RequireTwoFactor *bool   `json:"require_two_factor"` // see requireTwoFactor
}

// UpdateWorkspace changes the settings of the actor's workspace and
// returns it. A change of name or country is audited as
// workspace.updated; one of require_two_factor as described at
// requireTwoFactor.
func (s *Service) UpdateWorkspace(ctx context.Context, in WorkspaceUpdate) (*Workspace, error) {
	var v deskpool.Validator
	var name, country string
	if in.Name != nil {
		name = strings.TrimSpace(*in.Name)
		n := utf8.RuneCountInString(name)
		v.Check(n >= 1 && n <= 100, "name", "must be 1 to 100 characters")
		if m := deskpool.NameProblem(name); n >= 1 && m != "" {
			v.Add("name", m)
		}
	}
	if in.Country != nil {
		var ok bool
		country, ok = NormalizeCountry(*in.Country)
		v.Check(ok, "country", countryMessage)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var ws Workspace
	err := postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		if in.RequireTwoFactor != nil {
			if err := s.requireTwoFactor(ctx, tx, tenantID, *in.RequireTwoFactor); err != nil {
				return err
			}
		}
		err := tx.Raw(`UPDATE tenants SET name = CASE WHEN @name = '' THEN name ELSE @name END,
			country = CASE WHEN @country = '' THEN country ELSE @country END, updated_at = now() WHERE id = @id
			RETURNING `+workspaceColumns, map[string]any{"name": name, "country": country, "id": tenantID}).Scan(&ws).Error
		if err != nil {
			return err
		} else if ws.ID == uuid.Nil {
			return deskpool.Errorf(deskpool.ENOTFOUND, "Workspace not found.")
		}
		s.credentialsChanged(ctx, tenantID)
		changes := map[string]any{}
		if name != "" {
			changes["name"] = name
		}
		if country != "" {
			changes["country"] = country
		}
		if len(changes) == 0 && in.RequireTwoFactor != nil {
			return nil // requireTwoFactor audited its change
		}
		return Audit(ctx, tx, "workspace.updated", "workspace", tenantID.String(), changes)
	})
	if err != nil {
		return nil, err
	}
	return &ws, nil
}
