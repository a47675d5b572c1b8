package helpdesk

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	webhookDeliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "deskpool_webhook_deliveries_total",
		Help: "Webhook delivery attempts, by outcome (succeeded; retrying: failed, sent again later; failed: failed for good).",
	}, []string{"outcome"})
	webhookDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "deskpool_webhook_delivery_duration_seconds",
		Help:    "How long a webhook receiver took to answer, by outcome.",
		Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"outcome"})
	triageDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "deskpool_triage_duration_seconds",
		Help:    "How long the triage of an inbound customer message took.",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
	})
	ruleChanges = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "deskpool_conversation_rule_changes_total",
		Help: "Conversations a workspace's conversation rule resolved or closed, by rule.",
	}, []string{"rule"})
)

func init() { prometheus.MustRegister(webhookDeliveries, webhookDuration, triageDuration, ruleChanges) }

// deliveryOutcome names what became of a delivery attempt.
func deliveryOutcome(att attempt, final bool) string {
	switch {
	case att.ok():
		return "succeeded"
	case final:
		return "failed"
	}
	return "retrying"
}

// timedTriager times every triage.
type timedTriager struct{ next Triager }

func (t timedTriager) Triage(ctx context.Context, in TriageInput) Triage {
	start := time.Now()
	tr := t.next.Triage(ctx, in)
	triageDuration.Observe(time.Since(start).Seconds())
	return tr
}
