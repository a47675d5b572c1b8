package sla

import (
	"time"

	"github.com/deskpool/deskpool/triage/knowledge"
	"github.com/google/uuid"
)

// The service metrics are defined here and only here: conversationFacts
// reads what each conversation of the period contributes, measureColumns
// aggregates them, and the dashboard, the API and the CSV export all read
// the result. Everything is computed in PostgreSQL over the conversations
// of the workspace in the period (the conversations_inbox index on
// tenant_id, created_at) and one-to-one joins on primary keys; no row is
// loaded into Go.

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
	// qa: the quality review's mean of accuracy, empathy and resolution.
	`(q.accuracy + q.empathy + q.resolution) / 3.0 AS qa`

// conversationsFrom joins each conversation of the period to its CSAT
// answer and quality review; the arguments are tenant, from and to.
// Proactive notices are the brand's own messages, not contacts: excluded.
const conversationsFrom = `FROM conversations c
	LEFT JOIN csat_responses r ON r.tenant_id = c.tenant_id AND r.conversation_id = c.id
	LEFT JOIN quality_reviews q ON q.tenant_id = c.tenant_id AND q.conversation_id = c.id
	WHERE c.tenant_id = ? AND c.created_at >= ? AND c.created_at < ? AND NOT c.proactive`

// measureColumns aggregate the facts of a group of conversations.
const measureColumns = `count(*) AS conversations,
	count(*) FILTER (WHERE resolved) AS resolved,
	count(*) FILTER (WHERE breached) AS breached,
	count(*) FILTER (WHERE escalated) AS escalated,
	COALESCE(sum(handoffs), 0) AS handoffs,
	count(*) FILTER (WHERE fcr) AS fcr,
	count(*) FILTER (WHERE human) AS human,
	count(*) FILTER (WHERE answered AND NOT human) AS ai,
	count(frt) AS frt_count, percentile_cont(0.5) WITHIN GROUP (ORDER BY frt) AS frt_p50,
	percentile_cont(0.9) WITHIN GROUP (ORDER BY frt) AS frt_p90, avg(frt) AS frt_avg,
	count(rt) AS rt_count, percentile_cont(0.5) WITHIN GROUP (ORDER BY rt) AS rt_p50,
	percentile_cont(0.9) WITHIN GROUP (ORDER BY rt) AS rt_p90, avg(rt) AS rt_avg,
	count(ht) AS ht_count, percentile_cont(0.5) WITHIN GROUP (ORDER BY ht) AS ht_p50,
	percentile_cont(0.9) WITHIN GROUP (ORDER BY ht) AS ht_p90, avg(ht) AS ht_avg,
	count(csat) AS csat_count, avg(csat)::float8 AS csat_avg,
	count(nps) AS nps_count, count(*) FILTER (WHERE nps >= 9) AS promoters, count(*) FILTER (WHERE nps <= 6) AS detractors,
	count(qa) AS qa_count, avg(qa)::float8 AS qa_avg`

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

// measureRow is one group of a metrics query.
type measureRow struct {
	PolicyGroup, AgentGroup, BucketGroup int
	PolicyID, AssigneeID                 *uuid.UUID
	Bucket                               *time.Time
	Conversations, Resolved              int
	Breached, Escalated, Handoffs        int
	Fcr, Human, Ai                       int
	FrtCount, RtCount, HtCount           int
	FrtP50, FrtP90, FrtAvg               *float64
	RtP50, RtP90, RtAvg                  *float64
	HtP50, HtP90, HtAvg                  *float64
	CsatCount, NpsCount, QaCount         int
	CsatAvg, QaAvg                       *float64
	Promoters, Detractors                int
}

func (r measureRow) measures() Measures {
	m := Measures{Conversations: r.Conversations, Resolved: r.Resolved, Breached: r.Breached,
		FirstResponse:        Durations{Count: r.FrtCount, P50: r.FrtP50, P90: r.FrtP90, Average: r.FrtAvg},
		Resolution:           Durations{Count: r.RtCount, P50: r.RtP50, P90: r.RtP90, Average: r.RtAvg},
		Handle:               Durations{Count: r.HtCount, P50: r.HtP50, P90: r.HtP90, Average: r.HtAvg},
		FirstContactResolved: r.Fcr, AIResolved: r.Ai, HumanIntervened: r.Human,
		CSAT: CSATSummary{Responses: r.CsatCount, Average: r.CsatAvg},
		NPS:  NPSSummary{Responses: r.NpsCount, Promoters: r.Promoters, Detractors: r.Detractors},
		QA:   QASummary{Reviews: r.QaCount, Average: r.QaAvg}}
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
	if r.NpsCount > 0 {
		nps := 100 * share(r.Promoters-r.Detractors, r.NpsCount)
		m.NPS.Score = &nps
	}
	return m
}
