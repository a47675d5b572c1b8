package inventory

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory/shop"
)

// maxShopURL is the longest shop base URL in bytes.
const maxShopURL = 500

// checkShopURLForm checks the form of a shop's base URL: absolute https
// (http too when allowHTTP), a host, no user info, query or fragment. The
// message of the error it returns is meant for the user.
func checkShopURLForm(raw string, allowHTTP bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return nil, errors.New("is required for shop connectors")
	case len(raw) > maxShopURL:
		return nil, fmt.Errorf("must be at most %d bytes", maxShopURL)
	case err != nil:
		return nil, errors.New("is not a URL")
	case u.Scheme != "https" && !(allowHTTP && u.Scheme == "http"):
		return nil, errors.New("must be an https URL")
	case u.User != nil:
		return nil, errors.New("must not carry a user name or password")
	case u.Hostname() == "":
		return nil, errors.New("must name a host")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, errors.New("must not carry a query or fragment")
	}
	return u, nil
}

// checkShopURL validates a shop's base URL for a connector being created or
// changed: its form, and unless AllowPrivate, a host whose every address
// is public (helpdesk.PublicAddr). The error is EINVALID naming base_url.
// The address is checked again when the sync connects (shopDialControl),
// which defeats a name that resolves differently later.
func (s *Service) checkShopURL(ctx context.Context, raw string) error {
	invalid := func(msg string) error {
		return deskpool.Invalid(deskpool.FieldError{Field: "base_url", Message: msg})
	}
	u, err := checkShopURLForm(raw, s.cfg.AllowHTTP)
	if err != nil {
		return invalid(err.Error())
	}
	if s.cfg.AllowPrivate {
		return nil
	}
	const private = "must resolve to public addresses only, not loopback, private or otherwise reserved ones"
	host := u.Hostname()
	if addr, err := netip.ParseAddr(host); err == nil {
		if !helpdesk.PublicAddr(addr) {
			return invalid(private)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return invalid(fmt.Sprintf("names a host (%q) that does not resolve", host))
	}
	for _, a := range addrs {
		if !helpdesk.PublicAddr(a) {
			return invalid(private)
		}
	}
	return nil
}

// shopDialControl refuses, at connect time, any address that is not
// public. It checks the address actually dialled, after resolution, so a
// shop host that resolves to a private address later (DNS rebinding), or a
// redirect to one, never reaches it.
func shopDialControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("shop address %q: %w", address, err)
	}
	if !helpdesk.PublicAddr(ap.Addr()) {
		return fmt.Errorf("shop address %s: %w", ap.Addr(), shop.ErrNotPublic)
	}
	return nil
}

// shopHTTPClient returns the client connectors talk to shops with: no
// proxy (a proxy would dial on our behalf, past the address check), at
// most 5 redirects and none from https to http unless allowHTTP, the
// timeout, and the public-address check at connect time unless
// allowPrivate.
func shopHTTPClient(timeout time.Duration, allowHTTP, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = shopDialControl
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("stopped after 5 redirects")
			}
			if req.URL.Scheme != "https" && !allowHTTP {
				return errors.New("refused a redirect away from https")
			}
			return nil
		}}
}
