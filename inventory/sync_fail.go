package inventory

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"gorm.io/gorm"
)

// throttledRetry is when a sync the shop kept throttling goes on.
const throttledRetry = 30 * time.Second

// failureBackoff is the wait before a failing connector is tried again:
// one minute doubling per failure, at most the connector's interval.
func failureBackoff(failures int, interval time.Duration) time.Duration {
	d := time.Minute << min(failures, 10)
	return min(d, max(interval, time.Minute))
}

// fail records why a run stopped and decides what follows, releasing the
// lease. Refused credentials stop the chain (status auth_failed) until the
// sync is asked for again; a shop still throttling after the client's own
// retries resumes shortly without counting as a failure; anything else
// marks the connector failing and retries with backoff, and a connector
// failing for FailureAlertAfter alerts the workspace's owners once. A
// connector disabled meanwhile only records the error.
func (s *Service) fail(ctx context.Context, st *walkState, cause error) error {
	msg := truncate(deskpool.ErrorMessage(cause), 500)
	if deskpool.ErrorCode(cause) == deskpool.EINTERNAL {
		msg = truncate(cause.Error(), 500)
	}
	s.log.Warn("connector sync failed", "connector_id", st.ID, "kind", st.Kind, "err", msg)
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		var status string
		if err := tx.Raw(`SELECT status FROM connectors WHERE tenant_id = ? AND id = ? FOR UPDATE`, tenantID, st.ID).Scan(&status).Error; err != nil {
			return err
		}
		if status == StatusDisabled { // disabled while the run worked: it stays so
			return tx.Exec(`UPDATE connectors SET lease_until = NULL, last_error = ?, last_error_at = now(), updated_at = now()
				WHERE tenant_id = ? AND id = ?`, msg, tenantID, st.ID).Error
		}
		switch deskpool.ErrorCode(cause) {
		case deskpool.EUNAUTHORIZED:
			res := tx.Exec(`UPDATE connectors SET status = 'auth_failed', lease_until = NULL, next_sync_at = NULL,
				last_error = ?, last_error_at = now(), updated_at = now() WHERE tenant_id = ? AND id = ?`,
				"The shop refused the connector's credentials: "+msg, tenantID, st.ID)
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			return helpdesk.Notify(ctx, tx, nil, "connector.auth_failed", "Shop connector needs new credentials",
				fmt.Sprintf("The shop refused the credentials of the connector %q. Syncing has stopped until they are replaced.", st.Name),
				map[string]any{"connector_id": st.ID})
		case deskpool.ETOOMANY:
			if err := tx.Exec(`UPDATE connectors SET status = 'active', lease_until = NULL, last_error = ?,
				last_error_at = now(), updated_at = now() WHERE tenant_id = ? AND id = ?`,
				"The shop is rate limiting; the sync resumes shortly.", tenantID, st.ID).Error; err != nil {
				return err
			}
			return s.scheduleSync(ctx, tx, st.ID, time.Now().Add(throttledRetry))
		}
		var alert bool
		err := tx.Raw(`UPDATE connectors SET status = 'error', lease_until = NULL, last_error = ?, last_error_at = now(),
			failures = failures + 1, failing_since = COALESCE(failing_since, now()), updated_at = now()
			WHERE tenant_id = ? AND id = ?
			RETURNING alerted_at IS NULL AND failing_since < now() - make_interval(secs => ?)`,
			msg, tenantID, st.ID, s.cfg.FailureAlertAfter.Seconds()).Scan(&alert).Error
		if err != nil {
			return err
		}
		if alert {
			if err := tx.Exec(`UPDATE connectors SET alerted_at = now() WHERE tenant_id = ? AND id = ?`, tenantID, st.ID).Error; err != nil {
				return err
			}
			if err := helpdesk.Notify(ctx, tx, nil, "connector.failing", "Shop connector failing",
				fmt.Sprintf("The connector %q has failed to sync for over %s. Last error: %s", st.Name,
					s.cfg.FailureAlertAfter, msg), map[string]any{"connector_id": st.ID}); err != nil {
				return err
			}
		}
		wait := failureBackoff(st.Failures, s.effectiveInterval(st))
		return s.scheduleSync(ctx, tx, st.ID, time.Now().Add(wait))
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
