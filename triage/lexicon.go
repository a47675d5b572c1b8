package triage

import "strings"

// Keyword lists back the model up where a miss is costly. They are matched on
// normalised (lower-case, half-width) text; Latin keywords match whole words.
var (
	// injuryWords say harm happened ("swollen", "进医院", "过敏了"): the
	// customer was hurt, whatever intent or sentiment the model reads. Only
	// forms that report harm belong here; a word that also asks about it
	// ("will it cause a rash?", "会不会拉肚子") or names a place ("ship to the
	// hospital") is a harmWord.
	injuryWords = []string{
		"受伤了", "烫伤了", "烧伤了", "灼伤了", "中毒了", "拉肚子了", "腹泻了", "吐了", "起疹子了", "起红疹",
		"红肿", "划伤了", "割伤了", "流血了", "住院了", "进医院", "去医院了", "送医", "看急诊", "爆炸了",
		"高压锅炸了", "压力锅炸了", "锅炸开了", "锅爆了", "起火了", "着火了", "触电了", "冒烟了", "误吞", "吃坏了", "烂脸", "毁容", "伤到了", "过敏了",
		"injured", "burned", "burnt", "poisoned", "bleeding", "swollen", "got a rash", "broke out in",
		"went to the hospital", "went to hospital", "in the hospital", "in hospital", "to the er", "in the er",
		"exploded", "caught fire", "shocked me", "choked on", "threw up", "been vomiting", "made me sick",
		"got sick", "had an allergic reaction", "gave me an allergic reaction",
		"误食", "吞下去了", "吞下了", "吞进去了", "swallowed", "发烧了", "发高烧", "has a fever", "had a fever",
		"got a fever", "running a fever",
	}
	// harmWords may also sit in a question about a product ("is it safe
	// for allergies?", "会不会爆炸"): they count under a harm intent or a
	// negative tone.
	harmWords = []string{
		"过敏", "受伤", "烫伤", "烧伤", "灼伤", "中毒", "拉肚子", "腹泻", "呕吐", "起疹子", "划伤", "割伤",
		"流血", "住院", "医院", "急诊", "爆炸", "起火", "着火", "漏电", "触电", "冒烟", "窒息", "伤到", "有毒",
		"allergy", "allergic", "allergies", "rash", "hives", "hurt", "injury", "injuries", "burn", "burns",
		"poison", "poisoning", "toxic", "hospital", "emergency room", "electric shock", "on fire", "vomit",
		"vomiting", "diarrhea", "choking", "explode", "swelling", "鼓包",
		"发烧", "fever", "冒火花", "打火花", "sparked", "sparking", "sparks",
	}
	legalWords = []string{
		"律师", "起诉", "法院", "告你们", "打官司", "消协", "12315", "消费者协会", "工商局", "市场监管",
		"市场监督", "媒体曝光", "曝光你们", "报警", "黑猫投诉", "法律途径", "仲裁",
		"lawyer", "attorney", "sue", "suing", "lawsuit", "legal action", "court", "small claims",
		"consumer protection", "better business bureau", "bbb", "ftc", "police", "trading standards",
		"chargeback",
	}
	fundSafetyWords = []string{
		"盗刷", "被盗", "诈骗", "冒充", "钓鱼", "泄露", "泄漏", "隐私", "资金安全", "未经授权", "没授权",
		"不是我本人", "不是本人操作", "陌生设备", "异地登录", "骗子打电话", "骗走",
		"fraud", "fraudulent", "scam call", "scam text", "phishing", "hacked", "hijacked",
		"unauthorized", "unauthorised", "stolen card", "identity theft", "data leak", "leaked",
		"privacy", "pretending to be", "impersonating", "fake customer service",
		// an account someone else got into
		"盗号", "被人登录", "别人登录", "有人登录", "异常登录", "被人盗用", "不是我下的单", "我没下过这个单",
		"got into my account", "someone logged into my account", "someone logged in to my account",
		"someone accessed my account", "someone is using my account", "someone used my account",
		"account was compromised", "account has been compromised", "account is compromised",
		"didnt place this order", "didnt make this order", "didnt authorize", "didnt authorise",
		"login i dont recognise", "login i dont recognize", "unrecognised login", "unrecognized login",
		// a charge the customer did not make
		"莫名扣款", "莫名其妙扣", "陌生扣款", "不明扣款", "没下单却扣", "没下单就扣",
		"order i never placed", "order i didnt place", "never placed this order", "never placed an order",
		"charge i dont recognise", "charge i dont recognize", "dont recognise this charge", "dont recognize this charge",
		"dont recognise the charge", "dont recognize the charge",
	}
	overdueWords = []string{
		"还没发货", "还不发货", "没发货", "未发货", "不发货", "迟迟不发", "超时未发", "超过发货时间", "逾期", "说好的发货",
		"not shipped", "hasnt shipped", "hasnt been shipped", "not been shipped", "still not shipped",
		"not yet shipped", "never shipped", "overdue", "past the ship date", "should have shipped",
		"supposed to ship", "still processing", "not dispatched", "hasnt been dispatched",
	}
	humanWords = []string{
		"转人工", "人工客服", "人工服务", "找人工", "要人工", "真人", "活人", "你们经理", "你们主管",
		"real person", "human agent", "live agent", "real agent", "talk to a human", "speak to a human",
		"talk to someone", "speak to someone", "speak to a person", "talk to a person",
		"representative", "supervisor", "not a bot", "stop the bot",
	}
)

// Signal flags set by scanKeywords.
const (
	flagHarm uint8 = 1 << iota
	flagInjury
	flagLegal
	flagFundSafety
	flagOverdue
	flagHuman
)

// keyword is one entry of the keyword index.
type keyword struct {
	text string
	flag uint8
}

// keywordIndex holds every keyword under its first byte, so that the text is scanned once.
var keywordIndex = func() [256][]keyword {
	var idx [256][]keyword
	for flag, words := range map[uint8][]string{flagHarm: harmWords, flagInjury: injuryWords, flagLegal: legalWords,
		flagFundSafety: fundSafetyWords, flagOverdue: overdueWords, flagHuman: humanWords} {
		for _, w := range words {
			idx[w[0]] = append(idx[w[0]], keyword{w, flag})
		}
	}
	return idx
}()

// detectSignals reads the rule signals from normalised text and the model's result.
func detectSignals(norm string, r Result) signals {
	f := scanKeywords(norm)
	return signals{
		intent:     r.Intent,
		sentiment:  r.Sentiment,
		anger:      r.Anger,
		harm:       f&(flagHarm|flagInjury) != 0,
		injury:     f&flagInjury != 0,
		legal:      f&flagLegal != 0,
		fundSafety: f&flagFundSafety != 0,
		overdue:    f&flagOverdue != 0,
		humanAsk:   f&flagHuman != 0,
	}
}

// scanKeywords returns the flags of every keyword in text, ignoring
// apostrophes ("hasn't" reads as "hasnt"); a keyword that starts or ends with
// a Latin letter or digit must meet a word boundary there.
func scanKeywords(text string) uint8 {
	if strings.IndexByte(text, '\'') >= 0 {
		text = strings.ReplaceAll(text, "'", "")
	}
	var flags uint8
	for i := 0; i < len(text); i++ {
		for _, k := range keywordIndex[text[i]] {
			if flags&k.flag != 0 || !strings.HasPrefix(text[i:], k.text) {
				continue
			}
			end := i + len(k.text)
			if (!wordByte(k.text[0]) || i == 0 || !wordByte(text[i-1])) &&
				(!wordByte(k.text[len(k.text)-1]) || end == len(text) || !wordByte(text[end])) {
				flags |= k.flag
			}
		}
	}
	return flags
}

func wordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}
