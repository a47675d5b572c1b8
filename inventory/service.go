// Package inventory keeps each workspace's orders, shipments and stock,
// synced from its shop through connectors (Shopify, WooCommerce, the push
// API, CSV), and tells customers first when an order runs late or stock
// runs out.
package inventory

// Service holds the inventory operations.
type Service struct{}
