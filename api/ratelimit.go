package api

import (
	"context"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"
)

// gcra is a leaky bucket (the generic cell rate algorithm) kept in one Redis
// key per bucket, using the Redis clock so that every API process agrees.
// It takes up to ARGV[3] requests' worth at once (a lease) after giving back
// ARGV[4] leased but unused, and returns {granted, remaining,
// retry_after_ms, reset_ms}.
var gcra = redis.NewScript(`
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local giveback = tonumber(ARGV[4])
local limit = interval * burst
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if giveback > 0 then tat = math.max(now, tat - giveback * interval) end
local avail = math.floor((now + limit - tat) / interval)
if avail < 1 then
  redis.call('SET', KEYS[1], tat, 'PX', math.ceil(limit))
  return {0, 0, math.ceil(tat + interval - limit - now), math.ceil(tat - now)}
end
local granted = math.min(want, avail)
tat = tat + granted * interval
redis.call('SET', KEYS[1], tat, 'PX', math.ceil(limit))
return {granted, avail - granted, 0, math.ceil(tat - now)}
`)

// Leases: a busy bucket takes several requests' worth from Redis at once
// and spends them in the process, so that its cost does not grow with its
// traffic. A lease is sized to about leaseWindow of the bucket's recent
// traffic here, at most a tenth of the bucket and maxLease; what is left
// when it ends is given back with the next call. A bucket with little
// traffic leases one request at a time, which is exact; requests queued
// behind a lease call count towards it at once.
const (
	leaseWindow = 50 * time.Millisecond
	leaseLife   = 250 * time.Millisecond
	maxLease    = 100
	idleBucket  = time.Minute
	redisRetry  = time.Second // after a failed call, Redis is not asked again for this long
)

type rateLimiter struct {
	rdb       redis.UniversalClient
	log       *slog.Logger
	lastWarn  atomic.Int64
	downUntil atomic.Int64 // unix nanoseconds: Redis failed; let requests through without asking until then

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

// bucket is this process's view of one Redis bucket.
type bucket struct {
	mu        sync.Mutex
	tokens    int       // leased and not yet spent
	expires   time.Time // when the lease ends
	remaining int64     // what Redis held after the lease, for headers
	resetAt   time.Time // when Redis's bucket is full again
	deniedTil time.Time // full: refuse here until then, without asking Redis
	window    time.Time // start of the current counting window
	count     int       // requests in the current window
	last      int       // requests in the previous window
	seen      time.Time
	waiting   atomic.Int32 // requests queued behind this one
}

func newRateLimiter(rdb redis.UniversalClient, log *slog.Logger) *rateLimiter {
	return &rateLimiter{rdb: rdb, log: log, buckets: make(map[string]*bucket)}
}

// allow takes one request from the bucket named key, sets the X-RateLimit-*
// headers and returns ETOOMANY (with Retry-After) when the bucket is full.
// With Redis unreachable it lets the request through, and lets requests
// through without asking for a second after each failure: accepting
// customer messages matters more than limiting them.
func (r *rateLimiter) allow(c *fiber.Ctx, key string, rate float64, burst int) error {
	if r.rdb == nil || rate <= 0 {
		return nil
	}
	now := time.Now()
	if r.redisDown(now) {
		return nil
	}
	b := r.bucket(key, now)
	b.waiting.Add(1)
	b.mu.Lock()
	b.waiting.Add(-1)
	defer b.mu.Unlock()
	b.seen = now
	switch age := now.Sub(b.window); {
	case age >= 4*leaseWindow: // quiet since: no recent traffic
		b.window, b.last, b.count = now, 0, 0
	case age >= 2*leaseWindow:
		b.window, b.last, b.count = now, b.count, 0
	}
	b.count++
	if now.Before(b.deniedTil) {
		return r.refuse(c, key, burst, rate, b.deniedTil.Sub(now), b.resetAt.Sub(now))
	}
	if b.tokens == 0 || !now.Before(b.expires) {
		if r.redisDown(time.Now()) { // failed while this request waited for the bucket
			return nil
		}
		demand := max(b.last, b.count)/2 + int(b.waiting.Load()) + 1
		want := min(demand, max(1, burst/10), maxLease)
		ctx, cancel := context.WithTimeout(c.UserContext(), 200*time.Millisecond)
		res, err := gcra.Run(ctx, r.rdb, []string{"deskpool:rl:" + key}, 1000/rate, burst, want, b.tokens).Int64Slice()
		cancel()
		b.tokens = 0
		if err != nil || len(res) != 4 {
			r.downUntil.Store(time.Now().Add(redisRetry).UnixNano())
			if sec := now.Unix(); r.lastWarn.Swap(sec) != sec {
				r.log.Warn("rate limiter unavailable; allowing request", "err", err)
			}
			return nil
		}
		b.resetAt = now.Add(time.Duration(res[3]) * time.Millisecond)
		if res[0] == 0 {
			b.deniedTil = now.Add(time.Duration(res[2]) * time.Millisecond)
			return r.refuse(c, key, burst, rate, b.deniedTil.Sub(now), b.resetAt.Sub(now))
		}
		b.tokens, b.remaining, b.expires = int(res[0]), res[1], now.Add(leaseLife)
	}
	b.tokens--
	setLimitHeaders(c, burst, b.remaining+int64(b.tokens), b.resetAt.Sub(now))
	return nil
}

// redisDown reports whether Redis failed within the last redisRetry, so
// that requests neither wait on it nor queue behind each other's timeouts.
func (r *rateLimiter) redisDown(now time.Time) bool {
	return now.UnixNano() < r.downUntil.Load()
}

func (r *rateLimiter) refuse(c *fiber.Ctx, key string, burst int, rate float64, retry, reset time.Duration) error {
	rateLimitRefusals.WithLabelValues(limiterKind(key)).Inc()
	setLimitHeaders(c, burst, 0, reset)
	c.Set(fiber.HeaderRetryAfter, strconv.FormatInt(max(1, ceilSeconds(retry)), 10))
	return deskpool.Errorf(deskpool.ETOOMANY, "Rate limit reached (%d requests, refilled at %.4g per second); retry after the Retry-After header's seconds.", burst, rate)
}

func setLimitHeaders(c *fiber.Ctx, burst int, remaining int64, reset time.Duration) {
	c.Set("X-RateLimit-Limit", strconv.Itoa(burst))
	c.Set("X-RateLimit-Remaining", strconv.FormatInt(remaining, 10))
	c.Set("X-RateLimit-Reset", strconv.FormatInt(max(0, ceilSeconds(reset)), 10))
}

// bucket returns the process's state for key, forgetting buckets idle for
// a minute (their leases have long ended and Redis has refilled them).
func (r *rateLimiter) bucket(key string, now time.Time) *bucket {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now.Sub(r.swept) > idleBucket {
		for k, b := range r.buckets {
			if b.mu.TryLock() {
				if now.Sub(b.seen) > idleBucket {
					delete(r.buckets, k)
				}
				b.mu.Unlock()
			}
		}
		r.swept = now
	}
	b := r.buckets[key]
	if b == nil {
		b = &bucket{window: now}
		r.buckets[key] = b
	}
	return b
}

func ceilSeconds(d time.Duration) int64 { return int64(math.Ceil(d.Seconds())) }
