package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
)

// Discount codes follow the REST Admin API's PriceRule and DiscountCode
// resources (https://shopify.dev/docs/api/admin-rest/2024-10/resources/pricerule,
// .../resources/discountcode): POST /price_rules.json creates the rule
// ({"price_rule": {"title", "target_type": "line_item", "target_selection":
// "all", "allocation_method": "across", "value_type": "fixed_amount",
// "value": "-50.00", "customer_selection": "all", "usage_limit": 1,
// "starts_at"}}, answered 201 {"price_rule": {"id", ...}}), POST
// /price_rules/{id}/discount_codes.json its code ({"discount_code":
// {"code"}}, 201), and GET /discount_codes/lookup.json?code= finds a code
// (303 to the code's location, 404 when there is none). The code is made
// from the key, so a retry looks it up before creating anything: a code an
// earlier attempt made is found and returned. An attempt that stopped
// between the rule and its code leaves a rule without a code, which no
// customer can apply; the retry makes a new rule with the code.

// discountCode is the part of Shopify's discount code the client reads.
type discountCode struct {
	ID          int64  `json:"id"`
	PriceRuleID int64  `json:"price_rule_id"`
	Code        string `json:"code"`
}

// DiscountCodeFor is the code of key: "DP" and the first 12 letters and
// digits of the key, upper case (a grant's UUID gives 48 bits).
func DiscountCodeFor(key string) string {
	var b strings.Builder
	b.WriteString("DP")
	for _, r := range strings.ToUpper(key) {
		if b.Len() == 14 {
			break
		}
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CreateDiscountCode makes, once per key, a single-use discount code worth
// amountMinor off an order (a price rule named title and its code) and
// returns the code.
func (c *Client) CreateDiscountCode(ctx context.Context, key string, amountMinor int64, currency, title string) (string, error) {
	code := DiscountCodeFor(key)
	resp, err := c.get(ctx, "/discount_codes/lookup.json", url.Values{"code": {code}})
	switch {
	case err == nil:
		var found struct {
			DiscountCode discountCode `json:"discount_code"`
		}
		err = json.NewDecoder(resp.Body).Decode(&found)
		resp.Body.Close()
		if err != nil {
			return "", fmt.Errorf("shopify: discount code lookup: %w", err)
		}
		if strings.EqualFold(found.DiscountCode.Code, code) {
			return found.DiscountCode.Code, nil
		}
		return "", fmt.Errorf("shopify: discount code lookup of %s answered %q", code, found.DiscountCode.Code)
	case deskpool.ErrorCode(err) != deskpool.ENOTFOUND:
		return "", err
	}
	title = strings.TrimSpace(title)
	if title == "" {
		title = "Compensation"
	}
	if len([]rune(title)) > 200 {
		title = string([]rune(title)[:200])
	}
	var rule struct {
		PriceRule struct {
			ID int64 `json:"id"`
		} `json:"price_rule"`
	}
	if err := c.post(ctx, "/price_rules.json", map[string]any{"price_rule": map[string]any{
		"title": title + " " + keyTag(key), "target_type": "line_item", "target_selection": "all",
		"allocation_method": "across", "value_type": "fixed_amount", "value": "-" + shop.FormatAmount(amountMinor, currency),
		"customer_selection": "all", "usage_limit": 1, "once_per_customer": true,
		"starts_at": time.Now().UTC().Format(time.RFC3339),
	}}, &rule); err != nil {
		return "", err
	}
	var out struct {
		DiscountCode discountCode `json:"discount_code"`
	}
	path := "/price_rules/" + strconv.FormatInt(rule.PriceRule.ID, 10) + "/discount_codes.json"
	if err := c.post(ctx, path, map[string]any{"discount_code": map[string]any{"code": code}}, &out); err != nil {
		return "", err
	}
	return out.DiscountCode.Code, nil
}
