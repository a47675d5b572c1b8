package main

import (
	"slices"
	"strings"
	"testing"
)

// TestConfigTrustedProxies: DESKPOOL_TRUSTED_PROXIES takes IPs and CIDR
// ranges, comma-separated; the flag overrides it; anything else is
// refused, naming the variable.
func TestConfigTrustedProxies(t *testing.T) {
	old := getenv
	defer func() { getenv = old }()
	vars := map[string]string{"DESKPOOL_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7,::1"}
	getenv = func(k string) string { return vars[k] }
	cfg, _, err := LoadConfig("serve", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"10.0.0.0/8", "192.168.1.7", "::1"}; !slices.Equal(cfg.API.TrustedProxies, want) {
		t.Fatalf("TrustedProxies = %q, want %q", cfg.API.TrustedProxies, want)
	}
	cfg, _, err = LoadConfig("serve", []string{"--trusted-proxies", "172.16.0.1"})
	if err != nil || !slices.Equal(cfg.API.TrustedProxies, []string{"172.16.0.1"}) {
		t.Fatalf("the flag: %q, %v", cfg.API.TrustedProxies, err)
	}
	vars["DESKPOOL_TRUSTED_PROXIES"] = "10.0.0.0/8,proxy.internal"
	if _, _, err := LoadConfig("serve", nil); err == nil || !strings.Contains(err.Error(), "DESKPOOL_TRUSTED_PROXIES") {
		t.Fatalf("a host name: %v", err)
	}
}
