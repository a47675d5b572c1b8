package testenv

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/deskpool/deskpool/tenant"
)

// TB is the part of testing.TB that Listen uses.
type TB interface {
	Helper()
	Fatal(args ...any)
	Cleanup(func())
}

// Listen runs svc's change listener, connected to dsn, until the test
// ends, and returns once it is connected. Pass e.AppDSN to hear this
// database's notices, or e.DeafDSN() to hear none.
func Listen(t TB, svc *tenant.Service, dsn string) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.ListenForChanges(ctx, dsn, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	t.Cleanup(func() { stop(); <-done })
	for deadline := time.Now().Add(10 * time.Second); !svc.Listening(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the change listener did not connect")
		}
	}
}
