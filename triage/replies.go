package triage

// replyTopic groups intents that share the second sentence of a soothing reply.
var replyTopic = map[string]string{
	"order_status": "order", "logistics_delay": "delivery", "cancel_order": "order",
	"change_order": "order", "return": "after_sales", "refund": "money", "exchange": "after_sales",
	"quality_issue": "quality", "payment": "money", "privacy_or_fund_safety": "safety",
	"complaint": "service", "human_request": "service", "account": "service",
}

// soothing holds the reply templates per language: an apology, then a
// promise that fits the topic.
var soothing = map[string]map[string]string{
	"zh": {
		"":            "非常抱歉给您带来了不好的体验，您的心情我完全理解。",
		"order":       "我马上为您核实订单情况，处理结果会第一时间告诉您。",
		"delivery":    "我已经在加急联系仓库和快递，今天内给您明确的送达时间。",
		"after_sales": "售后我来全程跟进，不需要您再重复说明，请放心。",
		"money":       "款项问题我会优先核实，确保您的钱一分不少。",
		"quality":     "商品问题我们一定负责到底，麻烦您方便时拍张照片，我立即为您处理。",
		"safety":      "您的账户和资金安全最重要，请先不要向任何人透露验证码，专人会马上联系您。",
		"service":     "我已经记录了您的问题，专人会马上接手，给您一个满意的答复。",
		"default":     "我会亲自跟进您的问题，尽快给您一个满意的解决方案。",
	},
	"en": {
		"":            "I'm really sorry about this, and I completely understand how frustrating it is.",
		"order":       "I'm checking your order right now and will update you as soon as I have the answer.",
		"delivery":    "I'm chasing the warehouse and the courier now and will get you a firm delivery date today.",
		"after_sales": "I'll handle this after-sales case end to end, so you won't need to explain it again.",
		"money":       "I'm prioritising the payment check so that you get every cent back that you're owed.",
		"quality":     "We take full responsibility for the product; if you can share a photo, I'll sort it out right away.",
		"safety":      "Your account and money come first: please don't share any verification code, and a specialist will contact you shortly.",
		"service":     "I've noted everything you said, and a colleague is taking over personally to make this right.",
		"default":     "I'm personally following this up and will get you a proper solution as quickly as possible.",
	},
}

// soothingReply returns a soothing reply template in the customer's language;
// topic, when set, overrides the topic of the intent.
func soothingReply(lang, intent, topic string) string {
	t, ok := soothing[lang]
	if !ok {
		t = soothing["en"]
	}
	if _, ok := t[topic]; !ok || topic == "" {
		if topic, ok = replyTopic[intent]; !ok {
			topic = "default"
		}
	}
	sep := " "
	if lang == "zh" {
		sep = ""
	}
	return t[""] + sep + t[topic]
}
