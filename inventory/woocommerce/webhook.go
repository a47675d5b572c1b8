package woocommerce

import (
	"encoding/json"
	"regexp"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
)

// Webhook topics deskpool subscribes to.
const (
	TopicOrderCreated   = "order.created"
	TopicOrderUpdated   = "order.updated"
	TopicProductUpdated = "product.updated"
)

// Webhook request headers WooCommerce sends.
const (
	HeaderSignature  = "X-WC-Webhook-Signature"
	HeaderTopic      = "X-WC-Webhook-Topic"
	HeaderSource     = "X-WC-Webhook-Source"
	HeaderDeliveryID = "X-WC-Webhook-Delivery-ID"
)

// VerifyWebhook reports whether header (the X-WC-Webhook-Signature value)
// is the base64 HMAC-SHA256 of the raw body under secret, in constant time.
func VerifyWebhook(secret string, body []byte, header string) bool {
	return shop.VerifyHMAC(secret, body, header)
}

// TopicPing is the topic deskpool gives WooCommerce's creation ping.
const TopicPing = "ping"

// pingBody is the whole body of WooCommerce's creation ping.
var pingBody = regexp.MustCompile(`^webhook_id=[0-9]{1,20}$`)

// IsPing reports whether a delivery is the ping WooCommerce sends once
// when a webhook is created or its delivery URL changes
// (WC_Webhook::deliver_ping in includes/class-wc-webhook.php): a POST whose
// form-encoded body is only "webhook_id=<id>", with no signature and no
// topic header. WooCommerce saves the webhook only if the ping is answered
// 200. header reads the request's headers.
func IsPing(header func(string) string, body []byte) bool {
	return header(HeaderSignature) == "" && header(HeaderTopic) == "" && pingBody.Match(body)
}

// Event is a decoded webhook: Order for order topics, Stock (the product's
// own level, when it manages stock) for product.updated.
type Event struct {
	Topic string
	Order *shop.Order
	Stock []shop.StockLevel
}

// DecodeWebhook decodes the body of a verified webhook of a subscribed
// topic; an unknown topic or a body that is not the topic's JSON is an
// EBADREQUEST error (the handler answers 400 and stores nothing). A
// variable product's payload carries only variation ids, so it gives no
// levels: the next stock sync reads them.
func DecodeWebhook(topic string, body []byte) (Event, error) {
	ev := Event{Topic: topic}
	switch topic {
	case TopicOrderCreated, TopicOrderUpdated:
		var o orderJSON
		if err := json.Unmarshal(body, &o); err != nil || o.ID == 0 {
			return ev, badPayload(topic, err)
		}
		so := o.toShop()
		ev.Order = &so
	case TopicProductUpdated:
		var p productJSON
		if err := json.Unmarshal(body, &p); err != nil || p.ID == 0 {
			return ev, badPayload(topic, err)
		}
		if p.Type != "variable" && p.ManageStock && p.StockQuantity != nil {
			ev.Stock = []shop.StockLevel{level(p.SKU, p.ID, p.ID, p.Name, *p.StockQuantity, p.DateModifiedGMT)}
		}
	default:
		return ev, deskpool.Errorf(deskpool.EBADREQUEST, "woocommerce: unsupported webhook topic %q", topic)
	}
	return ev, nil
}

func badPayload(topic string, err error) error {
	msg := "missing id"
	if err != nil {
		msg = err.Error()
	}
	return deskpool.Errorf(deskpool.EBADREQUEST, "woocommerce: %s payload: %s", topic, msg)
}
