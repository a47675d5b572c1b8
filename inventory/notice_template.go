package inventory

import (
	"strings"
	"time"
)

// Notice kinds: what a proactive notice is about.
const (
	NoticeOrderLate       = "order_late"       // not shipped by the promised time
	NoticeTrackingStalled = "tracking_stalled" // the parcel's tracking has not moved
	NoticeDeliverySlipped = "delivery_slipped" // the estimated delivery moved later or passed
	NoticeStockOut        = "stock_out"        // an item of an open order ran out
	NoticeStockAsked      = "stock_out_asked"  // a product a customer asked about in an open conversation ran out
)

// noticeTemplates hold each notice in Chinese and English; {placeholders}
// are filled from the order, shipment or variant.
var noticeTemplates = map[string]map[string]string{
	NoticeOrderLate: {
		"en": "Hello {name}, we're sorry: your order {number} has not shipped by {promised} as we promised. We are on it and will send you the tracking number as soon as it leaves our warehouse.",
		"zh": "{name}您好，非常抱歉：您的订单 {number} 未能在承诺的 {promised} 前发货。我们正在加急处理，发货后会第一时间把物流单号发给您。",
	},
	NoticeTrackingStalled: {
		"en": "Hello {name}, the tracking of your order {number} ({carrier} {tracking}) has not updated since {since}. We have asked the carrier to check on your parcel and will keep you posted.",
		"zh": "{name}您好，您的订单 {number}（{carrier} {tracking}）自 {since} 起物流信息没有更新。我们已联系快递公司核查，有进展会第一时间告诉您。",
	},
	NoticeDeliverySlipped: {
		"en": "Hello {name}, the carrier now expects your order {number} ({carrier} {tracking}) to arrive around {eta}, later than first planned. Sorry for the wait; we are following it closely.",
		"zh": "{name}您好，快递公司预计您的订单 {number}（{carrier} {tracking}）将于 {eta} 左右送达，比原计划晚一些。抱歉让您久等，我们会持续跟进。",
	},
	NoticeStockOut: {
		"en": "Hello {name}, {product} in your order {number} has just sold out. Reply to this message and we will help you choose: wait for the restock, swap it for something similar, or get a refund for it.",
		"zh": "{name}您好，您订单 {number} 中的 {product} 刚刚售罄。回复本消息，我们帮您选择：等待补货、换成相近的商品，或退还该商品的款项。",
	},
	NoticeStockAsked: {
		"en": "Hello {name}, about {product} you asked us about: it has just sold out. Reply to this message and we will tell you when it is back, or suggest something similar.",
		"zh": "{name}您好，您咨询的 {product} 刚刚售罄。回复本消息，我们可以在补货后第一时间通知您，或为您推荐相近的商品。",
	},
}

// noticeFacts fill a template's placeholders.
type noticeFacts struct {
	Name, Number, Carrier, Tracking, Product string
	Promised, Since, ETA                     *time.Time
}

// renderNotice fills the template of kind in lang (English when the
// language has none).
func renderNotice(kind, lang string, f noticeFacts) string {
	tpl, ok := noticeTemplates[kind][lang]
	if !ok {
		tpl, lang = noticeTemplates[kind]["en"], "en"
	}
	name := f.Name
	if name == "" {
		name = map[string]string{"en": "there", "zh": "亲"}[lang]
	}
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		if lang == "zh" {
			return t.In(chinaTime).Format("2006年1月2日")
		}
		return t.UTC().Format("Jan 2, 2006")
	}
	return strings.NewReplacer("{name}", name, "{number}", f.Number, "{carrier}", f.Carrier, "{tracking}", f.Tracking,
		"{product}", f.Product, "{promised}", day(f.Promised), "{since}", day(f.Since), "{eta}", day(f.ETA)).Replace(tpl)
}

// chinaTime is the zone Chinese notices give their dates in.
var chinaTime = time.FixedZone("CST", 8*3600)

// noticeLanguage picks the customer's language, else Chinese for orders in
// yuan, else the default.
func noticeLanguage(customerLang, currency, fallback string) string {
	switch {
	case strings.HasPrefix(customerLang, "zh"):
		return "zh"
	case strings.HasPrefix(customerLang, "en"):
		return "en"
	case currency == "CNY":
		return "zh"
	}
	return fallback
}
