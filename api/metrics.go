package api

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

var rateLimitRefusals = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "deskpool_rate_limit_refusals_total",
	Help: "Requests refused with 429, by limiter (workspace, ip, shop_webhook, login).",
}, []string{"limiter"})

func init() { prometheus.MustRegister(rateLimitRefusals) }

// limiterLogin names the failed-login lockout among the limiters.
const limiterLogin = "login"

// limiterKind names the limiter of a bucket key by its prefix, never by the
// key itself (an IP or an id), so that the label stays a short list.
func limiterKind(key string) string {
	prefix, _, _ := strings.Cut(key, ":")
	switch prefix {
	case "t":
		return "workspace"
	case "ip":
		return "ip"
	case "hook":
		return "shop_webhook"
	}
	return "other"
}

// unmatchedRoute is the route label of a request no route matched, so that
// unknown paths never become label values.
const unmatchedRoute = "unmatched"
