package triage

// signals are the facts the service rules decide on.
type signals struct {
	intent     string
	sentiment  string
	anger      bool
	harm       bool // injury, allergy, burn, poisoning...
	injury     bool // words that say harm happened: swollen, burned, went to hospital
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
	// urgencyMedium raises a low urgency to medium (a frequent buyer).
	urgencyMedium bool
	soothe        bool   // suggest a soothing reply to the agent
	replyTopic    string // the reply topic when a rule, not the intent, decides it
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

// decide applies the service rules: human-only topics, hand-over, the facts
// the platform holds, customer value, routing and urgency, in that order.
func decide(s signals) decision {
	p := plan{s: s, d: decision{reasons: []string{"model:intent:" + s.intent}}, level: max(baseLevel[s.intent], 1)}
	p.humanOnlyTopics()
	p.handOvers()
	p.orderFacts()
	p.customerValue()
	p.route()
	p.urgency()
	return p.d
}

// plan is a decision being made: the level so far and whether a person answers.
type plan struct {
	s      signals
	d      decision
	level  int
	person bool
}

func (p *plan) raise(to int, reason string) {
	p.level = max(p.level, to)
	p.d.reasons = append(p.d.reasons, reason)
}

func (p *plan) handOver(reason string) {
	p.person = true
	p.d.reasons = append(p.d.reasons, reason)
}

func (p *plan) high(reason string) {
	p.d.urgencyHigh = true
	p.d.reasons = append(p.d.reasons, reason)
}

// humanOnlyTopics raises fund safety, harm, legal threats, quality issues,
// complaints and anger to the people who must handle them.
func (p *plan) humanOnlyTopics() {
	s := p.s
	if s.intent == "privacy_or_fund_safety" || s.fundSafety {
		p.raise(5, "rule:human_only:privacy_or_fund_safety")
	}
	if s.injury || s.harm && (harmIntents[s.intent] || s.sentiment == "negative") {
		p.raise(5, "rule:human_only:harm")
		p.d.soothe, p.d.replyTopic = true, "quality"
	}
	if s.legal {
		p.raise(5, "rule:human_only:legal")
		p.d.soothe = true
		if p.d.replyTopic == "" {
			p.d.replyTopic = "service"
		}
	}
	if s.intent == "quality_issue" {
		p.raise(4, "rule:human_only:quality_issue")
	}
	if s.intent == "complaint" {
		p.raise(4, "rule:handover:complaint")
		p.d.soothe = true
	}
	if s.anger {
		p.raise(4, "rule:handover:anger")
		p.d.soothe = true
	}
}

// handOvers gives the conversation to a person when the customer asks, the
// classifier cannot tell, the AI failed three times or the customer is vulnerable.
func (p *plan) handOvers() {
	s := p.s
	if s.intent == "human_request" || s.humanAsk {
		p.handOver("rule:handover:human_request")
	}
	if s.abstain {
		p.handOver("rule:handover:low_confidence")
	}
	if s.ctx.PriorAIUnresolved >= 3 {
		p.handOver("rule:handover:ai_unresolved")
	}
	if s.ctx.Vulnerable {
		p.handOver("rule:handover:vulnerable")
	}
}

// orderFacts hands over, with high urgency, what the linked order says a
// person must handle: overdue and not shipped, tracking stalled, or the
// customer writing again about the same order. The reason names the fact.
func (p *plan) orderFacts() {
	c := p.s.ctx
	if c.OrderOverdue {
		p.handOver("fact:order_overdue_unshipped")
	}
	if c.TrackingStalled {
		p.handOver("fact:tracking_stalled")
		p.high("rule:urgency:tracking_stalled")
	}
	if c.SameOrderContacts >= 1 {
		p.handOver("fact:second_contact_same_order")
		p.high("rule:urgency:second_contact_same_order")
	}
}

// OrderFactReasons returns the reasons the facts of a linked order (in c:
// OrderOverdue, TrackingStalled, SameOrderContacts) give to hand a
// conversation to a person with high urgency, each naming its fact; none when
// the order needs no person.
func OrderFactReasons(c Context) []string {
	p := plan{s: signals{ctx: c}}
	p.orderFacts()
	return p.d.reasons
}

// customerValue gives VIP and high-value customers a person, in the senior lane.
func (p *plan) customerValue() {
	c := p.s.ctx
	switch {
	case c.VIP || c.Segment == "vip":
		p.handOver("fact:vip_customer")
	case c.Segment == "high_value":
		p.handOver("fact:high_value_customer")
	default:
		return
	}
	if p.level < 4 {
		p.raise(4, "rule:route:vip_lane")
	}
}

// route picks who answers from the level and the hand-over.
func (p *plan) route() {
	switch {
	case p.level >= 5:
		p.d.route = RouteExpert
	case p.level == 4:
		p.d.route = RouteSenior
	case p.person:
		p.d.route = RouteAgent
	default:
		p.d.route = RouteAI
	}
	p.d.level = "L" + string(rune('0'+p.level))
}

// urgency raises urgency for overdue orders, after-sales complaints, anger,
// crises, valued customers and repeated contacts, and a frequent buyer's
// low urgency to medium. An order the platform has seen overdue gives
// rule:urgency:order_overdue; a customer who only says the order is late
// gives rule:urgency:customer_says_overdue, as urgent but claiming no fact.
func (p *plan) urgency() {
	s := p.s
	switch {
	case s.ctx.OrderOverdue:
		p.high("rule:urgency:order_overdue")
	case s.overdue:
		p.high("rule:urgency:customer_says_overdue")
	}
	if s.intent == "complaint" || s.intent == "quality_issue" || afterSales[s.intent] && s.anger {
		p.high("rule:urgency:after_sales_complaint")
	} else if s.anger {
		p.high("rule:urgency:anger")
	}
	if p.level >= 5 {
		p.high("rule:urgency:crisis")
	}
	if s.ctx.VIP || s.ctx.Segment == "vip" || s.ctx.Segment == "high_value" {
		p.high("rule:urgency:vip")
	}
	if s.ctx.RepeatContacts >= 2 {
		p.high("rule:urgency:repeat_contact")
	}
	if s.ctx.HighFrequency || s.ctx.Segment == "high_frequency" {
		p.d.urgencyMedium = true
		p.d.reasons = append(p.d.reasons, "rule:urgency:high_frequency")
	}
}
