package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// maxURL is the longest receiver URL in bytes.
const maxURL = 2048

// blockedPrefixes are address ranges a webhook may not reach unless the
// operator allows private receivers: this host, private networks, shared
// address space (CGNAT), link-local, documentation and benchmark ranges,
// multicast and reserved space, and IPv6 transition prefixes that embed an
// IPv4 address (NAT64, 6to4, Teredo) and so could smuggle one of the others.
var blockedPrefixes = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
		"::/128", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32",
		"2002::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// PublicAddr reports whether a webhook may be delivered to addr when
// private receivers are not allowed.
func PublicAddr(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || !addr.IsGlobalUnicast() || addr.IsPrivate() {
		return false
	}
	for _, p := range blockedPrefixes {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// errPrivate is returned when a receiver resolves to a non-public address.
// It names the setting that lets one in, for a developer whose receiver
// runs on their own machine.
var errPrivate = errors.New("resolves to a loopback, private or otherwise non-public address" +
	" (a server started with DESKPOOL_ALLOW_PRIVATE_WEBHOOKS=true accepts it, for development)")

// checkURL validates a receiver URL: http or https, a host, no user info,
// and, unless private receivers are allowed, a host whose every address
// is public. The message of the error it returns is meant for the user.
func (w *Webhooks) checkURL(ctx context.Context, raw string) error {
	u, err := parseReceiver(raw)
	if err != nil {
		return err
	}
	if w.cfg.AllowPrivate {
		return nil
	}
	host := u.Hostname()
	if addr, err := netip.ParseAddr(host); err == nil {
		if !PublicAddr(addr) {
			return errPrivate
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("host %q does not resolve", host)
	}
	for _, a := range addrs {
		if !PublicAddr(a) {
			return errPrivate
		}
	}
	return nil
}

// parseReceiver checks the form of a receiver URL.
func parseReceiver(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("is required")
	}
	if len(raw) > maxURL {
		return nil, fmt.Errorf("must be at most %d bytes", maxURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("is not a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errors.New("must be an http or https URL")
	case u.User != nil:
		return nil, errors.New("must not carry a user name or password")
	case u.Hostname() == "":
		return nil, errors.New("must name a host")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, errors.New("must not carry a fragment")
	}
	return u, nil
}

// dialControl refuses, at connect time, any address that is not public.
// Checking the address actually dialled, after resolution, defeats DNS
// rebinding between validation and delivery.
func dialControl(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook receiver address %q: %w", address, err)
	}
	if !PublicAddr(ap.Addr()) {
		return fmt.Errorf("webhook receiver address %s is not public", ap.Addr())
	}
	return nil
}

// deliveryClient returns the HTTP client for deliveries: no proxy (a proxy
// would dial on our behalf, past the address check), no redirects followed,
// the per-attempt timeout, and the address check unless private receivers
// are allowed.
func deliveryClient(cfg WebhookConfig) *http.Client {
	dialer := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
	if !cfg.AllowPrivate {
		dialer.Control = dialControl
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
