package triage

// Polarity words give the sentiment heads features that carry across
// domains: each hit adds a "positive word" or "negative word" token, flipped
// when a negator comes just before it ("不好", "not good").
var zhPolarity = map[string]int8{
	"不错": 1, "满意": 1, "喜欢": 1, "推荐": 1, "值得": 1, "棒": 1, "赞": 1, "完美": 1, "漂亮": 1,
	"好看": 1, "舒服": 1, "实惠": 1, "划算": 1, "清晰": 1, "流畅": 1, "新鲜": 1, "好吃": 1, "好用": 1,
	"感谢": 1, "谢谢": 1, "超值": 1, "精美": 1, "惊喜": 1, "给力": 1, "靠谱": 1, "回购": 1, "耐用": 1,
	"方便": 1, "干净": 1, "热情": 1, "周到": 1, "爱了": 1, "开心": 1, "很好": 1, "挺好": 1, "真好": 1,
	"太好": 1, "非常好": 1, "好评": 1, "没问题": 1, "没毛病": 1, "物美价廉": 1, "性价比高": 1, "快捷": 1,
	"差": -1, "失望": -1, "垃圾": -1, "烂": -1, "后悔": -1, "不满": -1, "糟糕": -1, "假货": -1,
	"难用": -1, "难吃": -1, "太慢": -1, "太贵": -1, "骗": -1, "投诉": -1, "恶心": -1, "坑": -1,
	"不值": -1, "敷衍": -1, "生气": -1, "气死": -1, "脏": -1, "臭": -1, "次品": -1, "劣质": -1,
	"上当": -1, "郁闷": -1, "差评": -1, "坏了": -1, "破损": -1, "不好": -1, "无语": -1, "离谱": -1, "太差": -1, "难受": -1, "毛病": -1, "噪音": -1,
	"速度快": 1, "发货快": 1, "质量好": 1, "正品": 1, "好闻": 1, "暖和": 1, "结实": 1, "耐心": 1, "贴心": 1,
	"及时": 1, "专业": 1, "放心": 1, "满分": 1, "五星": 1, "值得购买": 1, "物超所值": 1, "好喝": 1,
	"卡顿": -1, "死机": -1, "漏水": -1, "发错": -1, "缩水": -1, "掉色": -1, "起球": -1, "过敏": -1, "发烫": -1,
	"难闻": -1, "不值得": -1, "不推荐": -1, "退货": -1, "不新鲜": -1, "不满意": -1, "太慢了": -1,
}

var enPolarity = map[string]int8{
	"good": 1, "great": 1, "love": 1, "loved": 1, "loves": 1, "excellent": 1, "amazing": 1, "awesome": 1,
	"perfect": 1, "perfectly": 1, "happy": 1, "thanks": 1, "thank": 1, "nice": 1, "best": 1, "recommend": 1,
	"beautiful": 1, "fantastic": 1, "wonderful": 1, "helpful": 1, "comfortable": 1, "satisfied": 1,
	"pleased": 1, "glad": 1, "appreciate": 1, "superb": 1, "lovely": 1, "kudos": 1, "impressed": 1,
	"friendly": 1, "smooth": 1, "enjoy": 1, "enjoyed": 1, "worth": 1, "favorite": 1, "favourite": 1,
	"bad": -1, "terrible": -1, "awful": -1, "worst": -1, "hate": -1, "disappointed": -1, "disappointing": -1,
	"poor": -1, "broken": -1, "late": -1, "delayed": -1, "rude": -1, "useless": -1, "horrible": -1,
	"angry": -1, "annoyed": -1, "frustrated": -1, "frustrating": -1, "wrong": -1, "problem": -1,
	"issue": -1, "failed": -1, "cancelled": -1, "lost": -1, "waste": -1, "unacceptable": -1,
	"ridiculous": -1, "sucks": -1, "stuck": -1, "worse": -1, "never": -1, "delay": -1, "pathetic": -1,
}

// negators flip the polarity of a word that follows within two words (or, in
// Chinese, the character just before).
var enNegators = map[string]bool{"not": true, "no": true, "dont": true, "didnt": true, "isnt": true,
	"wasnt": true, "cant": true, "wont": true, "doesnt": true, "arent": true, "werent": true, "hardly": true}

var (
	shapePolPos = hashString(kindShape, "polarity:+")
	shapePolNeg = hashString(kindShape, "polarity:-")
)

// polarityToken returns the feature for a polarity hit, flipped when negated.
func polarityToken(p int8, negated bool) uint64 {
	if negated {
		p = -p
	}
	if p > 0 {
		return shapePolPos
	}
	return shapePolNeg
}

// hanPolarity scans a Han run (a substring of the normalised text, three
// bytes a character) for polarity words, longest first.
func (e *extractor) hanPolarity(run string) {
	for i := 0; i+3 <= len(run); i += 3 {
		for n := 4; n >= 1; n-- {
			if i+3*n > len(run) {
				continue
			}
			p, ok := zhPolarity[run[i:i+3*n]]
			if !ok {
				continue
			}
			negated := false
			if i >= 3 {
				switch run[i-3 : i] {
				case "不", "没", "别", "无", "非":
					negated = run[i:i+3*n] != "不错" && run[i-3:i+3*n] != "不不错"
				}
			}
			e.out = append(e.out, polarityToken(p, negated))
			i += 3 * (n - 1)
			break
		}
	}
}
