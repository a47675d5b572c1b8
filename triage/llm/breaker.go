package llm

import (
	"sync"
	"time"
)

// breaker opens after max consecutive failures and refuses calls for
// openFor; then it lets one call through (half-open), which closes it on
// success or opens it again on failure.
type breaker struct {
	mu       sync.Mutex
	max      int
	openFor  time.Duration
	failures int
	openTill time.Time
	probing  bool
	now      func() time.Time
}

func newBreaker(max int, openFor time.Duration) *breaker {
	return &breaker{max: max, openFor: openFor, now: time.Now}
}

// allow reports whether a call may go out now.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < b.max {
		return true
	}
	if b.now().Before(b.openTill) || b.probing {
		return false
	}
	b.probing = true
	return true
}

// record notes the outcome of a call that allow let through.
func (b *breaker) record(ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probing = false
	if ok {
		b.failures = 0
		return
	}
	b.failures++
	if b.failures >= b.max {
		b.openTill = b.now().Add(b.openFor)
	}
}

// open reports whether the circuit refuses calls.
func (b *breaker) open() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failures >= b.max && (b.now().Before(b.openTill) || b.probing)
}
