package sla

import (
	"time"

	"github.com/deskpool/deskpool/triage/knowledge"
	"github.com/google/uuid"
)

// The service metrics are defined here and only here: conversationFacts
// reads what each conversation contributes, partialColumns adds the facts
// of a group up into counts, sums and histograms (a daily rollup, or the
// live part of a report), totalColumns adds partial rows up, and
// measureRow.measures turns the totals into the figures; the dashboard,
// the API and the CSV export all read the result. Everything is added up
// in PostgreSQL, over the conversations of the workspace (the
// conversations_inbox index on tenant_id, created_at) with one-to-one
// joins on primary keys, or over rollup rows; no conversation is loaded
// into Go.

// conversationFacts is the select list of the per-conversation CTE, over
// conversations c, their CSAT answer r and quality review q.
const conversationFacts = `c.sla_policy_id, c.assignee_id, ` +
	// resolved: the conversation is resolved (or closed after it) now.
	`c.resolved_at IS NOT NULL AS resolved, ` +
	// frt, first response time: from the customer's first message (the
	// conversation's creation) to the first reply, by an agent or the AI.
	`extract(epoch FROM c.first_response_at - c.created_at)::float8 AS frt, ` +
	// rt, resolution time: from the first message to resolution.
	`extract(epoch FROM c.resolved_at - c.created_at)::float8 AS rt, ` +
	// ht, handle time: from the first reply to resolution, the time the
	// team held the conversation (there is no agent work log to sum).
	`extract(epoch FROM c.resolved_at - c.first_response_at)::float8 AS ht, ` +
	// fcr, first-contact resolution: resolved with one customer message and
	// one answer (message_count counts both ways, internal notes excluded);
	// a follow-up or a reopening adds messages and so is not first contact.
	`(c.resolved_at IS NOT NULL AND c.message_count <= 2) AS fcr, ` +
	// escalated: triaged to L4 (senior agent) or L5 (expert).
	`c.level IN ('L4', 'L5') AS escalated, ` +
	// handoffs: how many times the conversation moved between the bot and
	// people (a hand-over) or from one agent to another.
	`(SELECT count(*) FROM conversation_events e WHERE e.tenant_id = c.tenant_id AND e.conversation_id = c.id
		AND (e.kind = 'handed_over' OR (e.kind = 'assigned' AND e.data->>'from' IS NOT NULL))) AS handoffs, ` +
	// breached: at least one SLA deadline of the conversation was missed.
	`EXISTS (SELECT 1 FROM sla_breaches b WHERE b.tenant_id = c.tenant_id AND b.conversation_id = c.id) AS breached, ` +
	// human, human intervention: people stepped in (handed to a person, or
	// an agent wrote), as the knowledge scenarios' human share counts it.
	knowledge.SteppedIn + ` AS human, ` +
	// answered: the AI answered with a knowledge scenario. AI-resolved
	// (deflection) is answered and not human: knowledge.AIResolved, as the
	// deflection guard counts it, in two parts so neither runs twice.
	knowledge.AIAnswered + ` AS answered, ` +
	// csat: the customer's score (1-5); nps: their 0-10 answer.
	`r.score AS csat, r.nps, ` +
	// qa: the quality review's mean of accuracy, empathy and resolution,
	// kept as their sum (qa3) so that it adds up exactly.
	`(q.accuracy + q.empathy + q.resolution) AS qa3`

// conversationsFrom joins each conversation created in the live intervals
// (two arrays of instants: starts and ends) to its CSAT answer and quality
// review; the arguments are tenant, starts and ends. Proactive notices are
// the brand's own messages, not contacts: excluded.
const conversationsFrom = `FROM ` + liveConversations + `
	LEFT JOIN csat_responses r ON r.tenant_id = c.tenant_id AND r.conversation_id = c.id
	LEFT JOIN quality_reviews q ON q.tenant_id = c.tenant_id AND q.conversation_id = c.id
	WHERE NOT c.proactive`

// liveConversations is the conversations created in the live intervals
// (arguments: starts, ends, tenant), aliased c: one range scan of the
// conversations_inbox index per interval (OFFSET 0 keeps the planner from
// joining the intervals to a scan of every conversation).
const liveConversations = `unnest(?::timestamptz[], ?::timestamptz[]) w(lo, hi) CROSS JOIN LATERAL (
	SELECT * FROM conversations c WHERE c.tenant_id = ? AND c.created_at >= w.lo AND c.created_at < w.hi OFFSET 0) c`

// noKey is the zero uuid, which stands for "no policy" and "no assignee"
// in a rollup's key.
const noKey = `'00000000-0000-0000-0000-000000000000'::uuid`

// partialColumns add up the facts of a group of conversations into what
// a daily rollup holds (metric_days) and what the live part of a report
// adds to the rollups read: counts, sums and duration histograms
// (measures_hist.go), never a figure that cannot be added up.
var partialColumns = `COALESCE(sla_policy_id, ` + noKey + `) AS policy_key, COALESCE(assignee_id, ` + noKey + `) AS agent_key,
	count(*)::int AS conversations,
	count(*) FILTER (WHERE resolved)::int AS resolved,
	count(*) FILTER (WHERE breached)::int AS breached,
	count(*) FILTER (WHERE escalated)::int AS escalated,
	COALESCE(sum(handoffs), 0)::int AS handoffs,
	count(*) FILTER (WHERE fcr)::int AS fcr,
	count(*) FILTER (WHERE human)::int AS human,
	count(*) FILTER (WHERE answered AND NOT human)::int AS ai,
	count(frt)::int AS frt_count, COALESCE(sum(frt), 0) AS frt_sum, ` + histogramOf("frt") + ` AS frt_hist,
	count(rt)::int AS rt_count, COALESCE(sum(rt), 0) AS rt_sum, ` + histogramOf("rt") + ` AS rt_hist,
	count(ht)::int AS ht_count, COALESCE(sum(ht), 0) AS ht_sum, ` + histogramOf("ht") + ` AS ht_hist,
	count(csat)::int AS csat_count, COALESCE(sum(csat), 0)::int AS csat_sum,
	count(nps)::int AS nps_count, count(*) FILTER (WHERE nps >= 9)::int AS promoters, count(*) FILTER (WHERE nps <= 6)::int AS detractors,
	count(qa3)::int AS qa_count, COALESCE(sum(qa3), 0)::int AS qa_sum`

// partialNames are the columns of partialColumns after the keys.
const partialNames = `conversations, resolved, breached, escalated, handoffs, fcr, human, ai,
	frt_count, frt_sum, frt_hist, rt_count, rt_sum, rt_hist, ht_count, ht_sum, ht_hist,
	csat_count, csat_sum, nps_count, promoters, detractors, qa_count, qa_sum`

// totalColumns add up partial rows (rollups and live parts alike): the
// figures of measureRow.measures are computed from these sums only.
var totalColumns = `sum(conversations)::int AS conversations, sum(resolved)::int AS resolved,
	sum(breached)::int AS breached, sum(escalated)::int AS escalated, sum(handoffs)::int AS handoffs,
	sum(fcr)::int AS fcr, sum(human)::int AS human, sum(ai)::int AS ai,
	sum(frt_count)::int AS frt_count, sum(frt_sum)::float8 AS frt_sum, ` + histogramSum("frt_hist") + ` AS frt_hist,
	sum(rt_count)::int AS rt_count, sum(rt_sum)::float8 AS rt_sum, ` + histogramSum("rt_hist") + ` AS rt_hist,
	sum(ht_count)::int AS ht_count, sum(ht_sum)::float8 AS ht_sum, ` + histogramSum("ht_hist") + ` AS ht_hist,
	sum(csat_count)::int AS csat_count, sum(csat_sum)::int AS csat_sum,
	sum(nps_count)::int AS nps_count, sum(promoters)::int AS promoters, sum(detractors)::int AS detractors,
	sum(qa_count)::int AS qa_count, sum(qa_sum)::int AS qa_sum`

// Measures are the figures of a set of conversations. Rates are shares
// from 0 to 1 (0 when their denominator is 0).
type Measures struct {
	Conversations  int     `json:"conversations"`
	Resolved       int     `json:"resolved"`
	Breached       int     `json:"breached"`        // conversations with at least one SLA breach
	BreachRate     float64 `json:"breach_rate"`     // breached / conversations
	EscalationRate float64 `json:"escalation_rate"` // share escalated to L4 (senior) or L5 (expert)
	// HandoffsPerConversation is how many times, on average, conversations
	// moved between the bot and people or from one agent to another.
	HandoffsPerConversation float64   `json:"handoffs_per_conversation"`
	FirstResponse           Durations `json:"first_response"` // from the first message to the first reply
	Resolution              Durations `json:"resolution"`     // from the first message to resolution
	Handle                  Durations `json:"handle"`         // from the first reply to resolution
	// FirstContactResolved is how many were resolved with one message each
	// way; FCRRate is that share of the resolved ones.
	FirstContactResolved int     `json:"first_contact_resolved"`
	FCRRate              float64 `json:"fcr_rate"`
	// AIResolved is how many the AI resolved with no person stepping in;
	// AIResolvedRate (the deflection rate) is that share of all.
	AIResolved     int     `json:"ai_resolved"`
	AIResolvedRate float64 `json:"ai_resolved_rate"`
	// HumanIntervened is how many people stepped into; the rate is that
	// share of all.
	HumanIntervened       int         `json:"human_intervened"`
	HumanInterventionRate float64     `json:"human_intervention_rate"`
	CSAT                  CSATSummary `json:"csat"`
	NPS                   NPSSummary  `json:"nps"`
	QA                    QASummary   `json:"qa"`
}

// Durations summarise durations in seconds; nil when none were measured.
// The average is exact; p50 and p90 are estimated from a histogram of the
// durations (measures_hist.go), within a bucket's width (under 9%).
type Durations struct {
	Count   int      `json:"count"`
	P50     *float64 `json:"p50_seconds"`
	P90     *float64 `json:"p90_seconds"`
	Average *float64 `json:"average_seconds"`
}

// CSATSummary is the customers' ratings of the conversations.
type CSATSummary struct {
	Responses int      `json:"responses"`
	Average   *float64 `json:"average"`
}

// NPSSummary is the customers' 0-10 answers: Score is the net promoter
// score, the percentage of promoters (9-10) minus that of detractors (0-6),
// from -100 to 100; nil with no answer.
type NPSSummary struct {
	Responses  int      `json:"responses"`
	Promoters  int      `json:"promoters"`
	Detractors int      `json:"detractors"`
	Score      *float64 `json:"score"`
}

// QASummary is the quality reviews of the conversations: Average is the
// mean of each review's accuracy, empathy and resolution (1-5).
type QASummary struct {
	Reviews int      `json:"reviews"`
	Average *float64 `json:"average"`
}

// measureRow is one group of a metrics query: the totals of its partial
// rows.
type measureRow struct {
	PolicyGroup, AgentGroup, BucketGroup int
	PolicyKey, AgentKey                  *uuid.UUID
	Bucket                               *time.Time
	Conversations, Resolved              int
	Breached, Escalated, Handoffs        int
	Fcr, Human, Ai                       int
	FrtCount, RtCount, HtCount           int
	FrtSum, RtSum, HtSum                 float64
	FrtHist, RtHist, HtHist              string
	CsatCount, CsatSum                   int
	NpsCount, Promoters, Detractors      int
	QaCount, QaSum                       int
}

// measures computes the figures of the group from its totals.
func (r measureRow) measures() Measures {
	m := Measures{Conversations: r.Conversations, Resolved: r.Resolved, Breached: r.Breached,
		FirstResponse:        durations(r.FrtCount, r.FrtSum, r.FrtHist),
		Resolution:           durations(r.RtCount, r.RtSum, r.RtHist),
		Handle:               durations(r.HtCount, r.HtSum, r.HtHist),
		FirstContactResolved: r.Fcr, AIResolved: r.Ai, HumanIntervened: r.Human,
		CSAT: CSATSummary{Responses: r.CsatCount},
		NPS:  NPSSummary{Responses: r.NpsCount, Promoters: r.Promoters, Detractors: r.Detractors},
		QA:   QASummary{Reviews: r.QaCount}}
	share := func(n, of int) float64 {
		if of == 0 {
			return 0
		}
		return float64(n) / float64(of)
	}
	m.BreachRate = share(r.Breached, r.Conversations)
	m.EscalationRate = share(r.Escalated, r.Conversations)
	m.HandoffsPerConversation = share(r.Handoffs, r.Conversations)
	m.FCRRate = share(r.Fcr, r.Resolved)
	m.AIResolvedRate = share(r.Ai, r.Conversations)
	m.HumanInterventionRate = share(r.Human, r.Conversations)
	if r.CsatCount > 0 {
		avg := share(r.CsatSum, r.CsatCount)
		m.CSAT.Average = &avg
	}
	if r.QaCount > 0 {
		// The mean of each review's mean of its three scores.
		avg := share(r.QaSum, 3*r.QaCount)
		m.QA.Average = &avg
	}
	if r.NpsCount > 0 {
		nps := 100 * share(r.Promoters-r.Detractors, r.NpsCount)
		m.NPS.Score = &nps
	}
	return m
}

// durations summarises count durations of total sum seconds and the
// histogram hist: the average exactly, p50 and p90 from the histogram.
func durations(count int, sum float64, hist string) Durations {
	d := Durations{Count: count}
	if count == 0 {
		return d
	}
	avg := sum / float64(count)
	d.Average = &avg
	h := parseHistogram(hist)
	d.P50, d.P90 = h.percentile(0.5), h.percentile(0.9)
	return d
}

// measurePartial is the statement adding up the conversations created in
// the live intervals into partial rows by key (bucket), policy and
// assignee; key is an SQL expression over conversation c (keyArgs are
// its arguments). Arguments: keyArgs, starts, ends, tenant.
func measurePartial(key string) string {
	return `SELECT bucket, ` + partialColumns + ` FROM (SELECT ` + key + ` AS bucket, ` + conversationFacts + ` ` + conversationsFrom + `) f
		GROUP BY 1, 2, 3`
}

// intentPartial is the statement counting the conversations created in the
// live intervals by key and intent (untriaged ones left out): the top
// intents. Arguments: keyArgs, starts, ends, tenant.
func intentPartial(key string) string {
	return `SELECT ` + key + ` AS bucket, c.intent, count(*)::int AS conversations
		FROM ` + liveConversations + `
		WHERE NOT c.proactive AND c.intent <> '' GROUP BY 1, 2`
}

// scenarioPartial is the statement counting, by key and knowledge
// scenario, the conversations created in the live intervals that the AI
// answered with the scenario, and how many of them people stepped into
// (the scenario's human share). Arguments: keyArgs, starts, ends, tenant.
func scenarioPartial(key string) string {
	return `SELECT ` + key + ` AS bucket, a.scenario_id, count(*)::int AS conversations,
			count(*) FILTER (WHERE ` + knowledge.SteppedIn + `)::int AS human
		FROM ` + liveConversations + `
		JOIN knowledge_answers a ON a.tenant_id = c.tenant_id AND a.conversation_id = c.id
		WHERE NOT c.proactive GROUP BY 1, 2`
}
