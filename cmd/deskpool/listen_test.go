package main

import (
	"net"
	"strings"
	"testing"
)

// TestListenAPI: an address another program holds is refused with the way
// out (DESKPOOL_ADDR), and a free one is listened on.
func TestListenAPI(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()

	t.Run("ErrAddressInUse", func(t *testing.T) {
		ln, err := listenAPI(taken.Addr().String())
		if err == nil {
			ln.Close()
			t.Fatalf("listened on %s, which another listener holds", taken.Addr())
		}
		for _, want := range []string{taken.Addr().String(), "already in use", "DESKPOOL_ADDR=127.0.0.1:9000"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the error does not say %q: %v", want, err)
			}
		}
	})
	t.Run("FreeAddress", func(t *testing.T) {
		ln, err := listenAPI("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
	})
}
