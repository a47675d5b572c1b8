package main

import "strings"

// Chat noise: greetings, sign-offs, dropped punctuation, slang, typos and
// code switching, so that the model meets text the way customers type it.
var (
	zhPrefixes = []string{"", "", "", "", "亲，", "你好，", "在吗？", "hello，", "客服，", "亲亲", "您好，", "喂，", "老板，"}
	zhSuffixes = []string{"", "", "", "", "谢谢", "，谢谢亲", "～", "哈", "呀", "？", "。", "!", "啊", "呢"}
	zhSwitch   = [][2]string{{"订单", "order"}, {"退款", "refund"}, {"快递", "快递"}, {"物流", "物流tracking"},
		{"优惠券", "coupon"}, {"尺码", "size"}, {"客服", "客服"}, {"发票", "invoice"}, {"账号", "账号account"},
		{"取消", "cancel"}, {"地址", "address"}, {"质量", "quality"}, {"颜色", "color"}, {"链接", "link"}}
	enPrefixes = []string{"", "", "", "", "hi ", "hello, ", "hey ", "Hi there, ", "hello? ", "excuse me, ", "good morning, "}
	enSuffixes = []string{"", "", "", "", " thanks", " thx", " pls", "?", " thank you!", " asap", " :)", " 🙏"}
	enSlang    = map[string]string{"you": "u", "your": "ur", "please": "pls", "thanks": "thx", "are": "r",
		"because": "cuz", "message": "msg", "tomorrow": "tmrw", "order": "ordr", "address": "adress",
		"received": "recieved", "receive": "recieve", "package": "pkg", "don't": "dont", "i'm": "im", "it's": "its"}
	enSwitch = [][2]string{{"package", "快递"}, {"parcel", "快递"}, {"package", "包裹"}, {"thanks", "谢谢"}, {"order", "订单"},
		{"refund", "退款"}, {"hi", "亲"}, {"coupon", "优惠券"}, {"invoice", "发票"}, {"delivery", "物流"}, {"tracking", "物流"}}

	zhAngryPre = []string{"气死我了！", "搞什么啊！", "你们到底怎么回事？！", "太过分了！", "什么破店，", "无语了，",
		"服了你们了，", "我真的很生气，", "😡", "简直离谱！", "垃圾，", "有病吧，", "能不能靠谱点！", "你们是智障吗，", "蠢死了，",
		"我受够了，", "火大，", "骗子！", "搞笑呢，", "到底有没有人管？", "什么鬼，", "说了多少遍了！", "真是服了，"}
	zhAngrySuf = []string{"！！！", "，气死了😡", "，再不处理我就差评！", "，你们是骗子吗？", "，太离谱了！", "，别再敷衍我了！",
		"，我已经忍无可忍了", "，什么垃圾服务", "，赶紧给我处理！", "，烦死了", "🤬🤬", "，搞什么鬼", "，耐心已经没了！",
		"，我真的受够了", "，到底有没有人管！", "，太欺负人了", "，浪费我时间", "，你们就是一群骗子", "，搞笑呢？", "，恶心"}
	enAngryPre = []string{"WTF, ", "this is ridiculous, ", "are you kidding me? ", "I'm so angry, ", "seriously?? ",
		"unbelievable. ", "I'm furious, ", "absolutely unacceptable! ", "what the hell, ", "😡 ", "ugh!!! ", "for god's sake, ",
		"you idiots, ", "are you stupid? ", "this stupid system, ",
		"I'm fed up. ", "this is outrageous. ", "you people are incompetent. ", "I've had enough, ", "disgusting service. ",
		"stop wasting my time, ", "what a joke. ", "liars. ", "I'm livid, ", "so sick of this, ", "how many times do I have to ask?! "}
	enAngrySuf = []string{"!!!", ". this is ridiculous", ". worst service ever", ". I'm sick of this", ". fix it NOW",
		". unacceptable!!", " 😡", ". you guys are useless", ". i'm done with you", ". so pissed off", "??!!", ". pathetic",
		". I've had enough", ". stop wasting my time", ". total scam", ". disgraceful", ". I'm livid", ". you people are a joke",
		". sick and tired of this", ". how many times do I have to say it?!", ". do your job", " - absolutely pathetic"}
)

// noise adds greetings, sign-offs and typing habits.
func (g *gen) noise(s string) string {
	r := g.rng
	if g.lang == "zh" {
		if r.Float64() < 0.12 {
			sw := zhSwitch[r.IntN(len(zhSwitch))]
			s = strings.Replace(s, sw[0], sw[1], 1)
		}
		s = g.pick(zhPrefixes) + s + g.pick(zhSuffixes)
		if r.Float64() < 0.25 {
			s = strings.NewReplacer("，", " ", "。", "", "？", "", "！", "", ",", " ").Replace(s)
		}
		return strings.TrimSpace(s)
	}
	words := strings.Fields(s)
	for i, w := range words {
		if sl, ok := enSlang[strings.ToLower(w)]; ok && r.Float64() < 0.2 {
			words[i] = sl
		} else if len(w) >= 5 && r.Float64() < 0.03 {
			words[i] = typo(w, r.IntN(len(w)-1))
		}
	}
	s = strings.Join(words, " ")
	if r.Float64() < 0.15 {
		sw := enSwitch[r.IntN(len(enSwitch))]
		s = strings.Replace(s, sw[0], sw[1], 1)
	}
	s = g.pick(enPrefixes) + s + g.pick(enSuffixes)
	if r.Float64() < 0.4 {
		s = strings.ToLower(s)
	} else if len(s) > 0 {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	if r.Float64() < 0.25 {
		s = strings.NewReplacer(",", "", ".", "", "?", "", "!", "").Replace(s)
	}
	return strings.TrimSpace(s)
}

// typo swaps two neighbouring letters or drops one.
func typo(w string, at int) string {
	b := []byte(w)
	if at%2 == 0 {
		b[at], b[at+1] = b[at+1], b[at]
		return string(b)
	}
	return string(append(b[:at:at], b[at+1:]...))
}

// angry turns a message into an angry one.
func (g *gen) angry(s string) string {
	r := g.rng
	if g.lang == "zh" {
		switch r.IntN(3) {
		case 0:
			return g.pick(zhAngryPre) + s
		case 1:
			return s + g.pick(zhAngrySuf)
		}
		return g.pick(zhAngryPre) + s + g.pick(zhAngrySuf)
	}
	switch r.IntN(4) {
	case 0:
		return g.pick(enAngryPre) + s
	case 1:
		return s + g.pick(enAngrySuf)
	case 2:
		return strings.ToUpper(s) + "!!!"
	}
	return g.pick(enAngryPre) + s + g.pick(enAngrySuf)
}
