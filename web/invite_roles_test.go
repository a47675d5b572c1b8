package web_test

import (
	"strings"
	"testing"
)

// TestInvitationRoles: the invitation form's roles read as the members
// table names them, in the page's language, and send the API's values.
func TestInvitationRoles(t *testing.T) {
	app := newApp(t)
	for lang, want := range map[string]string{
		"en": `<select name="role"><option value="agent">Agent</option><option value="admin">Admin</option><option value="viewer">Viewer</option></select>`,
		"zh": `<select name="role"><option value="agent">客服</option><option value="admin">管理员</option><option value="viewer">只读成员</option></select>`,
	} {
		_, body := get(t, app, "/app/settings", map[string]string{"Cookie": "dp_session=x; dp_lang=" + lang})
		i := strings.Index(body, `<form id="invite-create"`)
		if i < 0 {
			t.Fatalf("%s: the settings page has no invitation form", lang)
		}
		form := body[i : i+strings.Index(body[i:], "</form>")]
		if !strings.Contains(form, want) {
			t.Errorf("%s: the invitation form's roles are not %s: %s", lang, want, form)
		}
	}
}
