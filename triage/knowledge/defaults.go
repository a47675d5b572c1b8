package knowledge

func ptr[T any](v T) *T { return &v }

// Defaults are the scenarios every new workspace starts with; the
// workspace may change or delete them.
func Defaults() []Scenario {
	delivered := []string{"fulfilled", "partially_fulfilled"}
	return []Scenario{
		{Key: ptr("return_7day"), Name: "7-day no-reason return", Intent: "return", Priority: 30,
			Triggers: Triggers{ZH: []string{"七天无理由", "7天无理由", "无理由退货", "不想要了", "不喜欢"},
				EN: []string{"no reason", "changed my mind", "don't want it", "don't like it"}},
			Conditions: Conditions{OrderStatus: delivered, MaxDaysSinceDelivery: ptr(7), CrossBorder: ptr(false)},
			Collect:    []string{"order_number"},
			Replies: map[string]string{
				"zh": "{{customer.name}}您好，订单{{order.number}}签收未满7天，支持七天无理由退货。请在订单页面点击“申请退货”，商品保持完好、不影响二次销售即可；我们收到退货后会尽快原路退款。",
				"en": "Hi {{customer.name}}, order {{order.number}} was delivered less than 7 days ago, so you can return it for any reason. Tap \"Request return\" on the order page and send the item back unused; we refund to your original payment method as soon as it arrives.",
			}},
		{Key: ptr("return_quality"), Name: "Quality return", Intent: "return", Priority: 20,
			Triggers: Triggers{ZH: []string{"质量问题", "有瑕疵", "坏了", "破损", "不能用", "掉色", "开线"},
				EN: []string{"defective", "broken", "damaged", "faulty", "doesn't work", "stopped working", "poor quality"}},
			Conditions: Conditions{RequiresOrder: true, RequiresTrigger: true},
			Collect:    []string{"order_number", "problem", "photos"},
			Replies: map[string]string{
				"zh": "{{customer.name}}您好，非常抱歉订单{{order.number}}的商品出现了质量问题。质量问题退货运费由我们承担。麻烦您拍几张问题部位的照片发给我们，收到后专人会为您优先处理退换。",
				"en": "Hi {{customer.name}}, I'm sorry about the problem with order {{order.number}}. For quality returns we pay the shipping. Please send us a few photos of the fault, and a colleague will handle the return or exchange first thing.",
			}},
		{Key: ptr("return_cross_border"), Name: "Cross-border return", Intent: "return", Priority: 40,
			Triggers: Triggers{ZH: []string{"海外", "跨境", "国外", "关税", "海关"},
				EN: []string{"overseas", "international", "abroad", "customs", "import duty"}},
			Conditions: Conditions{CrossBorder: ptr(true)},
			Collect:    []string{"order_number"},
			Replies: map[string]string{
				"zh": "{{customer.name}}您好，订单{{order.number}}属于跨境订单，退货需寄回我们的境内退货仓，已缴纳的关税和国际运费一般无法退还。请在订单页面申请退货，我们会把退货地址和注意事项发给您。",
				"en": "Hi {{customer.name}}, order {{order.number}} shipped across the border, so returns go back to our domestic returns warehouse, and duties and international shipping are usually not refundable. Request the return on the order page and we'll send you the address and steps.",
			}},
		{Key: ptr("order_status"), Name: "Order status", Intent: "order_status", Priority: 10,
			Triggers: Triggers{ZH: []string{"订单状态", "发货了吗", "到哪了", "什么时候发货"},
				EN: []string{"order status", "where is my order", "has it shipped", "when will it ship"}},
			Conditions: Conditions{RequiresOrder: true},
			Collect:    []string{"order_number"},
			Replies: map[string]string{
				"zh": "{{customer.name}}您好，您的订单{{order.number}}当前状态：{{order.status}}。",
				"en": "Hi {{customer.name}}, your order {{order.number}} is {{order.status}}.",
			}},
		{Key: ptr("order_in_transit"), Name: "Order in transit", Intent: "order_status", Priority: 15,
			Conditions: Conditions{Shipped: ptr(true)},
			Collect:    []string{"order_number"},
			Replies: map[string]string{
				"zh": "{{customer.name}}您好，您的订单{{order.number}}已由{{shipment.carrier}}发出，运单号{{shipment.tracking_number}}，预计{{shipment.eta}}送达。",
				"en": "Hi {{customer.name}}, your order {{order.number}} is on its way with {{shipment.carrier}} (tracking {{shipment.tracking_number}}), expected {{shipment.eta}}.",
			}},
		{Key: ptr("logistics_delay"), Name: "Logistics delay", Intent: "logistics_delay", Priority: 10,
			Triggers: Triggers{ZH: []string{"还没到", "物流不动", "太慢", "延误", "几天了"},
				EN: []string{"still not arrived", "delayed", "stuck", "taking forever", "no update"}},
			Conditions: Conditions{Shipped: ptr(true)},
			Collect:    []string{"order_number"},
			Replies: map[string]string{
				"zh": "{{customer.name}}您好，非常抱歉让您久等了。订单{{order.number}}由{{shipment.carrier}}配送，运单号{{shipment.tracking_number}}，最新预计{{shipment.eta}}送达。我们已联系快递加急，有新进展会第一时间通知您。",
				"en": "Hi {{customer.name}}, I'm sorry for the wait. Order {{order.number}} is with {{shipment.carrier}} (tracking {{shipment.tracking_number}}), now expected {{shipment.eta}}. We've asked the courier to hurry and will tell you as soon as it moves.",
			}},
		{Key: ptr("stock"), Name: "Stock question", Intent: "stock", Priority: 10,
			Triggers: Triggers{ZH: []string{"有货吗", "库存", "补货", "还有吗", "缺货"},
				EN: []string{"in stock", "back in stock", "restock", "available", "sold out"}},
			Replies: map[string]string{
				"zh": "{{customer.name}}您好，{{stock.product}}目前库存{{stock.available}}件，下单后48小时内发货。",
				"en": "Hi {{customer.name}}, {{stock.product}} has {{stock.available}} in stock right now and ships within 48 hours of your order.",
			}},
	}
}
