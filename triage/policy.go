package triage

// signals are the facts the service rules decide on.
type signals struct {
	intent     string
	sentiment  string
	anger      bool
	harm       bool // injury, allergy, burn, poisoning...
	legal      bool // lawyer, court, consumer association...
	fundSafety bool // fraud, stolen card, privacy leak...
	overdue    bool // the text says the order is late and not shipped
	humanAsk   bool // the text asks for a person
	abstain    bool // the intent confidence is too low to guess
	ctx        Context
}

// decision is what the rules make of the signals.
type decision struct {
	level       string
	route       string
	reasons     []string
	urgencyHigh bool
	soothe      bool   // suggest a soothing reply to the agent
	replyTopic  string // the reply topic when a rule, not the intent, decides it
}

// baseLevel is the level of each intent before any rule: L1 facts, L2 simple
// actions, L3 after-sales policy, L4 people, L5 crisis.
var baseLevel = map[string]int{
	"order_status": 1, "stock": 1, "product_question": 1, "promotion": 1, "invoice": 1,
	"feedback": 1, "other": 1,
	"logistics_delay": 2, "cancel_order": 2, "change_order": 2, "account": 2, "payment": 2,
	"return": 3, "refund": 3, "exchange": 3, "human_request": 3,
	"complaint": 4, "quality_issue": 4,
	"privacy_or_fund_safety": 5,
}

// harmIntents are the intents under which harm words mean a harmed customer
// rather than a question about, say, allergy-friendly products.
var harmIntents = map[string]bool{
	"quality_issue": true, "complaint": true, "return": true, "refund": true, "exchange": true,
	"feedback": true, "other": true, "human_request": true,
}

// afterSales are the intents whose angry messages count as after-sales complaints.
var afterSales = map[string]bool{"return": true, "refund": true, "exchange": true, "quality_issue": true}

// decide applies the service rules: human-only topics, hand-over, urgency and routing.
func decide(s signals) decision {
	d := decision{reasons: []string{"model:intent:" + s.intent}}
	level := baseLevel[s.intent]
	if level == 0 {
		level = 1
	}
	person := false
	raise := func(to int, reason string) {
		level = max(level, to)
		d.reasons = append(d.reasons, reason)
	}
	handOver := func(reason string) {
		person = true
		d.reasons = append(d.reasons, reason)
	}
	if s.intent == "privacy_or_fund_safety" || s.fundSafety {
		raise(5, "rule:human_only:privacy_or_fund_safety")
	}
	if s.harm && (harmIntents[s.intent] || s.sentiment == "negative") {
		raise(5, "rule:human_only:harm")
		d.soothe, d.replyTopic = true, "quality"
	}
	if s.legal {
		raise(5, "rule:human_only:legal")
		d.soothe = true
		if d.replyTopic == "" {
			d.replyTopic = "service"
		}
	}
	if s.intent == "quality_issue" {
		raise(4, "rule:human_only:quality_issue")
	}
	if s.intent == "complaint" {
		raise(4, "rule:handover:complaint")
		d.soothe = true
	}
	if s.anger {
		raise(4, "rule:handover:anger")
		d.soothe = true
	}
	if s.intent == "human_request" || s.humanAsk {
		handOver("rule:handover:human_request")
	}
	if s.abstain {
		handOver("rule:handover:low_confidence")
	}
	if s.ctx.PriorAIUnresolved >= 3 {
		handOver("rule:handover:ai_unresolved")
	}
	if s.ctx.Vulnerable {
		handOver("rule:handover:vulnerable")
	}
	vip := s.ctx.VIP || s.ctx.Segment == "vip" || s.ctx.Segment == "high_value"
	if vip && person && level < 4 {
		raise(4, "rule:route:vip_lane")
	}
	switch {
	case level >= 5:
		d.route = RouteExpert
	case level == 4:
		d.route = RouteSenior
	case person:
		d.route = RouteAgent
	default:
		d.route = RouteAI
	}
	d.level = "L" + string(rune('0'+level))

	high := func(reason string) {
		d.urgencyHigh = true
		d.reasons = append(d.reasons, reason)
	}
	if s.overdue || s.ctx.OrderOverdue {
		high("rule:urgency:order_overdue")
	}
	if s.intent == "complaint" || s.intent == "quality_issue" || afterSales[s.intent] && s.anger {
		high("rule:urgency:after_sales_complaint")
	} else if s.anger {
		high("rule:urgency:anger")
	}
	if level >= 5 {
		high("rule:urgency:crisis")
	}
	if vip {
		high("rule:urgency:vip")
	}
	if s.ctx.RepeatContacts >= 2 {
		high("rule:urgency:repeat_contact")
	}
	return d
}
