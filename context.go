package deskpool

import (
	"context"

	"github.com/google/uuid"
)

// Actor is who performs a request: a signed-in user or an API key, acting
// inside one tenant.
type Actor struct {
	TenantID  uuid.UUID
	UserID    uuid.UUID // zero for API keys and system work
	APIKeyID  uuid.UUID // zero for users
	SessionID uuid.UUID // the session a user signed in with
	Role      string    // the user's role in the tenant, or "integration" for keys
	Scopes    []string  // API key scopes
	TwoFactor bool      // a signed-in person whose account signs in in two steps (set by authentication)
	IP        string
}

// Kind tells what sort of actor this is: "user", "api_key" or "system".
func (a Actor) Kind() string {
	switch {
	case a.UserID != uuid.Nil:
		return "user"
	case a.APIKeyID != uuid.Nil:
		return "api_key"
	}
	return "system"
}

// ID returns the user or API key id, or uuid.Nil for system work.
func (a Actor) ID() uuid.UUID {
	if a.UserID != uuid.Nil {
		return a.UserID
	}
	return a.APIKeyID
}

type actorKey struct{}

// NewContextWithActor returns ctx carrying the actor.
func NewContextWithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor in ctx, if any.
func ActorFromContext(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// TenantIDFromContext returns the tenant of the actor in ctx, or uuid.Nil.
func TenantIDFromContext(ctx context.Context) uuid.UUID {
	a, _ := ActorFromContext(ctx)
	return a.TenantID
}

type requestIDKey struct{}

// NewContextWithRequestID returns ctx carrying the request id.
func NewContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFromContext returns the request id in ctx, or "".
func RequestIDFromContext(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}
