package triage

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// guardFloors are the figures the built-in model reached on the frozen
// sample in testdata/guard.jsonl (drawn from the test parts of the real sets
// in ../shared/training-data, the blind hand-written held-out set and the
// parallel set; never trained on) when it was recorded, as hits out of rows.
// A model that scores lower on any of them fails: retrain, or record a
// justified new floor. The sample also holds the held-out review templates
// (own_reviews_*). Recorded floors lowered on purpose: real_emotion_en
// sentiment (415 -> 357 of 696), since subtitle sentiment (XED) no longer
// trains the sentiment head (it lowered review sentiment on the validation
// parts); real_emotion_en anger recall (11 -> 8 of 86 angry rows) and
// real_emotion_zh anger precision (2 of 5 -> 2 of 6), as the threshold chosen
// on validation for precision first rose from 0.56 to 0.61 (on the whole test
// parts precision rose: GoEmotions 68.9 -> 70.1%, XED 62.1 -> 63.4%, zh XED
// 53.5 -> 57.1%). Third round (new templates and concepts for the meanings
// the parallel set showed missing, chosen on the validation parts): raised
// where the model rose (parallel agreement 310 -> 327, parallel intent zh
// 327 -> 337 and en 323 -> 334, own_reviews_en 243 -> 249, real_emotion_zh
// sentiment 13 -> 14, anger: en recall 8 -> 10, zh precision 2 of 6 -> 2 of 5);
// lowered where it fell by one to five rows: own_holdout2 zh 111 -> 110 and
// en 112 -> 110 of 114, real_intent_en 309 -> 307 of 355, own_reviews_zh
// 353 -> 351 of 382, real_emotion_en sentiment 357 -> 352 of 696 (a head not
// trained on those sets), real_emotion_en anger precision 8 of 15 -> 10 of 19
// (two more angry rows found, one more false alarm). Fourth round (shop
// account and order service templates, own corpus weight 3 -> 2, chosen on the
// validation parts): the blind holdout3 sets join the sample (recorded at
// 82 of 88 zh and 81 of 90 en; the previous model scored 66 and 64); raised
// where the model rose (real_intent_en 307 -> 311, own_holdout2 zh and en
// 110 -> 111, own_reviews_zh 351 -> 355, real_emotion_en anger P 10 of 19 ->
// 12 of 22 and R 10 -> 12); lowered where it fell by one or two rows:
// parallel intent zh 337 -> 336 and en 334 -> 332, parallel agreement 327 ->
// 325 of 358, own_reviews_en 249 -> 248 of 282, real_emotion_zh anger
// precision 2 of 5 -> 2 of 6 (the threshold chosen on validation fell from
// 0.60 to 0.55: one more alarm, no more angry rows found in this sample).
// Fifth round (hand-written written_*.jsonl corpora in five rounds, polarity
// and anger words, an anger threshold per language, no length feature): the
// written files' test lines join the sample (written_*, recorded as the model
// scored them); raised where the model rose (own_holdout2 zh 111 -> 113 and
// en 111 -> 112, own_holdout3 zh 82 and en 81 -> 85, own_reviews_zh 355 ->
// 367 and en 248 -> 262, parallel agreement 325 -> 331, intent zh 336 -> 345
// and en 332 -> 340, real_emotion_en sentiment 352 -> 375 and anger R 12 ->
// 20, real_emotion_zh anger P 2/6 -> 3/5, R 2 -> 3); lowered where it fell:
// real_emotion_en anger P 12/22 -> 20/37 (eight more angry rows found, seven
// more false alarms, as the English threshold fell from 0.55 to 0.41),
// real_intent_en 311 -> 306 of 355 (on the whole real test
// parts intent accuracy fell 0.4 point, 87.9 -> 87.5%, with the
// kept-back texts out of training), real_emotion_zh
// sentiment 14 -> 12 of 24 (subtitle sentiment, a head now trained mostly on
// shop and service text).
// Then the 31 own-corpus lines whose text equals a kept-back test line
// stopped training (cmd/train's ownExamples): every floor recorded again as
// that model scored, down by one to seven rows on 13 measures (own_holdout3_zh
// 82 -> 81, own_reviews zh 367 -> 366 and en 262 -> 260, parallel agreement
// 331 -> 330 and intent zh 345 -> 344, written_sentiment zh 1364 -> 1357 and
// en 712 -> 707, written_pairs en 398 -> 396, written_requests_en 156 ->
// 155, real_emotion_en sentiment 375 -> 372, anger precision zh real 3/5 ->
// 3/6, written zh 217/232 -> 219/236, en 48/51 -> 51/55), up on 7.
// Sixth round (new hand-written corpora: English requests, Chinese requests,
// English posts to brands, Chinese reviews and Chinese spoken lines by
// emotion; own corpus weight 2 -> 1, chosen on the validation parts): their
// test lines join the sample (written_requests_zh new; written_requests_en
// 181 -> 381 rows, written_sentiment zh 1598 -> 1998 and en 862 -> 1062);
// every floor recorded as the model scored. Raised: real_intent_en 307 ->
// 309, own_holdout3 zh 81 -> 83 and en 85 -> 86, own_reviews zh 366 -> 369
// and en 260 -> 265, written_pairs agreement 376 -> 389, intent zh 408 ->
// 413 and en 396 -> 400, real_emotion_zh sentiment 13 -> 14 and anger P 3/6
// -> 3/5. Lowered by one to four rows: own_holdout2_zh 113 -> 112, parallel
// agreement 330 -> 329 and intent en 340 -> 337, written_other 179 -> 176,
// real_emotion_en sentiment 372 -> 370 (a head not trained on those sets),
// real_emotion_en anger 22 of 40 alarms right -> 18 of 35 (the English
// threshold chosen on validation rose from 0.39 to 0.45, the Chinese one
// from 0.51 to 0.53). On the whole test parts
// real intent accuracy rose 87.5 -> 88.7% and parallel agreement 92.2 ->
// 93.0% (eval counts a pair by the guess before abstaining).
// Seventh round (hand-written English travel posts, out-of-scope lines at
// the boundary with product questions, and a fifth round of pairs; chosen
// on the validation parts): their test lines join the sample (written_other
// 204 -> 354 rows, written_pairs 500 -> 583 pairs, written_sentiment_en
// 1062 -> 1228); every floor recorded as the model scored. Raised:
// real_intent_en 309 -> 311, parallel agreement 329 -> 330 and intent zh
// 344 -> 347, real_emotion_en sentiment 370 -> 374, written_requests_en 321
// -> 322, written_sentiment_zh 1684 -> 1688. Lowered by one or two rows:
// own_holdout3_zh 83 -> 82, own_reviews_en 265 -> 264, parallel intent en
// 337 -> 335, written_sentiment_zh anger 240 -> 239 found.
// Then a second round of Chinese spoken lines by emotion (dramas, work,
// family, translated films; chosen on the validation parts): its test lines
// join written_sentiment_zh (1998 -> 2198 rows, 350 -> 398 angry); every
// floor recorded as the model scored. Raised: real_intent_en 311 -> 312,
// real_emotion_en sentiment 374 -> 377 and anger 18 of 33 -> 20 of 36
// alarms right, written_other 303 -> 304, written_pairs intent en 470 ->
// 471. Lowered by one to three rows: own_reviews en 264 -> 263 and zh 369
// -> 367, parallel agreement 330 -> 329 and intent zh 347 -> 346,
// written_requests_zh 176 -> 175, written_sentiment_en 1041 -> 1038.
// Then words that only look like contrast words (不过分, 但愿, 不但, "not
// yet") stopped turning a message: recorded as the model scored, lowered
// by one to four rows: real_emotion_en sentiment 377 -> 375 and anger 20 of
// 36 -> 19 of 34 alarms right, written_sentiment_en 1038 -> 1037 and its
// anger 61 of 64 -> 57 of 59 alarms right (the English threshold chosen on
// validation rose from 0.42 to 0.43; on the whole test parts GoEmotions
// anger precision rose 59.6 -> 60.3% at recall 34.6 -> 34.0%, XED 54.5 ->
// 55.4% at 17.5 -> 16.9%).
// Then "registration" joined the account concept and "review" and "rating"
// the feedback one ("I have an issue with the registration" had read as a
// product question): recorded as the model scored. Raised: parallel
// agreement 329 -> 330 and intent zh 346 -> 347, real_emotion_en sentiment
// 375 -> 378 and anger 19 -> 20 found, written_other 304 -> 305,
// written_sentiment_en anger 57 -> 61 found (61 of 64 alarms right).
// Lowered by one row: real_intent_en 312 -> 311, written_sentiment en 1037
// -> 1036 and zh 1875 -> 1874.
// Then what arrived broken (碎的, 坏的, 破的, 裂的) became a complaint word
// ("收到的杯子是碎的" had read as neutral): recorded as the model scored.
// Raised: written_pairs agreement 447 -> 448, written_requests_zh 175 ->
// 176, written_sentiment_zh 1874 -> 1877. Lowered by one pair: parallel
// agreement 330 -> 329 and intent zh 347 -> 346.
// Then short shopping queries (written_shopping.jsonl: bare product names,
// "need X", price, size and ingredient questions, beside short off-topic
// lines; chosen on the validation parts, where HINT3 rose 69.5 -> 75.6% in
// three seeds and CLINC fell 0.2-0.9 point): its test lines join the
// sample (written_shopping, 104 of 129; the previous model scored 75).
// Raised: own_holdout2_zh 112 -> 113, parallel agreement 329 -> 331 and
// intent en 335 -> 336, zh 346 -> 347, written_pairs agreement 448 -> 450,
// written_requests en 322 -> 323 and zh 176 -> 179, written_sentiment_en
// 1036 -> 1037. Lowered: written_other 305 -> 298 (short questions about
// the world now read as product questions more often), real_intent_en 311
// -> 309 (on the whole real test parts 88.1 -> 87.9%: HINT3 76.9 -> 77.3%,
// CLINC 87.9 -> 87.2%), written_pairs intent en 471 -> 470,
// real_emotion_en sentiment 378 -> 377.
var guardFloors = map[string]ratio{
	"own_holdout2_en intent":         {112, 114},
	"own_holdout2_zh intent":         {113, 114},
	"own_holdout3_en intent":         {86, 90},
	"own_holdout3_zh intent":         {82, 88},
	"own_reviews_en sentiment":       {263, 282},
	"own_reviews_zh sentiment":       {367, 382},
	"parallel agreement":             {331, 358},
	"parallel intent en":             {336, 358},
	"parallel intent zh":             {347, 358},
	"real_emotion_en anger P":        {20, 36},
	"real_emotion_en anger R":        {20, 86},
	"real_emotion_en sentiment":      {377, 696},
	"real_emotion_zh anger P":        {3, 5},
	"real_emotion_zh anger R":        {3, 11},
	"real_emotion_zh sentiment":      {14, 24},
	"real_intent_en intent":          {309, 355},
	"written_other intent":           {298, 354},
	"written_pairs agreement":        {450, 583},
	"written_pairs intent en":        {470, 583},
	"written_pairs intent zh":        {483, 583},
	"written_requests_en intent":     {323, 381},
	"written_requests_zh intent":     {179, 200},
	"written_sentiment_en anger P":   {61, 64},
	"written_sentiment_en anger R":   {61, 91},
	"written_sentiment_en sentiment": {1037, 1228},
	"written_sentiment_zh anger P":   {263, 299},
	"written_sentiment_zh anger R":   {263, 398},
	"written_sentiment_zh sentiment": {1877, 2198},
	"written_shopping intent":        {104, 129},
}

// guardRow is one line of the frozen sample.
type guardRow struct {
	Group     string `json:"group"`
	Text      string `json:"text"`
	Intent    string `json:"intent"`
	Sentiment string `json:"sentiment"`
	Anger     *bool  `json:"anger"`
	Pair      string `json:"pair"` // the English side of a parallel pair
}

// ratio counts hits out of a total.
type ratio struct{ hit, n int }

func (r *ratio) add(ok bool) {
	r.n++
	if ok {
		r.hit++
	}
}

func (r ratio) value() float64 {
	if r.n == 0 {
		return 0
	}
	return float64(r.hit) / float64(r.n)
}

func TestAccuracyGuard(t *testing.T) {
	f, err := os.Open("testdata/guard.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := Default()
	got := map[string]*ratio{}
	add := func(name string, ok bool) {
		if got[name] == nil {
			got[name] = &ratio{}
		}
		got[name].add(ok)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var row guardRow
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		r := c.Classify(row.Text, Context{})
		switch {
		case row.Pair != "":
			en := c.Classify(row.Pair, Context{})
			add(row.Group+" intent zh", r.Intent == row.Intent)
			add(row.Group+" intent en", en.Intent == row.Intent)
			add(row.Group+" agreement", r.Intent == en.Intent)
		case row.Intent != "":
			add(row.Group+" intent", r.Intent == row.Intent)
		default:
			if row.Sentiment != "" {
				add(row.Group+" sentiment", r.Sentiment == row.Sentiment)
			}
			if row.Anger != nil && r.Anger {
				add(row.Group+" anger P", *row.Anger)
			}
			if row.Anger != nil && *row.Anger {
				add(row.Group+" anger R", r.Anger)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for name, r := range got {
		if _, ok := guardFloors[name]; !ok {
			t.Errorf("%s: in the sample but no floor recorded (now %d/%d)", name, r.hit, r.n)
		}
	}
	for name, floor := range guardFloors {
		r := got[name]
		switch {
		case r == nil:
			t.Errorf("%s: no rows in the sample", name)
		case !strings.HasSuffix(name, " P") && r.n != floor.n: // a precision counts the model's own alarms
			t.Errorf("%s: %d rows in the sample, %d recorded: the sample changed", name, r.n, floor.n)
		case r.value() < floor.value():
			t.Errorf("%s fell to %.4f (%d/%d), below the recorded %.4f (%d/%d)", name, r.value(), r.hit, r.n, floor.value(), floor.hit, floor.n)
		default:
			t.Logf("%-28s %.4f (%d/%d), recorded %.4f", name, r.value(), r.hit, r.n, floor.value())
		}
	}
}
