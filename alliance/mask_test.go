package alliance_test

import (
	"strings"
	"testing"

	"github.com/deskpool/deskpool/alliance"
)

// TestMaskTextKeepsIDs: a pool agent's texts and notifications keep the ids
// they carry whole, even one whose digits run as long as a phone number's,
// while the phone numbers beside them are masked.
func TestMaskTextKeepsIDs(t *testing.T) {
	for _, id := range []string{
		"01a2451c-d78b-7a3f-9e7c-495624237329", // the last group alone: 12 digits
		"01a2451c-d78b-7123-8456-123456789012", // three groups: 20 digits and dashes
		"01A2451C-D78B-7123-8456-123456789012",
	} {
		in := `{"conversation_id":"` + id + `","note":"call 13812345678"}`
		got := alliance.MaskText(in, nil)
		if !strings.Contains(got, id) {
			t.Errorf("MaskText(%s) = %s: the id is changed", in, got)
		}
		if strings.Contains(got, "13812345678") || !strings.Contains(got, "138****5678") {
			t.Errorf("MaskText(%s) = %s: the phone is not masked", in, got)
		}
	}
}
