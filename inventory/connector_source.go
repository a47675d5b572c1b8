package inventory

import (
	"context"
	"net/http"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/inventory/shopify"
	"github.com/deskpool/deskpool/inventory/woocommerce"
)

// source is a shop the sync reads: the vendor-neutral listing, and the
// count of orders a backfill measures its progress against.
type source interface {
	shop.Source
	CountOrders(ctx context.Context, since time.Time) (int, error)
}

// tracker refreshes a shipment from the carrier's events (Shopify).
type tracker interface {
	TrackShipment(ctx context.Context, orderExternalID string, s *shop.Shipment) error
}

// newSource builds the shop client of a connector.
func (s *Service) newSource(c *Connector, creds Credentials) (source, error) {
	switch c.Kind {
	case KindShopify:
		return shopify.New(shopify.Config{BaseURL: c.BaseURL, AccessToken: creds.AccessToken, HTTPClient: s.cfg.HTTPClient})
	case KindWooCommerce:
		return woocommerce.New(woocommerce.Config{BaseURL: c.BaseURL, ConsumerKey: creds.ConsumerKey,
			ConsumerSecret: creds.ConsumerSecret, HTTPClient: s.cfg.HTTPClient})
	}
	return nil, deskpool.Errorf(deskpool.ECONFLICT, "A %s connector has no shop to read.", c.Kind)
}

// SetSourceFactory replaces how shop clients are built from connectors; the
// benchmarks use it to tune the client (page size, retries). Call it while
// wiring.
func (s *Service) SetSourceFactory(f func(kind, baseURL string, creds Credentials) (shop.Source, error)) {
	s.sources = func(c *Connector, creds Credentials) (source, error) {
		src, err := f(c.Kind, c.BaseURL, creds)
		if err != nil {
			return nil, err
		}
		if full, ok := src.(source); ok {
			return full, nil
		}
		return uncounted{src}, nil
	}
}

// uncounted is a source that cannot count its orders: the backfill shows
// its done count without a percent.
type uncounted struct{ shop.Source }

func (uncounted) CountOrders(context.Context, time.Time) (int, error) {
	return 0, deskpool.Errorf(deskpool.EUNAVAILABLE, "count not supported")
}

// ShopifyFactory returns a factory for SetSourceFactory that builds
// Shopify clients on httpClient (the default client when nil) with tune
// applied to their configuration, and WooCommerce clients as usual. The
// client is used as given, without the public-address check of the
// service's own client: it is for benchmarks and tests on local shops.
func ShopifyFactory(httpClient *http.Client, tune func(*shopify.Config)) func(kind, baseURL string, creds Credentials) (shop.Source, error) {
	return func(kind, baseURL string, creds Credentials) (shop.Source, error) {
		switch kind {
		case KindShopify:
			cfg := shopify.Config{BaseURL: baseURL, AccessToken: creds.AccessToken, HTTPClient: httpClient}
			if tune != nil {
				tune(&cfg)
			}
			return shopify.New(cfg)
		case KindWooCommerce:
			return woocommerce.New(woocommerce.Config{BaseURL: baseURL, ConsumerKey: creds.ConsumerKey,
				ConsumerSecret: creds.ConsumerSecret, HTTPClient: httpClient})
		}
		return nil, deskpool.Errorf(deskpool.ECONFLICT, "A %s connector has no shop to read.", kind)
	}
}
