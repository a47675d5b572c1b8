package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"time"

	"github.com/google/uuid"
)

// benchInbox seeds one workspace with the given number of messages (ten
// per conversation) and measures the inbox queries an agent runs, one at a
// time, beside /healthz on the same server.
func benchInbox(ctx context.Context, out io.Writer, messages int) error {
	b, err := newKeyedBenchServer(ctx, "inbox", fixedTriager)
	if err != nil {
		return err
	}
	defer b.close()
	var tenantID uuid.UUID
	row := b.env.System.Raw(`SELECT id FROM tenants WHERE slug = 'bench'`).Row()
	if err := row.Scan(&tenantID); err != nil {
		return err
	}
	t0 := time.Now()
	convs := max(1, messages/10)
	seed := []string{
		`INSERT INTO customers (tenant_id, id, name, created_at)
			SELECT '%[1]s'::uuid, gen_random_uuid(), 'customer ' || g, now() - make_interval(secs => g) FROM generate_series(1, %[2]d) g`,
		`INSERT INTO conversations (tenant_id, id, customer_id, channel, last_channel, status, intent, urgency, priority, tags,
				created_at, updated_at, last_message_at, message_count, waiting_since)
			SELECT tenant_id, gen_random_uuid(), id, 'web', 'web',
				(ARRAY['open', 'pending', 'resolved', 'resolved', 'closed'])[1 + (hashtext(id::text) & 4)],
				(ARRAY['order_status', 'logistics_delay', 'refund', 'return', 'stock', 'complaint'])[1 + abs(hashtext(name)) %% 6],
				(ARRAY['high', 'medium', 'low'])[1 + abs(hashtext(name || 'u')) %% 3], 'normal', '{}',
				created_at, created_at, created_at, 10, created_at
			FROM customers WHERE tenant_id = '%[1]s'`,
		`INSERT INTO messages (tenant_id, id, conversation_id, direction, author_kind, channel, body, created_at)
			SELECT c.tenant_id, gen_random_uuid(), c.id, 'inbound', 'customer', 'web',
				'Where is my order? It was promised for last week and tracking has not moved. ' || g, c.created_at + make_interval(mins => g)
			FROM conversations c, generate_series(1, 10) g WHERE c.tenant_id = '%[1]s'`,
	}
	for _, q := range seed {
		// The ids are ours (a uuid and an int): formatting them in is safe.
		if err := b.env.System.Exec(fmt.Sprintf(q, tenantID, convs)).Error; err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	// Statistics as autovacuum would gather them.
	if err := analyze(ctx, b.env, "customers", "conversations", "messages"); err != nil {
		return err
	}
	var n int64
	b.env.System.Raw(`SELECT count(*) FROM messages WHERE tenant_id = ?`, tenantID).Scan(&n)
	fmt.Fprintf(out, "bench inbox: seeded %d messages in %d conversations in %v\n", n, convs, time.Since(t0).Round(time.Second))

	client := benchClient(1)
	get := func(path, token string) (time.Duration, string, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", b.base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", err
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, "", fmt.Errorf("%s: %d %s", path, resp.StatusCode, raw)
		}
		m := regexp.MustCompile(`"next_cursor":"([^"]+)"`).FindSubmatch(raw)
		next := ""
		if m != nil {
			next = string(m[1])
		}
		return time.Since(start), next, nil
	}
	_, cursor, err := get("/v1/conversations?limit=50", b.key)
	if err != nil {
		return err
	}
	queries := []struct{ name, path, token string }{
		{"GET /healthz (reference)", "/healthz", ""},
		{"newest 50", "/v1/conversations?limit=50", b.key},
		{"second page (cursor)", "/v1/conversations?limit=50&cursor=" + cursor, b.key},
		{"open and unassigned", "/v1/conversations?limit=50&status=open&assignee=none", b.key},
		{"open, pending: refund", "/v1/conversations?limit=50&status=open,pending&intent=refund", b.key},
		{"high urgency", "/v1/conversations?limit=50&urgency=high", b.key},
	}
	fmt.Fprintf(out, "%-28s %9s %9s %9s   (300 sequential requests each)\n", "query", "p50", "p99", "max")
	for _, q := range queries {
		var lat []time.Duration
		for i := 0; i < 300; i++ {
			d, _, err := get(q.path, q.token)
			if err != nil {
				return err
			}
			lat = append(lat, d)
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		fmt.Fprintf(out, "%-28s %9v %9v %9v\n", q.name, lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	}
	return nil
}
