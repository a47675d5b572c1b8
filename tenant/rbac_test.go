package tenant

import (
	"strings"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
)

func TestAuthorizer(t *testing.T) {
	a, err := NewAuthorizer()
	if err != nil {
		t.Fatal(err)
	}
	dom := TenantDomain(uuid.New())
	alliance := AllianceDomain(uuid.New())
	tests := []struct {
		role, domain string
		perm         Permission
		want         bool
	}{
		{RoleViewer, dom, "conversations:read", true},
		{RoleViewer, dom, "conversations:write", false},
		{RoleViewer, dom, "api_keys:write", false},
		{RoleAgent, dom, "conversations:write", true},
		{RoleAgent, dom, "conversations:read", true},
		{RoleAgent, dom, "members:write", false},
		{RoleAgent, dom, "audit:read", false},
		{RoleAdmin, dom, "api_keys:write", true},
		{RoleAdmin, dom, "audit:read", true},
		{RoleAdmin, dom, "billing:write", true},
		{RoleAgent, dom, "billing:read", false},
		{RoleViewer, dom, "saved_replies:read", true},
		{RoleAgent, dom, "saved_replies:read", true},
		{RoleAgent, dom, "saved_replies:write", false},
		{RoleAdmin, dom, "saved_replies:write", true},
		{RoleAdmin, dom, "conversations:read", true},
		{RoleOwner, dom, "billing:write", true},
		{RoleOwner, dom, "workspace:delete", true},
		{RoleOwner, alliance, "alliance:write", false},
		{RolePoolAgent, alliance, "pool_conversations:read", true},
		{RolePoolAgent, dom, "conversations:read", false},
		{RoleAllianceAdmin, alliance, "alliance:write", true},
		{RoleAllianceAdmin, dom, "conversations:read", false},
		{"nobody", dom, "conversations:read", false},
	}
	for _, tt := range tests {
		if got := a.Allowed(tt.role, tt.domain, tt.perm); got != tt.want {
			t.Errorf("Allowed(%s, %s, %s) = %v, want %v", tt.role, tt.domain, tt.perm, got, tt.want)
		}
	}
}

func TestParseToken(t *testing.T) {
	id := uuid.New()
	for i := 0; i < 200; i++ { // secrets often hold '_' and '-'
		tok, _ := NewToken(TokenSession, id)
		if kind, got, ok := ParseToken(tok); !ok || kind != TokenSession || got != id {
			t.Fatalf("ParseToken(%q) failed", tok)
		}
		if p := TokenPrefix(tok); len(p) < 10 {
			t.Fatalf("TokenPrefix(%q) = %q", tok, p)
		}
	}
	tok, hash := NewToken(TokenAPIKey, id)
	kind, got, ok := ParseToken(tok)
	if !ok || kind != TokenAPIKey || got != id {
		t.Fatalf("ParseToken(%q) = %q %v %v", tok, kind, got, ok)
	}
	if string(HashToken(tok)) != string(hash) {
		t.Fatal("hash mismatch")
	}
	for _, bad := range []string{"", "dpk_abc_def", "xx_" + tok[4:], tok + "x", "dpk_" + string(make([]byte, 32)) + "_" + tok[38:]} {
		if _, _, ok := ParseToken(bad); ok {
			t.Errorf("ParseToken(%q) accepted", bad)
		}
	}
}

// Every kind of credential deskpool hands out is known to ParseToken,
// the pool agent's invitation (dpa_, carrying its alliance's id) with the
// rest; only sessions and API keys are bearer credentials.
func TestParseTokenKnowsEveryKind(t *testing.T) {
	id := uuid.New()
	for _, kind := range []string{TokenSession, TokenAPIKey, TokenInvitation, TokenPoolInvite} {
		tok, _ := NewToken(kind, id)
		got, gotID, ok := ParseToken(tok)
		if !ok || got != kind || gotID != id {
			t.Errorf("ParseToken(%q) = %q %v %v", tok, got, gotID, ok)
		}
		_, err := BearerTenant(tok)
		bearer := kind == TokenSession || kind == TokenAPIKey
		if bearer && err != nil {
			t.Errorf("a %s token refused as a bearer credential: %v", kind, err)
		}
		if !bearer && (deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED || !strings.Contains(deskpool.ErrorMessage(err), kind+"_")) {
			t.Errorf("a %s token as a bearer credential: %v, want EUNAUTHORIZED naming %s_", kind, err, kind)
		}
	}
}

func TestPassword(t *testing.T) {
	h := HashPassword("correct horse battery")
	if !CheckPassword(h, "correct horse battery") {
		t.Fatal("password did not verify")
	}
	if CheckPassword(h, "correct horse batterx") {
		t.Fatal("wrong password verified")
	}
	for _, bad := range []string{"short", "aaaaaaaaaaaa", "password123", "alice-secret-99"} {
		if ValidatePassword(bad, "alice@example.com") == nil {
			t.Errorf("ValidatePassword(%q) accepted", bad)
		}
	}
	if err := ValidatePassword("牛奶咖啡很好喝123", "bob@example.com"); err != nil {
		t.Errorf("unicode password rejected: %v", err)
	}
}
