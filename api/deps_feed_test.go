package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/getkin/kin-openapi/openapi3filter"
)

func init() {
	openapi3filter.RegisterBodyDecoder("text/event-stream", openapi3filter.PlainBodyDecoder)
	depHooks = append(depHooks, func(t *testing.T, d *api.Deps, _ *jobs.Outbox) {
		feed := helpdesk.NewInboxFeed(env.App, quietLog)
		d.Helpdesk.Observe(feed)
		d.Feed = feed
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); feed.Listen(ctx, env.AppDSN) }()
		t.Cleanup(func() { cancel(); <-done })
	})
}

// waitFeed waits until the feed of d hears announcements.
func waitFeed(t *testing.T, d api.Deps) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !d.Feed.Listening(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the inbox feed's listener did not connect")
		}
	}
}
