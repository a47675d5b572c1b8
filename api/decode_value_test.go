package api

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
)

// badValue names the field a nested value's own decoder refused, by its
// path through objects, arrays, maps and embedded structs.
func TestBadValueNamesNestedFields(t *testing.T) {
	type item struct {
		ExpiresAt *time.Time `json:"expires_at"`
	}
	type Embedded struct {
		OwnerID uuid.UUID `json:"owner_id"`
	}
	type body struct {
		Embedded
		Items []item               `json:"items"`
		ByTag map[string]uuid.UUID `json:"by_tag"`
		Skip  time.Time            `json:"-"`
	}
	for _, tc := range []struct {
		name, raw, field string
	}{
		{"ItemInArray", `{"items":[{"expires_at":"2030-01-01T00:00:00Z"},{},{"expires_at":"2031-13-01T00:00:00Z"}]}`, "items[2].expires_at"},
		{"ValueInMap", `{"by_tag":{"vip":"not-an-id"}}`, "by_tag.vip"},
		{"EmbeddedField", `{"owner_id":"nope"}`, "owner_id"},
		{"KeyInOtherCase", `{"Items":[{"Expires_At":"yesterday"}]}`, "items[0].expires_at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			field, msg, ok := badValue(reflect.TypeOf(&body{}), []byte(tc.raw), "")
			if !ok || field != tc.field || msg == "" {
				t.Fatalf("badValue(%s) = %q, %q, %v; want %q", tc.raw, field, msg, ok, tc.field)
			}
		})
	}
	t.Run("NoneRefused", func(t *testing.T) {
		raw := `{"items":[{"expires_at":null}],"by_tag":{"vip":"8f14e45f-ceea-467f-a8f0-9a6f3f6e1a2b"},"Skip":"x"}`
		if field, _, ok := badValue(reflect.TypeOf(&body{}), []byte(raw), ""); ok {
			t.Fatalf("badValue(%s) named %q", raw, field)
		}
	})
}
