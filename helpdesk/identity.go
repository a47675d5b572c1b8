package helpdesk

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/nyaruka/phonenumbers"
)

// Identity is one way of recognising a customer: an email, an E.164 phone
// number, or a channel's own id for them.
type Identity struct {
	Kind    string `json:"kind"`              // email, phone or external
	Channel string `json:"channel,omitempty"` // for external ids
	Value   string `json:"value"`
}

// CustomerRef is how a message names its customer: any of the identities,
// and a display name.
type CustomerRef struct {
	ExternalID string `json:"external_id,omitempty"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Name       string `json:"name,omitempty"`
	// NeedsPerson is a preference the customer declared to the integrator
	// (a senior or accessibility setting): it marks them vulnerable from
	// this message on, so they never meet the bot. false changes nothing.
	NeedsPerson bool `json:"needs_person,omitempty"`
}

// NormalizePhone returns a phone number in E.164, reading numbers without a
// country code as numbers of region (a workspace's country); it refuses a
// number that libphonenumber does not hold valid (a wrong length or an
// unassigned range, such as "12345").
func NormalizePhone(s, region string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 32 {
		return "", false
	}
	n, err := phonenumbers.Parse(s, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// PhoneMessage is the validation message of a phone number refused in
// region.
func PhoneMessage(region string) string {
	return "must be a valid phone number: E.164 such as +8613800138000, or a national number of the workspace's country (" + region + ")"
}

// identities validates a customer reference for a channel and returns its
// normalised identities, reading phones in region; field names are
// prefixed with prefix.
func (r CustomerRef) identities(channel, prefix, region string, v *deskpool.Validator) []Identity {
	var out []Identity
	if r.ExternalID != "" {
		ok := utf8.RuneCountInString(r.ExternalID) <= 200 && strings.TrimSpace(r.ExternalID) == r.ExternalID
		v.Check(ok, prefix+"external_id", "must be at most 200 characters without surrounding spaces")
		out = append(out, Identity{Kind: "external", Channel: channel, Value: r.ExternalID})
	}
	if r.Email != "" {
		email, ok := tenant.NormalizeEmail(r.Email)
		v.Check(ok, prefix+"email", "must be a valid email address")
		out = append(out, Identity{Kind: "email", Value: email})
	}
	if r.Phone != "" {
		phone, ok := NormalizePhone(r.Phone, region)
		v.Check(ok, prefix+"phone", PhoneMessage(region))
		out = append(out, Identity{Kind: "phone", Value: phone})
	}
	if len(out) == 0 {
		v.Add(prefix+"external_id", "the customer needs at least one of external_id, email or phone")
	}
	v.Check(utf8.RuneCountInString(r.Name) <= 200, prefix+"name", "must be at most 200 characters")
	return out
}

// validChannel reports whether c is a known channel.
func validChannel(c string) bool { return slices.Contains(Channels, c) }
