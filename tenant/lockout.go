package tenant

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/lib/pq"
)

// Lockout limits password guessing. Every password check (login,
// invitation acceptance) goes through Service.checkPassword, which counts
// it against the email and the client address before it is made; once
// either has used up its failures in the window, every check for it is
// refused until the window ends, the right password too. The counts live
// in PostgreSQL (password_failures), so neither a Redis flush nor a
// restart forgets them.
type Lockout struct {
	EmailFailures int           // failed checks per email before it is locked
	IPFailures    int           // failed checks per client address before it is locked
	Window        time.Duration // how long failures count, from the first
}

// DefaultLockout is ten failures per email and a hundred per address in
// fifteen minutes.
func DefaultLockout() Lockout {
	return Lockout{EmailFailures: 10, IPFailures: 100, Window: 15 * time.Minute}
}

// LockedError refuses a password check while its email or address is
// locked. It unwraps to an ETOOMANY *deskpool.Error.
type LockedError struct {
	RetryAfter time.Duration // until the window that locked it ends
	err        *deskpool.Error
}

// Error implements the error interface.
func (e *LockedError) Error() string { return e.err.Error() }

// Unwrap returns the ETOOMANY error, for deskpool.ErrorCode.
func (e *LockedError) Unwrap() error { return e.err }

// RetryAfterSeconds is RetryAfter in whole seconds, at least 1.
func (e *LockedError) RetryAfterSeconds() string {
	return strconv.FormatInt(max(1, int64((e.RetryAfter+time.Second-1)/time.Second)), 10)
}

// checkPassword is the one path every password check takes. It counts the
// attempt against the email and the address first, in one statement of its
// own outside any transaction in ctx (a rolled-back request must not
// forget its failure, and parallel guesses cannot all slip in before the
// first is counted), refuses with *LockedError when either is over its
// limit, then runs verify. A success clears the email's failures and
// gives the address back its attempt; a failure stays counted.
//
// Unknown emails are counted and locked exactly like known ones, so that
// a lockout says nothing about whether an account exists; verify must then
// spend the same time as for a real account (CheckPassword on dummyHash).
//
// u is the account with the email (zero when none has it). When it signs
// in in two steps, the right password is only half a login: it clears
// nothing, so that it does not wipe the count of wrong codes (else
// logging in again would give ten more guesses each time); the right
// code does (proveSecondFactor).
func (s *Service) checkPassword(ctx context.Context, email string, u *User, verify func() bool) (bool, error) {
	return s.checkCredential(ctx, email, verify, !u.TwoFactorEnabled())
}

// checkCredential is the lockout under checkPassword and
// proveSecondFactor; without clear, a success leaves the failures
// counted.
func (s *Service) checkCredential(ctx context.Context, email string, verify func() bool, clear bool) (bool, error) {
	lo, now := s.Lockout, s.Now()
	ip := actorIP(ctx)
	subjects := []string{"email:" + email}
	if ip != "" {
		subjects = append(subjects, "ip:"+ip)
	}
	db := s.DB.WithContext(context.WithoutCancel(ctx))
	var rows []struct {
		Subject     string
		Failures    int
		WindowStart time.Time
	}
	err := db.Raw(`INSERT INTO password_failures AS f (subject, failures, window_start)
		SELECT subject, 1, @now FROM unnest(CAST(@subjects AS text[])) AS subject
		ON CONFLICT (subject) DO UPDATE SET
		  failures = CASE WHEN f.window_start <= @since THEN 1 ELSE f.failures + 1 END,
		  window_start = CASE WHEN f.window_start <= @since THEN @now ELSE f.window_start END
		RETURNING subject, failures, window_start`,
		map[string]any{"now": now, "since": now.Add(-lo.Window), "subjects": pq.StringArray(subjects)}).Scan(&rows).Error
	if err != nil {
		return false, fmt.Errorf("count password check: %w", err)
	}
	for _, r := range rows {
		limit, what := lo.EmailFailures, "this email"
		if r.Subject != subjects[0] {
			limit, what = lo.IPFailures, "this address"
		}
		if limit > 0 && r.Failures > limit {
			return false, &LockedError{RetryAfter: r.WindowStart.Add(lo.Window).Sub(now),
				err: deskpool.Errorf(deskpool.ETOOMANY, "Too many failed password attempts for %s; try again later.", what)}
		}
	}
	if !verify() {
		return false, nil
	} else if !clear {
		return true, nil
	}
	err = db.Exec(`WITH cleared AS (DELETE FROM password_failures WHERE subject = @email)
		UPDATE password_failures SET failures = failures - 1 WHERE subject = @ip AND failures > 0`,
		map[string]any{"email": subjects[0], "ip": "ip:" + ip}).Error
	if err != nil {
		return false, fmt.Errorf("clear password failures: %w", err)
	}
	return true, nil
}
