package shop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// VerifyHMAC reports whether header is the base64 HMAC-SHA256 of the raw
// body under secret, compared in constant time: the signature scheme both
// Shopify (X-Shopify-Hmac-Sha256) and WooCommerce (X-WC-Webhook-Signature)
// put on their webhooks.
func VerifyHMAC(secret string, body []byte, header string) bool {
	if secret == "" || header == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header))
	if err != nil {
		return false
	}
	return hmac.Equal(got, sum(secret, body))
}

// SignHMAC returns the signature header VerifyHMAC accepts for body under
// secret, as the shops (and their test servers) send it.
func SignHMAC(secret string, body []byte) string {
	return base64.StdEncoding.EncodeToString(sum(secret, body))
}

func sum(secret string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return mac.Sum(nil)
}
