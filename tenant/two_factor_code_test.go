package tenant

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// A code is taken for the step before, of and after now (a phone's clock
// a little off), and no other; matchStep names the step it belongs to.
func TestMatchStep(t *testing.T) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TwoFactorIssuer, AccountName: "a@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_015, 0)
	step := now.Unix() / totpPeriod
	for _, c := range []struct {
		name   string
		offset time.Duration
		want   int64
	}{
		{"StepBefore", -totpPeriod * time.Second, step - 1},
		{"Now", 0, step},
		{"StepAfter", totpPeriod * time.Second, step + 1},
		{"TwoStepsAfter", 2 * totpPeriod * time.Second, 0},
		{"TwoStepsBefore", -2 * totpPeriod * time.Second, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, err := totp.GenerateCode(key.Secret(), now.Add(c.offset))
			if err != nil {
				t.Fatal(err)
			}
			if got := matchStep(key.Secret(), code, now); got != c.want {
				t.Errorf("step %d, want %d", got, c.want)
			}
		})
	}
}

// Recovery codes are distinct, shown as xxxxx-xxxxx, and typed in any
// case, with or without the dash or spaces.
func TestRecoveryCodes(t *testing.T) {
	codes := newRecoveryCodes(RecoveryCodes)
	seen := map[string]bool{}
	shape := regexp.MustCompile(`^[a-z2-7]{5}-[a-z2-7]{5}$`)
	for _, c := range codes {
		if !shape.MatchString(c) || seen[c] {
			t.Errorf("recovery code %q: malformed or repeated", c)
		}
		seen[c] = true
	}
	if len(codes) != RecoveryCodes {
		t.Fatalf("%d codes, want %d", len(codes), RecoveryCodes)
	}
	want := normalizeRecoveryCode(codes[0])
	for _, typed := range []string{codes[0], strings.ToUpper(codes[0]), " " + codes[0][:5] + " " + codes[0][6:] + " "} {
		if got := normalizeRecoveryCode(typed); got != want {
			t.Errorf("%q normalised to %q, want %q", typed, got, want)
		}
	}
}
