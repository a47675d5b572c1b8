package secretbox_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/deskpool/deskpool/secretbox"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, secretbox.KeySize) }

func TestSealOpen(t *testing.T) {
	box, err := secretbox.New(map[string][]byte{"k1": key(1)}, "k1")
	if err != nil {
		t.Fatal(err)
	}
	ad := secretbox.ConnectorAD("tenant-a", "conn-1")
	secret := []byte(`{"access_token":"shpat_0123456789"}`)
	c1, err := box.Seal(secret, ad)
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := box.Seal(secret, ad)
	if bytes.Equal(c1, c2) {
		t.Fatal("two seals of one secret are equal: nonce reused")
	}
	if bytes.Contains(c1, []byte("shpat_")) {
		t.Fatal("plaintext visible in ciphertext")
	}
	if id, ok := secretbox.KeyID(c1); !ok || id != "k1" {
		t.Fatalf("KeyID = %q, %v", id, ok)
	}
	got, err := box.Open(c1, ad)
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v", got, err)
	}

	t.Run("ErrOpen", func(t *testing.T) {
		tampered := bytes.Clone(c1)
		tampered[len(tampered)-1] ^= 1
		relabelled := bytes.Clone(c1)
		relabelled[3] = '2' // "k1" -> "k2": the header is authenticated
		cases := map[string]struct {
			c, ad []byte
		}{
			"OtherTenant":    {c1, secretbox.ConnectorAD("tenant-b", "conn-1")},
			"OtherConnector": {c1, secretbox.ConnectorAD("tenant-a", "conn-2")},
			"ShiftedParts":   {c1, secretbox.ConnectorAD("tenant-ac", "onn-1")},
			"Tampered":       {tampered, ad},
			"Relabelled":     {relabelled, ad},
			"Truncated":      {c1[:20], ad},
			"Empty":          {nil, ad},
			"BadVersion":     {append([]byte{9}, c1[1:]...), ad},
		}
		for name, tc := range cases {
			if _, err := box.Open(tc.c, tc.ad); !errors.Is(err, secretbox.ErrOpen) {
				t.Errorf("%s: err = %v", name, err)
			}
		}
	})
}

func TestRotation(t *testing.T) {
	ad := secretbox.ConnectorAD("t", "c")
	old, _ := secretbox.New(map[string][]byte{"2024-01": key(1)}, "2024-01")
	c, err := old.Seal([]byte("ck_live:cs_live"), ad)
	if err != nil {
		t.Fatal(err)
	}
	box, err := secretbox.New(map[string][]byte{"2024-01": key(1), "2025-06": key(2)}, "2025-06")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := box.Open(c, ad); err != nil || string(got) != "ck_live:cs_live" {
		t.Fatalf("old ciphertext under the new box: %q, %v", got, err)
	}
	if !box.NeedsRotation(c) {
		t.Fatal("NeedsRotation = false for an old key")
	}
	r, err := box.Rotate(c, ad)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := secretbox.KeyID(r); id != "2025-06" || box.NeedsRotation(r) {
		t.Fatalf("rotated under %q", id)
	}
	if same, _ := box.Rotate(r, ad); !bytes.Equal(same, r) {
		t.Fatal("rotating a current ciphertext changed it")
	}
	if _, err := old.Open(r, ad); !errors.Is(err, secretbox.ErrOpen) {
		t.Fatalf("old box opened a ciphertext under a key it lacks: %v", err)
	}
	if _, err := box.Rotate(c, secretbox.ConnectorAD("t", "other")); !errors.Is(err, secretbox.ErrOpen) {
		t.Fatalf("rotate with wrong AD: %v", err)
	}
	if ids := box.KeyIDs(); len(ids) != 2 || ids[0] != "2024-01" || box.CurrentKeyID() != "2025-06" {
		t.Fatalf("KeyIDs = %v", ids)
	}
}

func TestNewRejectsBadKeys(t *testing.T) {
	cases := map[string]struct {
		keys    map[string][]byte
		current string
	}{
		"MissingCurrent": {map[string][]byte{"a": key(1)}, "b"},
		"ShortKey":       {map[string][]byte{"a": make([]byte, 16)}, "a"},
		"EmptyID":        {map[string][]byte{"": key(1)}, ""},
		"SpaceInID":      {map[string][]byte{"a b": key(1)}, "a b"},
		"LongID":         {map[string][]byte{string(bytes.Repeat([]byte("x"), 256)): key(1)}, string(bytes.Repeat([]byte("x"), 256))},
	}
	for name, tc := range cases {
		if _, err := secretbox.New(tc.keys, tc.current); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
