package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listener is a connection of its own that listens on one PostgreSQL
// notification channel.
type Listener struct {
	conn *pgx.Conn
}

// Listen connects to dsn, naming the connection applicationName, and
// listens on channel.
func Listen(ctx context.Context, dsn, applicationName, channel string) (*Listener, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["application_name"] = applicationName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	return &Listener{conn: conn}, nil
}

// Next waits up to check for a notice and returns its payload (heard
// true). When none came, it checks within ping that the connection is
// still alive: heard is false and err nil when it is. Any error means the
// connection is lost (or ctx ended).
func (l *Listener) Next(ctx context.Context, check, ping time.Duration) (payload string, heard bool, err error) {
	wait, cancel := context.WithTimeout(ctx, check)
	n, err := l.conn.WaitForNotification(wait)
	cancel()
	switch {
	case err == nil:
		return n.Payload, true, nil
	case ctx.Err() != nil:
		return "", false, ctx.Err()
	case errors.Is(err, context.DeadlineExceeded) && !l.conn.IsClosed():
		alive, cancel := context.WithTimeout(ctx, ping)
		defer cancel()
		return "", false, l.conn.Ping(alive)
	}
	return "", false, err
}

// Close closes the listener's connection.
func (l *Listener) Close() { l.conn.Close(context.Background()) }
