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
	"很棒": 1, "超棒": 1, "真棒": 1, "厉害": 1, "优秀": 1, "出色": 1, "精致": 1, "细腻": 1, "柔软": 1, "舒适": 1, "合身": 1,
	"合适": 1, "正好": 1, "准确": 1, "稳定": 1, "顺滑": 1, "顺畅": 1, "清楚": 1, "明亮": 1, "鲜艳": 1, "好穿": 1, "大气": 1,
	"高档": 1, "上档次": 1, "有质感": 1, "质感": 1, "做工好": 1, "做工精细": 1, "用料足": 1, "分量足": 1, "量足": 1, "实用": 1,
	"耐穿": 1, "耐看": 1, "省心": 1, "省事": 1, "便宜": 1, "便捷": 1, "快速": 1, "迅速": 1, "神速": 1, "准时": 1, "守时": 1,
	"到位": 1, "细心": 1, "用心": 1, "负责": 1, "认真": 1, "礼貌": 1, "客气": 1, "友好": 1, "亲切": 1, "温柔": 1, "周全": 1,
	"满足": 1, "喜爱": 1, "心水": 1, "称心": 1, "如意": 1, "高兴": 1, "愉快": 1, "惊艳": 1, "感动": 1, "欣慰": 1, "期待": 1,
	"宝藏": 1, "良心": 1, "诚信": 1, "信赖": 1, "值了": 1, "超赞": 1, "点赞": 1, "好好": 1, "不赖": 1,
	"还行": 1, "挺不错": 1, "不错哦": 1, "好极了": 1, "一流": 1, "顶级": 1, "极好": 1, "很赞": 1, "很值": 1, "很香": 1,
	"真香": 1, "种草": 1, "安利": 1, "推荐购买": 1, "值得信赖": 1, "值得推荐": 1, "好评如潮": 1, "五星好评": 1, "必须好评": 1,
	"回头客": 1, "还会再来": 1, "还会光顾": 1, "下次还来": 1, "无可挑剔": 1, "无敌": 1, "绝了": 1, "绝绝子": 1,
	"神器": 1, "划得来": 1, "满意度": 1, "赞赞": 1, "棒棒": 1, "棒棒哒": 1, "美美": 1, "美美哒": 1, "香香": 1, "甜": 1,
	"甜甜": 1, "好甜": 1, "可口": 1, "美味": 1, "入味": 1, "地道": 1, "正宗": 1, "干净卫生": 1, "整洁": 1, "宽敞": 1,
	"安静": 1, "方便快捷": 1, "给好评": 1, "很实惠": 1, "超实惠": 1, "物流快": 1, "快递快": 1, "送货快": 1, "包装好": 1,
	"包装精美": 1, "包装严实": 1, "完好": 1, "完好无损": 1, "无损": 1, "没坏": 1, "态度好": 1, "服务好": 1, "服务周到": 1,
	"耐心解答": 1,
	"差劲":   -1, "很差": -1, "超差": -1, "真差": -1, "极差": -1, "最差": -1, "差差": -1, "糟": -1, "糟心": -1, "烂透": -1,
	"垃圾货": -1, "破烂": -1, "破玩意": -1, "伪劣": -1, "山寨": -1, "假的": -1, "假冒": -1, "仿品": -1,
	"冒牌": -1, "次货": -1, "残次": -1, "瑕疵": -1, "划痕": -1, "裂": -1, "裂开": -1, "裂了": -1, "断了": -1, "碎了": -1,
	"坏掉": -1, "掉漆": -1, "褪色": -1, "开线": -1, "脱线": -1, "变形": -1, "变质": -1, "发霉": -1, "过期": -1,
	"异味": -1, "有味": -1, "味道大": -1, "刺鼻": -1, "难喝": -1, "难看": -1, "丑": -1, "粗糙": -1,
	"粗制滥造": -1, "廉价": -1, "偏小": -1, "偏大": -1, "不合适": -1, "不合身": -1, "不舒服": -1, "闷热": -1, "扎人": -1,
	"硌": -1, "起毛": -1, "很慢": -1, "超慢": -1, "慢死": -1, "龟速": -1, "拖拉": -1,
	"拖延": -1, "延误": -1, "迟迟": -1, "迟到": -1, "漏发": -1, "少发": -1, "错发": -1, "漏": -1, "漏气": -1,
	"没反应": -1, "失灵": -1, "故障": -1, "黑屏": -1, "闪退": -1, "掉线": -1, "发热": -1, "耗电": -1, "不耐用": -1,
	"不好用": -1, "不好看": -1, "不好吃": -1, "不实用": -1, "不划算": -1, "坑人": -1, "坑爹": -1, "骗人": -1, "骗子": -1,
	"欺骗": -1, "忽悠": -1, "虚假": -1, "虚标": -1, "不符": -1, "不一致": -1, "货不对板": -1, "与描述不符": -1, "描述不符": -1,
	"以次充好": -1, "缺斤少两": -1, "冷漠": -1, "态度差": -1, "态度恶劣": -1, "不理人": -1, "没人理": -1, "不回复": -1,
	"爱答不理": -1, "推卸": -1, "推脱": -1, "踢皮球": -1, "敷衍了事": -1, "一星": -1, "零分": -1, "负分": -1, "退钱": -1,
	"再也不买": -1, "再也不来": -1, "拉黑": -1, "避雷": -1, "踩雷": -1, "智商税": -1, "交智商税": -1, "慎买": -1,
	"别买": -1, "千万别买": -1, "吐槽": -1, "失望透顶": -1, "后悔死了": -1, "心塞": -1, "心累": -1, "闹心": -1, "窝火": -1,
	"气人": -1, "恶心人": -1, "倒霉": -1, "晦气": -1, "糟蹋": -1, "浪费": -1, "浪费钱": -1, "白花钱": -1,
	"吃亏": -1, "上当受骗": -1, "太坑": -1, "坑货": -1, "无良": -1, "黑心": -1, "奸商": -1, "霸王条款": -1, "嘈杂": -1,
	"吵": -1, "潮湿": -1, "脏乱": -1, "脏乱差": -1, "油腻": -1, "冷了": -1, "凉了": -1, "少了": -1, "缺件": -1,
	"缺少": -1, "漏了": -1, "不灵": -1, "麻烦": -1, "折腾": -1, "费劲": -1, "痛苦": -1, "崩溃": -1,
	"受不了": -1, "不靠谱": -1,
	// what arrived broken ("收到的杯子是碎的")
	"碎的": -1, "坏的": -1, "破的": -1, "裂的": -1, "碎掉": -1, "摔碎": -1,
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
	"brilliant": 1, "outstanding": 1, "incredible": 1, "terrific": 1, "fabulous": 1, "flawless": 1,
	"impressive": 1, "reliable": 1, "quick": 1, "fast": 1, "speedy": 1, "prompt": 1, "efficient": 1,
	"courteous": 1, "polite": 1, "professional": 1, "pleasant": 1, "delightful": 1, "enjoyable": 1,
	"gorgeous": 1, "cute": 1, "sturdy": 1, "solid": 1, "durable": 1, "comfy": 1, "cozy": 1,
	"fresh": 1, "delicious": 1, "tasty": 1, "yummy": 1, "clean": 1, "spotless": 1, "quiet": 1,
	"spacious": 1, "convenient": 1, "affordable": 1, "bargain": 1,
	"recommended": 1, "recommending": 1, "loving": 1, "lovin": 1, "adore": 1, "adored": 1,
	"thrilled": 1, "excited": 1, "grateful": 1, "thankful": 1, "appreciated": 1, "appreciative": 1,
	"blessed": 1, "stellar": 1, "exceptional": 1, "awsome": 1, "amazin": 1,
	"thx": 1, "ty": 1, "tysm": 1, "shoutout": 1, "bravo": 1, "cheers": 1, "yay": 1, "woohoo": 1,
	"wow": 1, "legend": 1, "legendary": 1, "hero": 1, "heroes": 1, "rocks": 1, "rocked": 1,
	"fab": 1, "neat": 1, "handy": 1, "seamless": 1, "effortless": 1, "painless": 1, "easy": 1,
	"worked": 1, "works": 1, "resolved": 1, "fixed": 1, "sorted": 1, "solved": 1, "helped": 1,
	"disgusting": -1, "disgusted": -1, "incompetent": -1, "unprofessional": -1, "unhelpful": -1,
	"slow": -1, "slowest": -1, "delays": -1, "overbooked": -1,
	"stranded": -1, "missed": -1, "missing": -1, "damaged": -1, "defective": -1, "faulty": -1,
	"flimsy": -1, "fake": -1, "scam": -1, "scammed": -1, "ripoff": -1, "overpriced": -1,
	"overcharged": -1, "expensive": -1, "dirty": -1, "filthy": -1, "smelly": -1,
	"noisy": -1, "uncomfortable": -1, "cramped": -1, "cold": -1, "stale": -1, "rotten": -1,
	"inedible": -1, "bland": -1, "broke": -1, "breaks": -1, "cracked": -1, "leaking": -1, "leaks": -1,
	"stopped": -1, "crashes": -1, "crashed": -1, "crashing": -1, "glitch": -1, "buggy": -1, "bug": -1,
	"error": -1, "errors": -1, "outage": -1, "nightmare": -1, "disaster": -1, "mess": -1,
	"joke": -1, "shameful": -1, "shame": -1, "disgrace": -1, "lousy": -1, "crappy": -1, "crap": -1,
	"shitty": -1, "garbage": -1, "trash": -1, "rubbish": -1, "junk": -1, "lame": -1, "meh": -1,
	"mediocre": -1, "fail": -1, "fails": -1, "failure": -1, "sucked": -1, "suck": -1, "hated": -1,
	"hates": -1, "annoying": -1, "irritating": -1, "infuriating": -1, "furious": -1, "mad": -1,
	"upset": -1, "sad": -1, "unhappy": -1, "dissatisfied": -1, "unsatisfied": -1,
	"disappointment": -1, "waiting": -1, "waited": -1, "ignored": -1, "ignoring": -1,
	"unanswered": -1, "refuse": -1, "refused": -1, "denied": -1, "lied": -1, "lie": -1, "lies": -1,
	"liar": -1, "misleading": -1, "misled": -1, "regret": -1, "regrets": -1, "complaint": -1,
	"complain": -1, "complaining": -1, "screwed": -1, "unreliable": -1, "unusable": -1, "poorly": -1,
	"badly": -1, "smh": -1, "ugh": -1, "wtf": -1,
}

// negators flip the polarity of a word that follows within two words (or, in
// Chinese, the character just before).
var enNegators = map[string]bool{"not": true, "no": true, "dont": true, "didnt": true, "isnt": true,
	"wasnt": true, "cant": true, "wont": true, "doesnt": true, "arent": true, "werent": true, "hardly": true}

var (
	shapePolPos     = hashString(kindShape, "polarity:+")
	shapePolNeg     = hashString(kindShape, "polarity:-")
	shapePolPosLate = hashString(kindShape, "polarity:+:after-but")
	shapePolNegLate = hashString(kindShape, "polarity:-:after-but")
)

// contrastWords turn a message: what follows them usually carries the
// verdict ("物流慢了点，但是质量很好", "slow delivery but great quality").
// "Yet" turns a message only at the start of a clause ("it came, yet it was
// broken"), not after a word ("not yet", "still waiting yet again"). Some
// Chinese words hold a contrast word without turning anything: 不过分
// (not too much), 不过如此 (nothing special), 忙不过来 (too busy), 但愿
// (let us hope), 不但 (not only), 但凡 (if only).
var (
	enContrast    = map[string]bool{"but": true, "however": true, "though": true, "although": true, "yet": true}
	zhContrast    = map[string]bool{"但是": true, "但": true, "不过": true, "可是": true, "然而": true}
	zhNotContrast = map[string]bool{"不过分": true, "不过如此": true, "不过来": true, "但愿": true, "不但": true, "但凡": true}
)

// polarity appends the feature for a polarity hit, flipped when negated,
// and a second one when it follows a contrast word.
func (e *extractor) polarity(p int8, negated bool) {
	if negated {
		p = -p
	}
	switch {
	case p > 0 && e.contrast:
		e.out = append(e.out, shapePolPos, shapePolPosLate)
	case p > 0:
		e.out = append(e.out, shapePolPos)
	case e.contrast:
		e.out = append(e.out, shapePolNeg, shapePolNegLate)
	default:
		e.out = append(e.out, shapePolNeg)
	}
}

// hanPolarity scans a Han run (a substring of the normalised text, three
// bytes a character) for polarity words, longest first.
func (e *extractor) hanPolarity(run string) {
	calm := 0 // byte offset up to which a word that only looks like a contrast word runs
	for i := 0; i+3 <= len(run); i += 3 {
		if _, n := hanMatch(run, i, zhNotContrast); n > 0 {
			calm = i + n
		}
		if !e.contrast && i >= calm {
			_, n := hanMatch(run, i, zhContrast)
			e.contrast = n > 0
		}
		p, n := hanMatch(run, i, zhPolarity)
		if n == 0 {
			continue
		}
		e.polarity(p, zhNegated(run, i) && run[i:i+n] != "不错")
		i += n - 3
	}
}

// hanMatch returns the entry of the longest word of words (four characters
// at most) that starts at byte i of a Han run, and its length in bytes, or
// 0 when none does.
func hanMatch[V any](run string, i int, words map[string]V) (V, int) {
	for n := min(12, len(run)-i); n >= 3; n -= 3 {
		if v, ok := words[run[i:i+n]]; ok {
			return v, n
		}
	}
	var zero V
	return zero, 0
}

// zhNegated reports whether the word at byte i of a Han run is negated: a
// negator just before it ("不好"), or one before a degree word ("不太好",
// "不是很好", "没那么好").
func zhNegated(run string, i int) bool {
	neg := func(c string) bool { return c == "不" || c == "没" || c == "别" || c == "无" || c == "非" }
	if i >= 3 && neg(run[i-3:i]) {
		return i < 6 || run[i-6:i-3] != "不" // "不不错" reads as plain
	}
	if i >= 6 {
		switch run[i-3 : i] {
		case "太", "很", "是", "够", "算", "那", "怎", "大":
			if neg(run[i-6 : i-3]) {
				return true
			}
		}
	}
	if i >= 9 {
		switch run[i-6 : i] {
		case "那么", "怎么", "是很", "是太", "算太", "算很":
			return neg(run[i-9 : i-6])
		}
	}
	return false
}

// Anger words give the anger head a feature shared by every insult, curse
// and cry of indignation it knows, so that one it has seen rarely still
// counts; like polarity words, a negator just before cancels them in Chinese.
// They are matched inside runs of Chinese characters, so none may be part of
// an everyday word: 垃圾 alone is also 垃圾袋, 靠 is also 靠谱, 说法 is also
// 这个说法, so only their insulting forms are listed.
var zhAngerWords = map[string]bool{
	"气死": true, "气炸": true, "气疯": true, "火大": true, "恼火": true, "愤怒": true, "怒了": true, "发火": true,
	"暴怒": true, "太过分": true, "过分": true, "凭什么": true, "欺人太甚": true, "欺负人": true, "神经病": true,
	"脑子有病": true, "脑残": true, "滚蛋": true, "去死": true, "混蛋": true, "王八蛋": true, "他妈": true, "妈的": true,
	"卧槽": true, "草泥马": true, "傻逼": true, "狗屁": true, "放屁": true, "扯淡": true, "胡扯": true, "骗子": true,
	"无耻": true, "不要脸": true, "要不要脸": true, "缺德": true, "黑心": true, "奸商": true, "流氓": true, "强盗": true,
	"土匪": true, "畜生": true, "人渣": true, "败类": true, "忍无可忍": true, "受够了": true, "烦死": true, "恨死": true,
	"可恶": true, "该死": true, "岂有此理": true, "简直了": true, "什么玩意": true, "什么破": true,
	"破玩意": true, "搞什么": true, "搞什么鬼": true, "耍我": true, "玩我": true, "当我傻": true, "糊弄": true,
	"投诉你们": true, "告你们": true, "消协": true, "差评警告": true, "给个说法": true, "讨个说法": true, "真他": true,
	"见鬼": true, "我靠": true, "我操": true, "操蛋": true, "滚吧": true, "给我滚": true, "滚出去": true,
	"垃圾商家": true, "垃圾东西": true, "垃圾服务": true, "垃圾客服": true, "垃圾平台": true, "什么垃圾": true, "真垃圾": true,
	"太垃圾": true, "有病吧": true, "你有病": true,
}

var enAngerWords = map[string]bool{
	"furious": true, "outraged": true, "outrage": true, "livid": true, "pissed": true, "fuming": true,
	"infuriating": true, "infuriated": true, "enraged": true, "rage": true, "raging": true,
	"angry": true, "anger": true, "mad": true, "hate": true, "hated": true, "disgrace": true,
	"disgraceful": true, "unacceptable": true, "ridiculous": true, "pathetic": true, "scam": true,
	"scammers": true, "scammed": true, "thieves": true, "thief": true, "liars": true, "liar": true,
	"crooks": true, "shameful": true, "bullshit": true, "fuck": true, "fucking": true,
	"fucked": true, "fck": true, "wtf": true, "damn": true, "dammit": true, "goddamn": true,
	"idiots": true, "idiot": true, "morons": true, "moron": true, "stupid": true, "incompetent": true,
	"clowns": true, "screwed": true, "sue": true,
	"lawyer": true, "lawsuit": true, "bbb": true, "tmd": true, "cnm": true, "nmsl": true,
}

var shapeAngerWord = hashString(kindShape, "anger-word")

// hanAnger scans a Han run for anger words, longest first.
func (e *extractor) hanAnger(run string) {
	for i := 0; i+3 <= len(run); i += 3 {
		if _, n := hanMatch(run, i, zhAngerWords); n > 0 {
			if !zhNegated(run, i) {
				e.out = append(e.out, shapeAngerWord)
			}
			i += n - 3
		}
	}
}
