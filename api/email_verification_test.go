package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
)

var verifyLink = regexp.MustCompile(`/verify/(dpv_[A-Za-z0-9_-]{43})`)

// verifyToken waits for the next verification link sent to email and
// returns its token.
func verifyToken(t *testing.T, email string) string {
	t.Helper()
	msg := outbox.nextVerify(t, email)
	m := verifyLink.FindStringSubmatch(msg.Body)
	if m == nil {
		t.Fatalf("no verification link in %q", msg.Body)
	}
	return m[1]
}

// verifyTaskPayload is the payload of the workspace's (latest) verification
// mail task in its outbox.
func verifyTaskPayload(t *testing.T, tenantID string) string {
	t.Helper()
	var payload string
	if err := env.System.Raw(`SELECT payload::text FROM outbox WHERE tenant_id = ? AND task_type = ? ORDER BY created_at DESC LIMIT 1`,
		tenantID, tenant.TaskVerifyMail).Scan(&payload).Error; err != nil {
		t.Fatal(err)
	}
	if payload == "" {
		t.Fatal("no verification mail task in the workspace's outbox")
	}
	return payload
}

// runNoticeTask runs the notice task typ as the outbox of the workspace
// tenantID queued it for the row whose key is hash (a link's token hash,
// or a notice's own id), as after a lost acknowledgement: the task's outbox
// row is gone once done.
func runNoticeTask(t *testing.T, typ, tenantID string, hash []byte) {
	t.Helper()
	payload, err := json.Marshal(tenant.LinkMailPayload{TenantID: uuid.MustParse(tenantID), TokenHash: hash, LinkBase: "http://deskpool.test"})
	if err != nil {
		t.Fatal(err)
	}
	runTask(t, typ, string(payload))
}

// runTask enqueues a task of type typ with payload (as after a lost
// acknowledgement) and waits until a worker completed it.
func runTask(t *testing.T, typ, payload string) {
	t.Helper()
	q := asynq.NewClient(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt())
	defer q.Close()
	info, err := q.Enqueue(asynq.NewTask(typ, []byte(payload)), asynq.Retention(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspector(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt())
	defer insp.Close()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		ti, err := insp.GetTaskInfo(info.Queue, info.ID)
		if err == nil && ti.State == asynq.TaskStateCompleted {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the task %s did not complete: %v %v", typ, ti, err)
		}
	}
}

// markVerified records that the user verified their email, as following
// the link or a password reset does: the setup of a test about what only
// a verified email may do.
func markVerified(t *testing.T, userID string) {
	t.Helper()
	if err := env.System.Exec(`UPDATE users SET email_verified_at = now() WHERE id = ?`, userID).Error; err != nil {
		t.Fatal(err)
	}
}

// emailVerified reads whether the account with email is verified.
func emailVerified(t *testing.T, email string) bool {
	t.Helper()
	return countOf(t, `SELECT count(*) FROM users WHERE email = ? AND email_verified_at IS NOT NULL`, email) == 1
}

func boolAt(r result, path string) (v, ok bool) {
	var cur any = r.JSON
	for _, k := range strings.Split(path, ".") {
		m, isMap := cur.(map[string]any)
		if !isMap {
			return false, false
		}
		cur = m[k]
	}
	v, ok = cur.(bool)
	return v, ok
}

// TestEmailVerification: signing up queues the link through the outbox in
// its transaction (the token only sealed); a worker sends it once; the
// link verifies the email once, and the API shows it (signup, me,
// members); a used link is a 410, an unknown one a 404.
func TestEmailVerification(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Verify Tea")
	for _, r := range []result{
		h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: ws.OwnerToken}),
	} {
		if v, ok := boolAt(r, "user.email_verified"); !ok || v {
			t.Fatalf("a new owner: user.email_verified = %v (present %v), want false: %s", v, ok, r.Raw)
		}
	}
	members := h.must(http.StatusOK, call{method: "GET", path: "/v1/members", token: ws.OwnerToken})
	if !strings.Contains(string(members.Raw), `"email_verified":false`) {
		t.Fatalf("members do not show the owner unverified: %s", members.Raw)
	}
	payload := verifyTaskPayload(t, ws.ID)
	if strings.Contains(payload, "dpv_") {
		t.Fatalf("the outbox holds the token in the clear: %s", payload)
	}
	if !outbox.noVerify(ws.OwnerEmail) {
		t.Fatal("the link went before any worker ran: it did not go through the outbox")
	}
	startWorker(t, h.deps)
	token := verifyToken(t, ws.OwnerEmail)
	for deadline := time.Now().Add(time.Minute); countOf(t, `SELECT count(*) FROM email_verifications WHERE token_hash = ? AND mailed_at IS NOT NULL`, tenant.HashToken(token)) != 1; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the link's row is not marked mailed after it was sent")
		}
	}
	t.Run("TaskSendsOnce", func(t *testing.T) {
		runTask(t, tenant.TaskVerifyMail, payload)
		if !outbox.noVerify(ws.OwnerEmail) {
			t.Fatal("a second run of the task sent the link again")
		}
	})
	if emailVerified(t, ws.OwnerEmail) {
		t.Fatal("the email is verified before the link was followed")
	}
	ok := h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/verify-email/" + token})
	if v, _ := boolAt(ok, "user.email_verified"); !v || ok.str("user.email") != ws.OwnerEmail {
		t.Fatalf("verify answered %s", ok.Raw)
	}
	if !emailVerified(t, ws.OwnerEmail) {
		t.Fatal("the link did not verify the email")
	}
	t.Run("Shown", func(t *testing.T) {
		me := h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: ws.OwnerToken})
		if v, _ := boolAt(me, "user.email_verified"); !v {
			t.Errorf("me after verifying: %s", me.Raw)
		}
		members := h.must(http.StatusOK, call{method: "GET", path: "/v1/members", token: ws.OwnerToken})
		if !strings.Contains(string(members.Raw), `"email_verified":true`) {
			t.Errorf("members after verifying: %s", members.Raw)
		}
		login := h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword}})
		if v, _ := boolAt(login, "user.email_verified"); !v {
			t.Errorf("login after verifying: %s", login.Raw)
		}
	})
	t.Run("Audited", func(t *testing.T) {
		if n := countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'auth.email_verified'`, ws.ID); n != 1 {
			t.Errorf("%d auth.email_verified entries, want 1", n)
		}
	})
	t.Run("ErrGoneUsed", func(t *testing.T) {
		r := h.must(http.StatusGone, call{method: "POST", path: "/v1/auth/verify-email/" + token})
		if !strings.Contains(r.str("detail"), "used") {
			t.Errorf("a used link: %q, want it to say it was used", r.str("detail"))
		}
	})
	t.Run("ErrNotFoundUnknown", func(t *testing.T) {
		r := h.must(http.StatusNotFound, call{method: "POST", path: "/v1/auth/verify-email/dpv_unknownunknownunknownunknownunknownunkno"})
		if !strings.Contains(r.str("detail"), "unknown") {
			t.Errorf("an unknown link: %q", r.str("detail"))
		}
	})
	t.Run("ErrConflictResendVerified", func(t *testing.T) {
		h.must(http.StatusConflict, call{method: "POST", path: "/v1/auth/verify-email", token: ws.OwnerToken})
	})
}

// TestEmailVerificationExpired: a link past its 48 hours is a 410 that
// says so, and leaves the email unverified; its mail task, run after the
// link expired, sends nothing.
func TestEmailVerificationExpired(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Expired Verify Tea")
	if err := env.System.Exec(`UPDATE email_verifications SET created_at = created_at - interval '49 hours', expires_at = now() - interval '1 hour'
		WHERE user_id = ?`, ws.OwnerID).Error; err != nil {
		t.Fatal(err)
	}
	payload := verifyTaskPayload(t, ws.ID)
	startWorker(t, h.deps)
	runTask(t, tenant.TaskVerifyMail, payload)
	if !outbox.noVerify(ws.OwnerEmail) {
		t.Fatal("an expired link was mailed")
	}
	// a new link, expired before it is followed
	h.must(http.StatusAccepted, call{method: "POST", path: "/v1/auth/verify-email", token: ws.OwnerToken})
	token := verifyToken(t, ws.OwnerEmail)
	if err := env.System.Exec(`UPDATE email_verifications SET expires_at = now() - interval '1 second' WHERE token_hash = ?`,
		tenant.HashToken(token)).Error; err != nil {
		t.Fatal(err)
	}
	r := h.must(http.StatusGone, call{method: "POST", path: "/v1/auth/verify-email/" + token})
	if !strings.Contains(r.str("detail"), "expired") {
		t.Errorf("an expired link: %q, want it to say it expired", r.str("detail"))
	}
	if emailVerified(t, ws.OwnerEmail) {
		t.Fatal("an expired link verified the email")
	}
}

// TestEmailVerificationTaskOnlyWhilePending: a link whose account was
// verified meanwhile (here by a password reset) is not mailed.
func TestEmailVerificationTaskOnlyWhilePending(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Pending Verify Tea")
	if err := env.System.Exec(`UPDATE users SET email_verified_at = now() WHERE id = ?`, ws.OwnerID).Error; err != nil {
		t.Fatal(err)
	}
	payload := verifyTaskPayload(t, ws.ID)
	startWorker(t, h.deps)
	runTask(t, tenant.TaskVerifyMail, payload)
	if !outbox.noVerify(ws.OwnerEmail) {
		t.Fatal("a link was mailed to an account verified already")
	}
}

// TestResendVerification: a new link at most once a minute per person
// (signing up sent the first): 429 with Retry-After; an API key has no
// email to verify.
func TestResendVerification(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	ws := h.signup("Resend Tea")
	first := verifyToken(t, ws.OwnerEmail)
	r := h.must(http.StatusTooManyRequests, call{method: "POST", path: "/v1/auth/verify-email", token: ws.OwnerToken})
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Errorf("Retry-After %q, want 1 to 60 seconds", r.Header.Get("Retry-After"))
	}
	backdate := func() {
		t.Helper()
		if err := env.System.Exec(`UPDATE email_verifications SET created_at = created_at - interval '61 seconds' WHERE user_id = ?`, ws.OwnerID).Error; err != nil {
			t.Fatal(err)
		}
	}
	backdate()
	h.must(http.StatusAccepted, call{method: "POST", path: "/v1/auth/verify-email", token: ws.OwnerToken})
	second := verifyToken(t, ws.OwnerEmail)
	if second == first {
		t.Fatal("the new link is the old one")
	}
	h.must(http.StatusTooManyRequests, call{method: "POST", path: "/v1/auth/verify-email", token: ws.OwnerToken})
	if n := countOf(t, `SELECT count(*) FROM email_verifications WHERE user_id = ?`, ws.OwnerID); n != 2 {
		t.Errorf("%d links made, want 2", n)
	}
	t.Run("ErrForbiddenAPIKey", func(t *testing.T) {
		key, _ := h.apiKey(ws, "workspace:read")
		h.must(http.StatusForbidden, call{method: "POST", path: "/v1/auth/verify-email", token: key})
	})
	// the new link verifies; the first, sent earlier, is then used too
	h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/verify-email/" + second})
	h.must(http.StatusGone, call{method: "POST", path: "/v1/auth/verify-email/" + first})
}

// TestInvitedAccountVerifiesEmail: accepting an invitation as a new
// account proves no address either (whoever invites gets the token): the
// account is unverified and is sent a link of its own, which verifies it;
// a person who already had an account is sent nothing.
func TestInvitedAccountVerifiesEmail(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	ws := h.signup("Invited Verify Tea")
	email := uniqueEmail("invited")
	inv := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: ws.OwnerToken,
		body: map[string]string{"email": email, "role": "agent"}})
	acc := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations/" + inv.str("token") + "/accept",
		body: map[string]string{"password": goodPassword, "name": "Mei"}})
	if v, ok := boolAt(acc, "user.email_verified"); !ok || v {
		t.Fatalf("a new invited account: user.email_verified = %v (present %v), want false: %s", v, ok, acc.Raw)
	}
	h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/verify-email/" + verifyToken(t, email)})
	if !emailVerified(t, email) {
		t.Fatal("the invited account's link did not verify its email")
	}
	other := h.signup("Invited Verify Tea Two")
	verifyToken(t, other.OwnerEmail) // the signup's own link
	// A link is made in the transaction that queues its mail: the links
	// the account has tell whether joining queued one, with no waiting
	// for a worker.
	links := func() int {
		return countOf(t, `SELECT count(*) FROM email_verifications WHERE user_id = ?`, other.OwnerID)
	}
	before := links()
	inv = h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: ws.OwnerToken,
		body: map[string]string{"email": other.OwnerEmail, "role": "agent"}})
	h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations/" + inv.str("token") + "/accept",
		body: map[string]string{"password": goodPassword}})
	if n := links() - before; n != 0 {
		t.Errorf("joining with an existing account made %d verification links", n)
	}
}

// TestResendVerificationRace: requests for a new link at the same moment
// send one link, the others a 429: each waits for the person's row and
// then sees the link the first made.
func TestResendVerificationRace(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Resend Race")
	if err := env.System.Exec(`UPDATE email_verifications SET created_at = created_at - interval '61 seconds' WHERE user_id = ?`, ws.OwnerID).Error; err != nil {
		t.Fatal(err)
	}
	const n = 8
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- h.do(call{method: "POST", path: "/v1/auth/verify-email", token: ws.OwnerToken}).Status
		}()
	}
	wg.Wait()
	close(statuses)
	sent := 0
	for s := range statuses {
		switch s {
		case http.StatusAccepted:
			sent++
		case http.StatusTooManyRequests:
		default:
			t.Errorf("status %d", s)
		}
	}
	if links := countOf(t, `SELECT count(*) FROM email_verifications WHERE user_id = ?`, ws.OwnerID); sent != 1 || links != 2 {
		t.Errorf("%d requests sent a link and %d links exist; want 1 and 2 (signing up made the first)", sent, links)
	}
}
