package helpdesk

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"github.com/lib/pq"
)

// Bounds of the inbox search text (ConversationFilter.Query), in
// characters. Two characters are a word in Chinese (退款, 发货): they are
// searched, though no trigram index serves them, by reading the bodies of
// the workspace's own messages only. One character would match nearly
// every conversation at that cost.
const (
	MinSearchLen = 2
	MaxSearchLen = 200
)

// checkSearch adds to v what is wrong with the search text q (already
// trimmed), if anything.
func checkSearch(v *deskpool.Validator, q string) {
	if q == "" {
		return
	}
	n := utf8.RuneCountInString(q)
	switch {
	case !utf8.ValidString(q):
		v.Add("q", "must be UTF-8 text")
	case strings.ContainsFunc(q, unicode.IsControl):
		v.Add("q", "must not hold control characters")
	case n < MinSearchLen:
		v.Add("q", "must be at least "+itoa(MinSearchLen)+" characters")
	case n > MaxSearchLen:
		v.Add("q", "must be at most "+itoa(MaxSearchLen)+" characters")
	}
}

// likeContains is the ILIKE pattern matching s anywhere in a text, with
// the pattern characters of s (%, _ and the escape \) taken literally.
func likeContains(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s) + "%"
}

// orderNumbers are the ways an order number q may have been recorded on a
// conversation: as typed, upper or lower case, with or without a leading #.
func orderNumbers(q string) pq.StringArray {
	bare := strings.TrimPrefix(q, "#")
	var out pq.StringArray
	for _, s := range []string{bare, "#" + bare} {
		for _, v := range []string{s, strings.ToUpper(s), strings.ToLower(s)} {
			if v != "#" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// searchMatches is the condition on conversations (by id) of a search for
// q: the ids whose subject, any message's body (notes included), customer's
// name or email holds q, or whose order numbers include it. Each part is
// a set of ids read through its own index, so the inbox's order and cursor
// apply to the union unchanged. Every part is limited to the workspace, as
// well as by row-level security. Each part reads the workspace's rows
// alone, through a tenant_id index: under row-level security PostgreSQL
// would use trigram indexes only where ILIKE is declared LEAKPROOF (see
// migration 00041).
const searchMatches = `id IN (
	SELECT id FROM conversations WHERE tenant_id = @tenant AND subject <> '' AND subject ILIKE @pattern
	UNION ALL
	SELECT id FROM conversations WHERE tenant_id = @tenant AND order_refs <> '{}' AND order_refs && @orders
	UNION ALL
	SELECT conversation_id FROM messages WHERE tenant_id = @tenant AND body ILIKE @pattern
	UNION ALL
	SELECT id FROM conversations WHERE tenant_id = @tenant AND customer_id IN (
		SELECT id FROM customers WHERE tenant_id = @tenant AND (name ILIKE @pattern OR email ILIKE @pattern)))`

// searchArgs are the named arguments of searchMatches.
func searchArgs(tenantID uuid.UUID, q string) map[string]any {
	return map[string]any{"tenant": tenantID, "pattern": likeContains(q), "orders": orderNumbers(q)}
}
