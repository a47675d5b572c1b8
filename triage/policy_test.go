package triage

import (
	"slices"
	"testing"
)

func TestDecide(t *testing.T) {
	tests := []struct {
		name       string
		s          signals
		level      string
		route      string
		high       bool
		soothe     bool
		wantReason string
	}{
		{"FactQuestionStaysWithAI", signals{intent: "order_status"}, "L1", RouteAI, false, false, "model:intent:order_status"},
		{"SimpleActionIsL2", signals{intent: "change_order"}, "L2", RouteAI, false, false, ""},
		{"AfterSalesPolicyIsL3", signals{intent: "return"}, "L3", RouteAI, false, false, ""},
		{"FundSafetyIsCrisis", signals{intent: "privacy_or_fund_safety"}, "L5", RouteExpert, true, false, "rule:human_only:privacy_or_fund_safety"},
		{"FundSafetyWordsOverrideIntent", signals{intent: "payment", fundSafety: true}, "L5", RouteExpert, true, false, "rule:human_only:privacy_or_fund_safety"},
		{"QualityIssueGoesToPerson", signals{intent: "quality_issue"}, "L4", RouteSenior, true, false, "rule:human_only:quality_issue"},
		{"QualityHarmIsCrisis", signals{intent: "quality_issue", harm: true}, "L5", RouteExpert, true, true, "rule:human_only:harm"},
		{"HarmWordInCalmProductQuestionStaysL1", signals{intent: "product_question", harm: true, sentiment: "neutral"}, "L1", RouteAI, false, false, ""},
		{"InjuryIsCrisisWhateverTheModelReads", signals{intent: "product_question", harm: true, injury: true, sentiment: "positive"}, "L5", RouteExpert, true, true, "rule:human_only:harm"},
		{"HarmWordInNegativeProductQuestionIsCrisis", signals{intent: "product_question", harm: true, sentiment: "negative"}, "L5", RouteExpert, true, true, "rule:human_only:harm"},
		{"LegalThreatIsCrisis", signals{intent: "refund", legal: true}, "L5", RouteExpert, true, true, "rule:human_only:legal"},
		{"AngerGoesToSeniorWithReply", signals{intent: "logistics_delay", anger: true}, "L4", RouteSenior, true, true, "rule:handover:anger"},
		{"AngryRefundIsAfterSalesComplaint", signals{intent: "refund", anger: true}, "L4", RouteSenior, true, true, "rule:urgency:after_sales_complaint"},
		{"ComplaintIsStrongDissatisfaction", signals{intent: "complaint"}, "L4", RouteSenior, true, true, "rule:handover:complaint"},
		{"HumanRequestGoesToAgent", signals{intent: "human_request"}, "L3", RouteAgent, false, false, "rule:handover:human_request"},
		{"LowConfidenceGoesToPerson", signals{intent: "other", abstain: true}, "L1", RouteAgent, false, false, "rule:handover:low_confidence"},
		{"HumanWordsUnderOtherIntent", signals{intent: "refund", humanAsk: true}, "L3", RouteAgent, false, false, "rule:handover:human_request"},
		{"ThreeUnresolvedAIAnswers", signals{intent: "order_status", ctx: Context{PriorAIUnresolved: 3}}, "L1", RouteAgent, false, false, "rule:handover:ai_unresolved"},
		{"TwoUnresolvedStayWithAI", signals{intent: "order_status", ctx: Context{PriorAIUnresolved: 2}}, "L1", RouteAI, false, false, ""},
		{"VulnerableInOneStep", signals{intent: "stock", ctx: Context{Vulnerable: true}}, "L1", RouteAgent, false, false, "rule:handover:vulnerable"},
		{"VIPHandOverGoesToSenior", signals{intent: "human_request", ctx: Context{VIP: true}}, "L4", RouteSenior, true, false, "rule:route:vip_lane"},
		{"VIPIsHighUrgencyWithAPerson", signals{intent: "order_status", ctx: Context{VIP: true}}, "L4", RouteSenior, true, false, "fact:vip_customer"},
		{"HighValueSegmentIsHighUrgencyWithAPerson", signals{intent: "stock", ctx: Context{Segment: "high_value"}}, "L4", RouteSenior, true, false, "fact:high_value_customer"},
		{"CoreSegmentIsNot", signals{intent: "stock", ctx: Context{Segment: "core"}}, "L1", RouteAI, false, false, ""},
		{"OverdueTextIsHighUrgency", signals{intent: "order_status", overdue: true}, "L1", RouteAI, true, false, "rule:urgency:customer_says_overdue"},
		{"OverdueTextAndOrderNameTheFact", signals{intent: "order_status", overdue: true, ctx: Context{OrderOverdue: true}}, "L1", RouteAgent, true, false, "rule:urgency:order_overdue"},
		{"OverdueUnshippedOrderGoesToPerson", signals{intent: "order_status", ctx: Context{OrderOverdue: true}}, "L1", RouteAgent, true, false, "fact:order_overdue_unshipped"},
		{"TrackingStalledGoesToPerson", signals{intent: "logistics_delay", ctx: Context{TrackingStalled: true}}, "L2", RouteAgent, true, false, "fact:tracking_stalled"},
		{"SecondContactSameOrderGoesToPerson", signals{intent: "order_status", ctx: Context{SameOrderContacts: 1}}, "L1", RouteAgent, true, false, "fact:second_contact_same_order"},
		{"FirstContactAboutOrderStaysWithAI", signals{intent: "order_status", ctx: Context{SameOrderContacts: 0}}, "L1", RouteAI, false, false, ""},
		{"RepeatContactsIsHighUrgency", signals{intent: "refund", ctx: Context{RepeatContacts: 2}}, "L3", RouteAI, true, false, "rule:urgency:repeat_contact"},
		{"OneRepeatIsNot", signals{intent: "refund", ctx: Context{RepeatContacts: 1}}, "L3", RouteAI, false, false, ""},
		{"UnknownIntentIsL1", signals{intent: "nonsense"}, "L1", RouteAI, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decide(tt.s)
			if d.level != tt.level || d.route != tt.route || d.urgencyHigh != tt.high || d.soothe != tt.soothe {
				t.Fatalf("got level=%s route=%s high=%v soothe=%v reasons=%v; want %s %s %v %v",
					d.level, d.route, d.urgencyHigh, d.soothe, d.reasons, tt.level, tt.route, tt.high, tt.soothe)
			}
			if tt.wantReason != "" && !slices.Contains(d.reasons, tt.wantReason) {
				t.Fatalf("reasons %v lack %q", d.reasons, tt.wantReason)
			}
			// A reason naming the order's overdue comes from the order the
			// platform has seen, never from the customer's words alone.
			claims := slices.Contains(d.reasons, "rule:urgency:order_overdue") || slices.Contains(d.reasons, "fact:order_overdue_unshipped")
			if claims != tt.s.ctx.OrderOverdue {
				t.Fatalf("reasons %v with order overdue %v", d.reasons, tt.s.ctx.OrderOverdue)
			}
		})
	}
}

func TestHumanOnlyNeverRoutesToAI(t *testing.T) {
	for _, intent := range Intents {
		for _, s := range []signals{
			{intent: intent, fundSafety: true},
			{intent: intent, legal: true},
			{intent: "quality_issue", harm: true},
			{intent: intent, harm: true, injury: true, sentiment: "positive"},
			{intent: intent, anger: true},
			{intent: intent, humanAsk: true},
			{intent: intent, ctx: Context{Vulnerable: true}},
			{intent: intent, ctx: Context{PriorAIUnresolved: 5}},
			{intent: intent, ctx: Context{OrderOverdue: true}},
			{intent: intent, ctx: Context{TrackingStalled: true}},
			{intent: intent, ctx: Context{SameOrderContacts: 1}},
			{intent: intent, ctx: Context{VIP: true}},
			{intent: intent, ctx: Context{Segment: "high_value"}},
			{intent: intent, abstain: true},
		} {
			if d := decide(s); d.route == RouteAI {
				t.Errorf("%+v routed to the AI: %v", s, d.reasons)
			}
		}
	}
}

// A reported injury reaches a person through Classify even when the model
// reads the message as a calm product question or an LLM relabels it.
func TestReportedInjuryReachesAPerson(t *testing.T) {
	for _, text := range []string{"the cream gave my child an allergic reaction, her face is swollen",
		"用了你们的面霜脸红肿了", "the kettle caught fire on the first use", "孩子吃了你们的饼干拉肚子了"} {
		for _, opt := range []Options{{}, {Intent: "order_status", IntentConfidence: 0.99}} {
			r := Default().ClassifyWith(text, Context{}, opt)
			if r.Route == RouteAI || !slices.Contains(r.Reasons, "rule:human_only:harm") {
				t.Errorf("%q (options %+v): route %s, reasons %v", text, opt, r.Route, r.Reasons)
			}
		}
	}
	// Asking whether harm could happen, or naming a hospital, is not a report of it.
	for _, text := range []string{"can you ship to the city hospital?", "is this safe? will it cause a rash?",
		"会不会拉肚子？", "这个锅会爆炸吗", "this deal is on fire, love it"} {
		if scanKeywords(prepare(text).norm)&flagInjury != 0 {
			t.Errorf("%q reads as a reported injury", text)
		}
	}
}

func TestKeywordSignals(t *testing.T) {
	tests := []struct {
		text string
		want uint8
	}{
		{"我要找律师起诉你们", flagLegal},
		{"i will sue you", flagLegal},
		{"there is an issue with my order", 0}, // "sue" inside "issue"
		{"脸上过敏了", flagHarm | flagInjury},
		{"会过敏吗", flagHarm},
		{"got a rash from the cream", flagHarm | flagInjury},
		{"is it ok for allergies?", flagHarm},
		{"the cream gave my child an allergic reaction, her face is swollen", flagHarm | flagInjury},
		{"the brush is nice", 0},
		{"my card was hacked", flagFundSafety},
		{"My card was charged twice for one order and I think someone got into my account.", flagFundSafety},
		{"i didn't place this order", flagFundSafety},
		{"有人登录了我的账号，不是我下的单", flagFundSafety},
		{"i can't log into my account", 0},
		{"i was charged for an order i never placed", flagFundSafety},
		{"there's a charge i don't recognise from you", flagFundSafety},
		{"卡里莫名扣款了两百", flagFundSafety},
		{"my kid swallowed a battery from the toy", flagInjury},
		{"孩子把玩具里的电池吞下去了", flagInjury},
		{"充电宝鼓包了", flagHarm},
		{"我没买过这种东西，想问问怎么用", 0},
		{"the formula smells off and my son has a fever now", flagHarm | flagInjury},
		{"宝宝喝了以后发烧了", flagHarm | flagInjury},
		{"the heater sparked and tripped the fuse", flagHarm},
		{"高压锅炸了，吓死我了", flagInjury},
		{"新品一上架群里就炸了锅", 0},  // an uproar, not an explosion
		{"用这个锅炸了鸡翅，很好用", 0}, // fried in, not exploded
		{"it hasn't shipped after 5 days", flagOverdue},
		{"付款超时了", 0},
		{"转人工", flagHuman},
		{"i want a real person, i was burned and will sue", flagHuman | flagInjury | flagLegal},
	}
	for _, tt := range tests {
		if got := scanKeywords(tt.text); got != tt.want {
			t.Errorf("scanKeywords(%q) = %06b, want %06b", tt.text, got, tt.want)
		}
	}
}
