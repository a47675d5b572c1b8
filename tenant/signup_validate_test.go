package tenant

import (
	"errors"
	"slices"
	"testing"

	"github.com/deskpool/deskpool"
)

// TestSignupNamesEveryBadField checks that an empty sign-up is answered
// with every missing field at once, the password among them, so a form
// is not corrected one field per round trip.
func TestSignupNamesEveryBadField(t *testing.T) {
	in := SignupInput{}
	var e *deskpool.Error
	if !errors.As(in.Validate(), &e) {
		t.Fatalf("an empty sign-up validated")
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	for _, want := range []string{"email", "brand_name", "password"} {
		if !slices.Contains(fields, want) {
			t.Errorf("fields %v do not name %s", fields, want)
		}
	}
	ok := SignupInput{Email: "a@example.com", BrandName: "Tea", Password: "correct horse battery"}
	if err := ok.Validate(); err != nil {
		t.Errorf("a good sign-up: %v", err)
	}
}
