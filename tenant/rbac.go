package tenant

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"
	"github.com/casbin/casbin/v2/util"
	"github.com/google/uuid"
)

//go:embed rbac_model.conf
var rbacModel string

//go:embed rbac_policy.csv
var rbacPolicy string

// Workspace roles, from most to least powerful.
const (
	RoleOwner  = "owner"
	RoleAdmin  = "admin"
	RoleAgent  = "agent"
	RoleViewer = "viewer"
)

// Alliance roles, checked with the alliance as the domain.
const (
	RoleAllianceAdmin = "alliance_admin"
	RolePoolAgent     = "pool_agent"
)

// Roles lists the workspace roles a member may hold.
var Roles = []string{RoleOwner, RoleAdmin, RoleAgent, RoleViewer}

// Permission is what a route needs: an action on a resource, written
// "resource:action" (for example "conversations:read").
type Permission string

// Split returns the resource and the action.
func (p Permission) Split() (resource, action string) {
	resource, action, _ = strings.Cut(string(p), ":")
	return resource, action
}

// Scopes are the permissions an API key may carry. Managing members, keys
// and billing is kept for people.
var Scopes = []string{
	"messages:write", "conversations:read", "conversations:write",
	"customers:read", "customers:write", "customers:export", "customers:erase",
	"orders:read", "orders:write", "inventory:read", "inventory:write",
	"connectors:read", "connectors:write", "webhooks:read", "webhooks:write",
	"knowledge:read", "knowledge:write", "saved_replies:read", "saved_replies:write", "sla:read", "sla:write",
	"metrics:read", "triage:run", "triage:read", "workspace:read",
}

// Authorizer decides permissions with casbin: RBAC with domains, where the
// domain is "tenant:<id>" for a workspace and "alliance:<id>" for an
// alliance. The built-in policy is embedded; it is immutable and safe for
// concurrent use.
type Authorizer struct {
	e *casbin.SyncedCachedEnforcer
}

// NewAuthorizer loads the embedded model and policy.
func NewAuthorizer() (*Authorizer, error) {
	m, err := model.NewModelFromString(rbacModel)
	if err != nil {
		return nil, fmt.Errorf("rbac model: %w", err)
	}
	e, err := casbin.NewSyncedCachedEnforcer(m, stringadapter.NewAdapter(rbacPolicy))
	if err != nil {
		return nil, fmt.Errorf("rbac policy: %w", err)
	}
	e.AddNamedDomainMatchingFunc("g", "keyMatch", util.KeyMatch)
	if err := e.LoadPolicy(); err != nil {
		return nil, fmt.Errorf("rbac policy: %w", err)
	}
	return &Authorizer{e: e}, nil
}

// TenantDomain returns the casbin domain of a workspace.
func TenantDomain(id uuid.UUID) string { return "tenant:" + id.String() }

// AllianceDomain returns the casbin domain of an alliance.
func AllianceDomain(id uuid.UUID) string { return "alliance:" + id.String() }

// Allowed reports whether role may do perm within domain.
func (a *Authorizer) Allowed(role, domain string, perm Permission) bool {
	res, act := perm.Split()
	ok, err := a.e.Enforce(role, domain, res, act)
	return err == nil && ok
}

// ScopeAllows reports whether an API key's scopes include perm.
func ScopeAllows(scopes []string, perm Permission) bool {
	return slices.Contains(scopes, string(perm))
}

// ValidRole reports whether r is a workspace role.
func ValidRole(r string) bool { return slices.Contains(Roles, r) }

// RoleRank orders roles so that a member can only grant roles at or below
// their own: owner 4, admin 3, agent 2, viewer 1.
func RoleRank(r string) int {
	switch r {
	case RoleOwner:
		return 4
	case RoleAdmin:
		return 3
	case RoleAgent:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}
