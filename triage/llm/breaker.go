package llm

import (
	"time"

	"github.com/sony/gobreaker/v2"
)

// completion is what one call to the provider returns.
type completion struct {
	content string
	usage   Usage
}

// newBreaker returns the provider's circuit breaker: it opens after max
// consecutive failures and refuses calls for openFor; then it lets one
// call through (half-open), which closes it on success or opens it again
// on failure.
func newBreaker(max int, openFor time.Duration) *gobreaker.CircuitBreaker[completion] {
	return gobreaker.NewCircuitBreaker[completion](gobreaker.Settings{
		Name:        "llm",
		MaxRequests: 1,
		Timeout:     openFor,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(max) },
	})
}

// circuitOpen reports whether the breaker refuses calls now: open, or
// half-open with its one probe under way.
func circuitOpen(b *gobreaker.CircuitBreaker[completion]) bool {
	switch b.State() {
	case gobreaker.StateOpen:
		return true
	case gobreaker.StateHalfOpen:
		return b.Counts().Requests >= 1
	}
	return false
}
