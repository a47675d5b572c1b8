package triage

import (
	"bytes"
	"compress/gzip"
	"io"
	"slices"
	"testing"
)

// count is how many times a feature occurs in a text's features.
func count(text string, f uint64) int {
	in := prepare(text)
	n := 0
	for _, g := range features(in.norm, in.shout, nil) {
		if g == f {
			n++
		}
	}
	return n
}

// A negator before a degree word still negates ("不太好" is not praise), a
// contrast word marks what follows it, and anger words are one shared feature.
func TestPolarityFeatures(t *testing.T) {
	for _, tc := range []struct {
		text     string
		pos, neg int
		late     uint64 // a feature that must occur, or 0
	}{
		{"质量很好", 1, 0, 0},
		{"质量不太好", 0, 1, 0},
		{"不是很满意", 0, 1, 0},
		{"没那么好用", 0, 1, 0},
		{"质量不错", 1, 0, 0},
		{"物流太慢了，但是质量很好", 1, 1, shapePolPosLate},
		{"slow delivery but great quality", 1, 1, shapePolPosLate},
		{"not good", 0, 1, 0},
		{"拖鞋很舒服", 1, 0, 0},
		{"多亏客服帮忙，很满意", 1, 0, 0},
		{"就是这个颜色好看", 1, 0, 0},
		{"收到的杯子是碎的", 0, 1, 0},
		{"收到的是坏的，我要退货", 0, 2, 0}, // 退货 too
	} {
		pos, neg := count(tc.text, shapePolPos), count(tc.text, shapePolNeg)
		if pos != tc.pos || neg != tc.neg {
			t.Errorf("%q: %d positive and %d negative polarity features, want %d and %d", tc.text, pos, neg, tc.pos, tc.neg)
		}
		if tc.late != 0 && count(tc.text, tc.late) == 0 {
			t.Errorf("%q: no after-contrast polarity feature", tc.text)
		}
	}
	// Words that only look like contrast words turn nothing.
	for _, text := range []string{"质量很好，物流也快", "价格不过分，质量很好", "不但便宜，质量也很好", "但愿质量好",
		"最近忙不过来，质量很好", "not here yet, great price though", "great price, not yet shipped"} {
		if count(text, shapePolPosLate) != 0 {
			t.Errorf("%q: an after-contrast polarity feature without a contrast", text)
		}
	}
	if count("it came on time, yet the quality is terrible", shapePolNegLate) == 0 {
		t.Error(`"yet" at the start of a clause turned nothing`)
	}
	for text, want := range map[string]int{"气死我了，什么破玩意": 2, "this is a scam, absolutely furious": 2,
		"你们也太过分了": 1, "一点都不过分": 0, "天气很好": 0, "thanks, all sorted": 0,
		// everyday words that hold an insult's characters
		"垃圾袋什么时候发货": 0, "这个牌子很靠谱": 0, "相机曝光怎么调": 0, "你们这个说法我不太明白": 0,
		"怎么操作退款": 0, "滚筒洗衣机": 0, "tell me a joke": 0} {
		if got := count(text, shapeAngerWord); got != want {
			t.Errorf("%q: %d anger-word features, want %d", text, got, want)
		}
	}
}

// Chinese and English text each get their own anger threshold, both survive
// a round trip through the model file, and a version 1 file (one threshold)
// still loads with it for both languages.
func TestAngerThresholdPerLanguage(t *testing.T) {
	c := Default()
	if zh, other := c.AngerThresholds(); zh <= 0 || other <= 0 {
		t.Fatalf("thresholds %v / %v", zh, other)
	}
	// Thresholds on either side of one text's P(angry): the text is angry
	// read as Chinese and calm read as English.
	var text string
	var p float64
	for _, text = range []string{"快递还没到，有点着急", "你们这服务真的不行", "等了三天了还没发货", "怎么回事啊", "太慢了吧"} {
		if p = c.m.predict(prepare(text).norm, false, true, nil).angerProb; p > 0.02 && p < 0.98 {
			break
		}
	}
	if p <= 0.02 || p >= 0.98 {
		t.Fatalf("%q: P(angry) %.3f leaves no room for two thresholds", text, p)
	}
	m := c.m
	cuts := [2]float32{float32(p + (1-p)/2), float32(p / 2)}
	two := &Classifier{m: newModel(m.version, m.index, m.weights, m.scale, m.bias, cuts)}
	var buf bytes.Buffer
	if err := two.WriteModel(&buf); err != nil {
		t.Fatal(err)
	}
	again, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if zh, other := again.AngerThresholds(); other != float64(cuts[0]) || zh != float64(cuts[1]) {
		t.Fatalf("round trip: %v / %v", zh, other)
	}
	asZh, asEn := two.m.predict(prepare(text).norm, false, true, nil), two.m.predict(prepare(text).norm, false, false, nil)
	if !asZh.anger || asEn.anger {
		t.Errorf("%q: angry as Chinese %v, as English %v; want true, false", text, asZh.anger, asEn.anger)
	}
	if !two.Classify(text, Context{}).Anger {
		t.Errorf("%q: Classify did not use the Chinese threshold", text)
	}

	// Version 1: the same file with the old magic and one threshold.
	zr, err := gzip.NewReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(zr)
	v1 := slices.Clone(raw)
	copy(v1, modelMagicV1)
	off := len(modelMagic) + 1 + len(m.version)
	for _, labels := range headLabels() {
		off++
		for _, l := range labels {
			off += 1 + len(l)
		}
	}
	off += uvarintLen(uint64(len(m.index))) + 4*(2*numOutputs) // start of the thresholds
	v1 = append(v1[:off+4], v1[off+8:]...)                     // drop the Chinese one
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(v1)
	zw.Close()
	old, err := Load(&gz)
	if err != nil {
		t.Fatalf("version 1 file: %v", err)
	}
	if zh, other := old.AngerThresholds(); other != float64(cuts[0]) || zh != other {
		t.Fatalf("version 1 file: thresholds %v / %v", zh, other)
	}
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// Every validation source weighs the same when the anger threshold is
// chosen: a large source whose alarms are mostly false cannot push the
// threshold past where a small source of customer messages is served well.
func TestAngerCutWeighsSourcesAlike(t *testing.T) {
	var probs []float64
	var exs []Example
	add := func(source string, n int, p float64, angry bool) {
		for range n {
			probs = append(probs, p)
			exs = append(exs, Example{Anger: angry, Source: source})
		}
	}
	// Forum comments: 20 sure alarms at 0.7, then 20 angry and 30 calm at 0.555.
	add("forum", 20, 0.7, true)
	add("forum", 20, 0.555, true)
	add("forum", 30, 0.555, false)
	add("forum", 930, 0.05, false)
	// Customer messages: at 0.555, 40 angry fire and none calm.
	add("customers", 40, 0.555, true)
	add("customers", 60, 0.05, false)
	// Counted line by line, precision at 0.555 is 80/110 = 0.73, so the
	// threshold would rise above it and miss every angry customer; with
	// each source weighed alike it is (0.04+0.4)/(0.07+0.4) = 0.94.
	if cut := chooseAngerCut(probs, exs, 0.8); float64(cut) > 0.555 {
		t.Errorf("threshold %.2f: the larger source outweighed the smaller", cut)
	}
}

// P(angry) without the exclamation marks, taken out of a text's summed
// weights, is the score of the same text's features with those marks left
// out.
func TestAngerWithoutExclamationLeavesOutOnlyTheMarks(t *testing.T) {
	m := Default().m
	for _, text := range []string{"where is my parcel!!!", "气死我了！！！什么破玩意", "thanks so much!", "你们到底什么时候发货！", "!!!"} {
		in := prepare(text)
		feats := features(in.norm, in.shout, nil)
		var rest []uint64
		for _, f := range feats {
			if f != shapeEx1 && f != shapeEx2 && f != shapeEx3 {
				rest = append(rest, f)
			}
		}
		if len(rest) == len(feats) {
			t.Fatalf("%q: no exclamation features", text)
		}
		var scores [32]float64
		m.logits(rest, nil, scores[:numOutputs])
		acc := make([]int32, numOutputs)
		if got, want := m.angerWithoutExclamation(feats, acc, m.accumulate(feats, acc)), m.angerProb(scores[:numOutputs]); got != want {
			t.Errorf("%q: P(angry) without exclamation marks %v, want %v", text, got, want)
		}
	}
}
