package shop_test

import (
	"testing"

	"github.com/deskpool/deskpool/inventory/shop"
)

// TestHMAC pins the signature to RFC 4231 test case 2, so the test
// servers' signing (which calls SignHMAC) cannot agree with a wrong
// VerifyHMAC.
func TestHMAC(t *testing.T) {
	const want = "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=" // base64 of 5bdcc146...ec3843
	body := []byte("what do ya want for nothing?")
	if got := shop.SignHMAC("Jefe", body); got != want {
		t.Fatalf("SignHMAC = %s, want %s", got, want)
	}
	if !shop.VerifyHMAC("Jefe", body, want) {
		t.Fatal("VerifyHMAC rejected the RFC 4231 signature")
	}
}
