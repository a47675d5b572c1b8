package knowledge

import (
	"strconv"
	"strings"
	"time"

	"github.com/deskpool/deskpool/helpdesk"
)

// Placeholders a reply template may use, filled from the synced order,
// shipment and stock data.
var Placeholders = []string{
	"customer.name", "order.number", "order.status", "shipment.carrier",
	"shipment.tracking_number", "shipment.eta", "stock.available", "stock.product",
}

// values returns the placeholder values known from the facts; unknown ones are absent.
func values(f *Facts, lang string) map[string]string {
	v := map[string]string{}
	if f.CustomerName != "" {
		v["customer.name"] = f.CustomerName
	}
	if o := f.Order; o != nil {
		v["order.number"] = o.Number
		if w := helpdesk.OrderStatusWord(lang, o.Status); w != "" {
			v["order.status"] = w
		}
		if o.Carrier != "" {
			v["shipment.carrier"] = o.Carrier
		}
		if o.Tracking != "" {
			v["shipment.tracking_number"] = o.Tracking
		}
		if o.ETA != nil {
			v["shipment.eta"] = formatDate(*o.ETA, lang)
		}
	}
	if s := f.Stock; s != nil {
		v["stock.available"] = strconv.Itoa(s.Available)
		v["stock.product"] = s.Product
	}
	return v
}

func formatDate(t time.Time, lang string) string {
	if lang == "zh" {
		return t.Format("1月2日")
	}
	return t.Format("Mon 2 Jan")
}

// render fills a template; missing lists the placeholders with no value.
// {{customer.name}} without a name reads as nothing, so a greeting still works.
func render(tpl string, v map[string]string) (out string, missing []string) {
	out = placeholderRE.ReplaceAllStringFunc(tpl, func(m string) string {
		name := placeholderRE.FindStringSubmatch(m)[1]
		if s, ok := v[name]; ok {
			return s
		}
		if name != "customer.name" {
			missing = append(missing, name)
		}
		return ""
	})
	return strings.TrimSpace(strings.ReplaceAll(out, " ,", ",")), missing
}

// askFor is what the AI says to collect a fact it needs.
var askFor = map[string]map[string]string{
	"zh": {
		"order_number": "为了尽快帮您处理，请提供一下您的订单号。",
		"photos":       "麻烦您拍几张商品问题的照片发给我们，我们会马上为您处理。",
		"product":      "请告诉我您想了解的商品名称或货号，我马上为您查询库存。",
	},
	"en": {
		"order_number": "To sort this out quickly, could you send me your order number?",
		"photos":       "Could you send us a few photos of the problem? We'll take care of it right away.",
		"product":      "Which product do you mean? Send me its name or SKU and I'll check the stock.",
	},
}

func ask(lang, what string) string {
	if m, ok := askFor[lang]; ok {
		return m[what]
	}
	return askFor["en"][what]
}
