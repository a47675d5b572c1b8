package helpdesk

import (
	"context"
	"slices"
	"strings"

	"github.com/deskpool/deskpool"
)

// Segments a customer can be in: the value tiers segments computes ("" is
// not yet computed).
var Segments = []string{"high_value", "core", "mass"}

// CustomerTraits filters customers (and their conversations) by segment
// and flags; nil flags do not filter.
type CustomerTraits struct {
	Segment       string
	VIP           *bool
	Vulnerable    *bool
	HighFrequency *bool
}

// ParseCustomerTraits reads the segment, vip, vulnerable and
// high_frequency query parameters through get.
func ParseCustomerTraits(get func(string) string) (CustomerTraits, error) {
	var t CustomerTraits
	var v deskpool.Validator
	t.Segment = get("segment")
	v.Check(t.Segment == "" || slices.Contains(Segments, t.Segment), "segment", "must be one of "+strings.Join(Segments, ", "))
	for _, f := range []struct {
		name string
		dst  **bool
	}{{"vip", &t.VIP}, {"vulnerable", &t.Vulnerable}, {"high_frequency", &t.HighFrequency}} {
		switch get(f.name) {
		case "":
		case "true":
			b := true
			*f.dst = &b
		case "false":
			b := false
			*f.dst = &b
		default:
			v.Add(f.name, "must be true or false")
		}
	}
	return t, v.Err()
}

// where is the condition on customers of t (no alias), or "".
func (t CustomerTraits) where(ctx context.Context) (string, []any) {
	var conds []string
	var args []any
	if t.Segment != "" {
		conds, args = append(conds, "segment = ?"), append(args, t.Segment)
	}
	for _, f := range []struct {
		col string
		val *bool
	}{{"vip", t.VIP}, {"vulnerable", t.Vulnerable}, {"high_frequency", t.HighFrequency}} {
		if f.val != nil {
			conds, args = append(conds, f.col+" = ?"), append(args, *f.val)
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return "tenant_id = ? AND " + strings.Join(conds, " AND "), append([]any{deskpool.TenantIDFromContext(ctx)}, args...)
}
