// Package triage classifies inbound customer messages (Chinese, English and
// mixed text) into intent, urgency, sentiment and anger, and applies the
// service rules that decide the level (L1-L5) and who answers: the AI or a
// person. It needs no database and no network: the model is embedded.
package triage

//go:generate go run ./cmd/gencorpus -templates corpus -out corpus
//go:generate go run ./cmd/concepts -corpus corpus -training-data ../../shared/training-data -out concepts.txt.gz
//go:generate go run ./cmd/train -corpus corpus -training-data ../../shared/training-data -out model.bin

import (
	"bytes"
	_ "embed"
	"sync"
)

// Intents lists every intent label the classifier can return, in model order.
var Intents = []string{
	"order_status", "logistics_delay", "cancel_order", "change_order",
	"return", "refund", "exchange", "product_question", "stock",
	"payment", "invoice", "account", "promotion", "complaint",
	"quality_issue", "privacy_or_fund_safety", "human_request", "feedback", "other",
}

// Sentiments lists the sentiment labels, in model order.
var Sentiments = []string{"negative", "neutral", "positive"}

// Urgencies lists the urgency labels, in model order.
var Urgencies = []string{"high", "medium", "low"}

// Routes a result can carry: the AI, a front-line agent, a senior agent or an expert.
const (
	RouteAI     = "ai"
	RouteAgent  = "agent"
	RouteSenior = "senior"
	RouteExpert = "expert"
)

// Context holds optional facts the caller knows about the customer and the conversation.
type Context struct {
	VIP               bool   // manually flagged VIP
	Vulnerable        bool   // senior or accessibility needs: a person in one step
	PriorAIUnresolved int    // consecutive AI answers that did not resolve
	RepeatContacts    int    // contacts about the same issue before this one
	OrderOverdue      bool   // the linked order is paid, not shipped and past its promised ship time
	TrackingStalled   bool   // the linked order's tracking has had no news for too long
	SameOrderContacts int    // earlier contacts about the same order
	Segment           string // "high_value", "core", "mass", "high_frequency", "vip"
	HighFrequency     bool   // 3+ orders in the last 30 days (by default): at least medium urgency
}

// Facts holds structured facts pulled from the text so the customer never repeats them.
type Facts struct {
	OrderNumbers    []string `json:"order_numbers,omitempty"`
	TrackingNumbers []string `json:"tracking_numbers,omitempty"`
	HasPhone        bool     `json:"has_phone"`
	HasEmail        bool     `json:"has_email"`
	Summary         string   `json:"summary,omitempty"` // the problem in brief, phone and email masked
	// OrderNumber is the order the shop's data was read for, when the
	// caller looked it up (POST /v1/triage); OrderNumberUnknown says the
	// shop knows no order by that number.
	OrderNumber        string `json:"order_number,omitempty"`
	OrderNumberUnknown bool   `json:"order_number_unknown,omitempty"`
}

// Result is the triage of one message.
type Result struct {
	Intent         string   `json:"intent"`
	Urgency        string   `json:"urgency"`   // high|medium|low
	Sentiment      string   `json:"sentiment"` // negative|neutral|positive
	Anger          bool     `json:"anger"`
	Language       string   `json:"language"` // zh|en (mixed -> dominant)
	Level          string   `json:"level"`    // L1..L5
	Route          string   `json:"route"`    // ai|agent|senior|expert
	Confidence     float64  `json:"confidence"`
	Reasons        []string `json:"reasons"`
	Facts          Facts    `json:"facts"`
	SuggestedReply string   `json:"suggested_reply,omitempty"`
	Truncated      bool     `json:"truncated,omitempty"`
}

// sentimentMinProb is the probability below which a polar sentiment is
// reported neutral; angerSureProb is the probability of anger at or above
// which an angry message is negative whatever the sentiment head says.
const (
	sentimentMinProb = 0.4
	angerSureProb    = 0.85
)

// AbstainBelow is the intent confidence (calibrated on held-out text, so
// about the chance the intent is right) below which the classifier does not
// guess: the intent is "other", the reasons name the guess, and a person answers.
const AbstainBelow = 0.4

// Classifier is a loaded triage model; it is immutable and safe for concurrent use.
type Classifier struct {
	m *model
}

//go:embed model.bin
var embeddedModel []byte

var (
	defaultOnce sync.Once
	defaultC    *Classifier
	defaultErr  error
)

// Default returns the built-in classifier, decoding the embedded model once.
func Default() *Classifier {
	defaultOnce.Do(func() {
		defaultC, defaultErr = Load(bytes.NewReader(embeddedModel))
		if defaultErr != nil {
			// A broken build still answers: every message goes to a person.
			defaultC = &Classifier{m: emptyModel()}
		}
	})
	return defaultC
}

// DefaultErr reports why the embedded model failed to load, or nil.
func DefaultErr() error {
	Default()
	return defaultErr
}

// Version names the model the classifier was loaded from.
func (c *Classifier) Version() string {
	return c.m.version
}

// Classify triages one message; it never panics and accepts any input.
func (c *Classifier) Classify(text string, ctx Context) Result {
	return c.classify(text, ctx, Options{})
}

// ClassifyWith triages one message like Classify, with learned adjustments
// added to the model's scores, or with the intent given by another
// classifier; the service rules run after either, unchanged.
func (c *Classifier) ClassifyWith(text string, ctx Context, opt Options) Result {
	return c.classify(text, ctx, opt)
}

func (c *Classifier) classify(text string, ctx Context, opt Options) Result {
	in := prepare(text)
	r := Result{Language: in.lang, Truncated: in.truncated}
	if in.truncated {
		r.Reasons = append(r.Reasons, "input:truncated")
	}
	if in.sanitized {
		r.Reasons = append(r.Reasons, "input:sanitized")
	}
	r.Facts = extractFacts(in.clean)
	var s signals
	if in.empty {
		r.Intent, r.Sentiment, r.Urgency = "other", "neutral", "low"
		r.Confidence = 0
		r.Reasons = append(r.Reasons, "input:empty")
		s = signals{intent: "other"}
	} else {
		p := c.m.predict(in.norm, in.shout, in.lang == "zh", opt.Adjust)
		r.Intent, r.Confidence = Intents[p.intent], p.intentProb
		abstain := false
		if opt.overrides(r.Intent) {
			r.Intent, r.Confidence = opt.Intent, opt.IntentConfidence
			r.Reasons = append(r.Reasons, "override:intent:"+opt.Intent)
		} else if r.Confidence < AbstainBelow && len(opt.Adjust) == 0 {
			r.Reasons = append(r.Reasons, "model:abstain:"+r.Intent)
			r.Intent, abstain = "other", true
		}
		r.Sentiment, r.Urgency = Sentiments[p.sentiment], Urgencies[p.urgency]
		if p.sentProb < sentimentMinProb {
			r.Sentiment = "neutral" // weak evidence either way
		}
		r.Anger = p.anger
		if r.Anger && p.angerProb >= angerSureProb {
			r.Sentiment = "negative"
		}
		s = detectSignals(in.norm, r)
		s.abstain = abstain
		if p.known == 0 {
			r.Reasons = append(r.Reasons, "model:no_known_features")
		}
	}
	s.ctx = ctx
	d := decide(s)
	r.Level, r.Route, r.Reasons = d.level, d.route, append(r.Reasons, d.reasons...)
	if d.urgencyHigh {
		r.Urgency = "high"
	} else if d.urgencyMedium && r.Urgency == "low" {
		r.Urgency = "medium"
	}
	if d.soothe {
		r.SuggestedReply = soothingReply(r.Language, r.Intent, d.replyTopic)
	}
	if !in.empty && (len(opt.Adjust) > 0 || opt.Intent != "") {
		keepHandOver(&r, c.classify(text, ctx, Options{}))
	}
	return r
}

// keepHandOver makes sure that learning and other classifiers never lower
// what the built-in model alone decided: a higher level or a hand-over to a
// person stays, with its urgency and soothing reply.
func keepHandOver(r *Result, base Result) {
	if base.Level <= r.Level && (base.Route == RouteAI || r.Route != RouteAI) {
		return
	}
	r.Level, r.Route = base.Level, base.Route
	if base.Urgency == "high" {
		r.Urgency = "high"
	}
	if r.SuggestedReply == "" {
		r.SuggestedReply = base.SuggestedReply
	}
	r.Reasons = append(r.Reasons, "guard:kept_built_in_hand_over")
}
