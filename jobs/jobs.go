// Package jobs runs deferred work on asynq: the client, the worker server
// and scheduler, their middleware, and the transactional outbox with its
// relay and reconciler. Domain packages register their own task handlers.
package jobs

import (
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Queues, by priority: SLA timers run first, reports last.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// QueuePriorities weights the queues for the worker server.
var QueuePriorities = map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1}

// RedisConfig says how to reach Redis: one server, or a Redis Cluster when
// ClusterAddrs is set.
type RedisConfig struct {
	Addr         string
	DB           int
	Password     string
	ClusterAddrs []string
}

// ConnOpt returns asynq's connection option, with short timeouts so that a
// Redis outage fails fast instead of holding requests.
func (c RedisConfig) ConnOpt() asynq.RedisConnOpt {
	if len(c.ClusterAddrs) > 0 {
		return asynq.RedisClusterClientOpt{Addrs: c.ClusterAddrs, Password: c.Password,
			DialTimeout: 500 * time.Millisecond, ReadTimeout: time.Second, WriteTimeout: time.Second}
	}
	return asynq.RedisClientOpt{Addr: c.Addr, DB: c.DB, Password: c.Password,
		DialTimeout: 500 * time.Millisecond, ReadTimeout: time.Second, WriteTimeout: time.Second}
}

// Client returns a go-redis client on the same Redis, for rate limits and
// other small state.
func (c RedisConfig) Client() redis.UniversalClient {
	return redis.NewUniversalClient(&redis.UniversalOptions{Addrs: c.addrs(), DB: c.DB, Password: c.Password,
		DialTimeout: 500 * time.Millisecond, ReadTimeout: time.Second, WriteTimeout: time.Second,
		ContextTimeoutEnabled: true}) // a caller's deadline (the rate limiter's 200 ms) bounds the call

}

func (c RedisConfig) addrs() []string {
	if len(c.ClusterAddrs) > 0 {
		return c.ClusterAddrs
	}
	return []string{c.Addr}
}
