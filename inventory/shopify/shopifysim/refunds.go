package shopifysim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Refund is a refund made on the server, as Shopify's Refund resource
// (https://shopify.dev/docs/api/admin-rest/2024-10/resources/refund) shows
// the fields the client uses.
type Refund struct {
	ID           int64               `json:"id"`
	OrderID      int64               `json:"order_id"`
	Note         string              `json:"note"`
	CreatedAt    time.Time           `json:"created_at"`
	Transactions []RefundTransaction `json:"transactions"`
}

// RefundTransaction is a refund's money movement.
type RefundTransaction struct {
	Kind    string `json:"kind"`
	Gateway string `json:"gateway"`
	Amount  string `json:"amount"`
}

// Refunds returns the refunds made on order orderID.
func (s *Server) Refunds(orderID int64) []Refund {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Refund(nil), s.refunds[orderID]...)
}

// orderID reads the {oid} of a path: an id of one of the server's orders.
func (s *Server) orderID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("oid"), 10, 64)
	if err != nil || id < OrderIDBase || id >= OrderIDBase+int64(s.opts.Orders) {
		writeError(w, http.StatusNotFound, "Not Found")
		return 0, false
	}
	return id, true
}

// listRefunds serves GET orders/{oid}/refunds.json.
func (s *Server) listRefunds(w http.ResponseWriter, r *http.Request) int {
	id, ok := s.orderID(w, r)
	if !ok {
		return http.StatusNotFound
	}
	list := s.Refunds(id)
	if list == nil {
		list = []Refund{}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"refunds": list})
	return http.StatusOK
}

// createRefund serves POST orders/{oid}/refunds.json: 201 with the
// refund; 422 when no transaction has a positive amount.
func (s *Server) createRefund(w http.ResponseWriter, r *http.Request) int {
	id, ok := s.orderID(w, r)
	if !ok {
		return http.StatusNotFound
	}
	var in struct {
		Refund struct {
			Note         string              `json:"note"`
			Transactions []RefundTransaction `json:"transactions"`
		} `json:"refund"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "refund - Required parameter missing or invalid")
		return http.StatusBadRequest
	}
	if len(in.Refund.Transactions) == 0 {
		writeError(w, http.StatusUnprocessableEntity, map[string][]string{"transactions": {"can't be blank"}})
		return http.StatusUnprocessableEntity
	}
	for _, t := range in.Refund.Transactions {
		if a, err := strconv.ParseFloat(t.Amount, 64); err != nil || a <= 0 || t.Kind != "refund" {
			writeError(w, http.StatusUnprocessableEntity, map[string][]string{"amount": {"must be greater than 0"}})
			return http.StatusUnprocessableEntity
		}
	}
	s.mu.Lock()
	if s.refunds == nil {
		s.refunds = map[int64][]Refund{}
	}
	s.nextRefund++
	ref := Refund{ID: 900000 + s.nextRefund, OrderID: id, Note: in.Refund.Note, CreatedAt: time.Now().UTC(),
		Transactions: in.Refund.Transactions}
	s.refunds[id] = append(s.refunds[id], ref)
	s.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"refund": ref})
	return http.StatusOK
}
