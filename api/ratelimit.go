package api

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"
)

// gcra is a leaky bucket (the generic cell rate algorithm) kept in one Redis
// key per bucket, using the Redis clock so that every API process agrees.
// It returns {allowed, remaining, retry_after_ms, reset_ms}.
var gcra = redis.NewScript(`
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local limit = interval * burst
local new_tat = tat + interval
if new_tat - limit > now then
  return {0, 0, math.ceil(new_tat - limit - now), math.ceil(tat - now)}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil(limit))
return {1, math.floor((limit - (new_tat - now)) / interval), 0, math.ceil(new_tat - now)}
`)

type rateLimiter struct {
	rdb      redis.UniversalClient
	log      *slog.Logger
	lastWarn atomic.Int64
}

func newRateLimiter(rdb redis.UniversalClient, log *slog.Logger) *rateLimiter {
	return &rateLimiter{rdb: rdb, log: log}
}

// allow takes one request from the bucket named key, sets the X-RateLimit-*
// headers and returns ETOOMANY (with Retry-After) when the bucket is full.
// With Redis unreachable it lets the request through: accepting customer
// messages matters more than limiting them.
func (r *rateLimiter) allow(c *fiber.Ctx, key string, rate float64, burst int) error {
	if r.rdb == nil || rate <= 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 200*time.Millisecond)
	defer cancel()
	interval := 1000 / rate
	res, err := gcra.Run(ctx, r.rdb, []string{"deskpool:rl:" + key}, interval, burst).Int64Slice()
	if err != nil || len(res) != 4 {
		if now := time.Now().Unix(); r.lastWarn.Swap(now) != now {
			r.log.Warn("rate limiter unavailable; allowing request", "err", err)
		}
		return nil
	}
	c.Set("X-RateLimit-Limit", strconv.Itoa(burst))
	c.Set("X-RateLimit-Remaining", strconv.FormatInt(res[1], 10))
	c.Set("X-RateLimit-Reset", strconv.FormatInt(ceilDiv(res[3], 1000), 10))
	if res[0] == 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.FormatInt(max(1, ceilDiv(res[2], 1000)), 10))
		return deskpool.Errorf(deskpool.ETOOMANY, "Rate limit reached (%d requests, refilled at %.4g per second); retry after the Retry-After header's seconds.", burst, rate)
	}
	return nil
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
