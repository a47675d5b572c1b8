package shopify

import (
	"encoding/json"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
)

// Webhook topics deskpool subscribes to.
const (
	TopicOrdersCreate          = "orders/create"
	TopicOrdersUpdated         = "orders/updated"
	TopicFulfillmentsCreate    = "fulfillments/create"
	TopicInventoryLevelsUpdate = "inventory_levels/update"
)

// Webhook request headers Shopify sends.
const (
	HeaderHmac      = "X-Shopify-Hmac-Sha256"
	HeaderTopic     = "X-Shopify-Topic"
	HeaderShop      = "X-Shopify-Shop-Domain"
	HeaderWebhookID = "X-Shopify-Webhook-Id"
)

// VerifyWebhook reports whether header (the X-Shopify-Hmac-Sha256 value) is
// the base64 HMAC-SHA256 of the raw body under secret, in constant time.
func VerifyWebhook(secret string, body []byte, header string) bool {
	return shop.VerifyHMAC(secret, body, header)
}

// Event is a decoded webhook: Order for order topics, Shipment (with its
// OrderExternalID) for fulfillments, Stock for inventory levels.
type Event struct {
	Topic           string
	Order           *shop.Order
	OrderExternalID string
	Shipment        *shop.Shipment
	Stock           *shop.StockLevel
}

// DecodeWebhook decodes the body of a verified webhook of one of the four
// topics; an unknown topic or a body that is not the topic's JSON is an
// EBADREQUEST error (the handler answers 400 and stores nothing).
func DecodeWebhook(topic string, body []byte) (Event, error) {
	ev := Event{Topic: topic}
	switch topic {
	case TopicOrdersCreate, TopicOrdersUpdated:
		var o orderJSON
		if err := json.Unmarshal(body, &o); err != nil || o.ID == 0 {
			return ev, badPayload(topic, err)
		}
		so := o.toShop()
		ev.Order, ev.OrderExternalID = &so, so.ExternalID
	case TopicFulfillmentsCreate:
		var f fulfillmentJSON
		if err := json.Unmarshal(body, &f); err != nil || f.ID == 0 || f.OrderID == 0 {
			return ev, badPayload(topic, err)
		}
		s := f.toShop()
		ev.Shipment, ev.OrderExternalID = &s, id(f.OrderID)
	case TopicInventoryLevelsUpdate:
		var l levelJSON
		if err := json.Unmarshal(body, &l); err != nil || l.InventoryItemID == 0 {
			return ev, badPayload(topic, err)
		}
		st := shop.StockLevel{InventoryItemID: id(l.InventoryItemID), LocationID: id(l.LocationID),
			UpdatedAt: l.UpdatedAt.UTC()}
		if l.Available != nil {
			st.Available = max(*l.Available, 0)
		}
		if st.UpdatedAt.IsZero() {
			st.UpdatedAt = time.Now().UTC()
		}
		ev.Stock = &st
	default:
		return ev, deskpool.Errorf(deskpool.EBADREQUEST, "shopify: unsupported webhook topic %q", topic)
	}
	return ev, nil
}

func badPayload(topic string, err error) error {
	msg := "missing id"
	if err != nil {
		msg = err.Error()
	}
	return deskpool.Errorf(deskpool.EBADREQUEST, "shopify: %s payload: %s", topic, msg)
}
