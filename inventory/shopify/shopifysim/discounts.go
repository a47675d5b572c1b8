package shopifysim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// PriceRule is a price rule made on the server, as Shopify's PriceRule
// resource (https://shopify.dev/docs/api/admin-rest/2024-10/resources/pricerule)
// shows the fields the client sends.
type PriceRule struct {
	ID                int64     `json:"id"`
	Title             string    `json:"title"`
	TargetType        string    `json:"target_type"`
	TargetSelection   string    `json:"target_selection"`
	AllocationMethod  string    `json:"allocation_method"`
	ValueType         string    `json:"value_type"`
	Value             string    `json:"value"`
	CustomerSelection string    `json:"customer_selection"`
	UsageLimit        *int      `json:"usage_limit"`
	OncePerCustomer   bool      `json:"once_per_customer"`
	StartsAt          time.Time `json:"starts_at"`
	CreatedAt         time.Time `json:"created_at"`
}

// DiscountCode is a code of a price rule, as Shopify's DiscountCode
// resource (https://shopify.dev/docs/api/admin-rest/2024-10/resources/discountcode).
type DiscountCode struct {
	ID          int64     `json:"id"`
	PriceRuleID int64     `json:"price_rule_id"`
	Code        string    `json:"code"`
	UsageCount  int       `json:"usage_count"`
	CreatedAt   time.Time `json:"created_at"`
}

// PriceRules returns the price rules made on the server.
func (s *Server) PriceRules() []PriceRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]PriceRule(nil), s.priceRules...)
}

// DiscountCodes returns the discount codes made on the server.
func (s *Server) DiscountCodes() []DiscountCode {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]DiscountCode(nil), s.codes...)
}

// createPriceRule serves POST price_rules.json: 201 with the rule; 422
// naming the field when a required one is missing or the value is not a
// negative amount.
func (s *Server) createPriceRule(w http.ResponseWriter, r *http.Request) int {
	var in struct {
		PriceRule PriceRule `json:"price_rule"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "price_rule - Required parameter missing or invalid")
		return http.StatusBadRequest
	}
	p := in.PriceRule
	bad := map[string][]string{}
	for field, v := range map[string]string{"title": p.Title, "target_type": p.TargetType, "target_selection": p.TargetSelection,
		"allocation_method": p.AllocationMethod, "customer_selection": p.CustomerSelection} {
		if strings.TrimSpace(v) == "" {
			bad[field] = []string{"can't be blank"}
		}
	}
	if p.ValueType != "fixed_amount" && p.ValueType != "percentage" {
		bad["value_type"] = []string{"is not included in the list"}
	}
	if v, err := strconv.ParseFloat(p.Value, 64); err != nil || v >= 0 || p.ValueType == "percentage" && v < -100 {
		bad["value"] = []string{"must be less than 0"}
	}
	if p.StartsAt.IsZero() {
		bad["starts_at"] = []string{"can't be blank"}
	}
	if len(bad) > 0 {
		writeError(w, http.StatusUnprocessableEntity, bad)
		return http.StatusUnprocessableEntity
	}
	s.mu.Lock()
	p.ID, p.CreatedAt = 507328000+int64(len(s.priceRules))+1, time.Now().UTC()
	s.priceRules = append(s.priceRules, p)
	s.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"price_rule": p})
	return http.StatusOK
}

// priceRule finds the rule of the path's {rid}; nil when there is none.
func (s *Server) priceRule(r *http.Request) *PriceRule {
	id, err := strconv.ParseInt(r.PathValue("rid"), 10, 64)
	if err != nil {
		return nil
	}
	for i := range s.priceRules {
		if s.priceRules[i].ID == id {
			return &s.priceRules[i]
		}
	}
	return nil
}

// createDiscountCode serves POST price_rules/{rid}/discount_codes.json:
// 201 with the code; 404 for an unknown rule, 422 for a blank code or one
// the shop has already (codes are unique per shop, in any case).
func (s *Server) createDiscountCode(w http.ResponseWriter, r *http.Request) int {
	var in struct {
		DiscountCode DiscountCode `json:"discount_code"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "discount_code - Required parameter missing or invalid")
		return http.StatusBadRequest
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rule := s.priceRule(r)
	if rule == nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return http.StatusNotFound
	}
	code := strings.TrimSpace(in.DiscountCode.Code)
	if code == "" {
		writeError(w, http.StatusUnprocessableEntity, map[string][]string{"code": {"can't be blank"}})
		return http.StatusUnprocessableEntity
	}
	for _, c := range s.codes {
		if strings.EqualFold(c.Code, code) {
			writeError(w, http.StatusUnprocessableEntity, map[string][]string{"code": {"must be unique. Please try a different code."}})
			return http.StatusUnprocessableEntity
		}
	}
	c := DiscountCode{ID: 1054381000 + int64(len(s.codes)) + 1, PriceRuleID: rule.ID, Code: code, CreatedAt: time.Now().UTC()}
	s.codes = append(s.codes, c)
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"discount_code": c})
	return http.StatusOK
}

// lookupDiscountCode serves GET discount_codes/lookup.json?code=: 303 to
// the code's location, 404 when the shop has no such code.
func (s *Server) lookupDiscountCode(w http.ResponseWriter, r *http.Request) int {
	code := r.URL.Query().Get("code")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.codes {
		if strings.EqualFold(c.Code, code) {
			w.Header().Set("Location", "/admin/api/"+s.opts.APIVersion+"/price_rules/"+strconv.FormatInt(c.PriceRuleID, 10)+
				"/discount_codes/"+strconv.FormatInt(c.ID, 10)+".json")
			w.WriteHeader(http.StatusSeeOther)
			return http.StatusOK
		}
	}
	writeError(w, http.StatusNotFound, "Not Found")
	return http.StatusNotFound
}

// getDiscountCode serves GET price_rules/{rid}/discount_codes/{cid}.json.
func (s *Server) getDiscountCode(w http.ResponseWriter, r *http.Request) int {
	// {cid} is the last segment, "1054381001.json": a wildcard is a whole segment.
	id, _ := strconv.ParseInt(strings.TrimSuffix(r.PathValue("cid"), ".json"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	if rule := s.priceRule(r); rule != nil {
		for _, c := range s.codes {
			if c.ID == id && c.PriceRuleID == rule.ID {
				_ = json.NewEncoder(w).Encode(map[string]any{"discount_code": c})
				return http.StatusOK
			}
		}
	}
	writeError(w, http.StatusNotFound, "Not Found")
	return http.StatusNotFound
}
