// Package csvimport reads orders and stock levels from CSV files that brands
// export from their shop or spreadsheet. Headers are matched by name, case
// and spacing ignored, with English and Chinese aliases ("Order ID",
// "订单号"); every valid row is kept and every bad row is reported with its
// line number and the column at fault, so one typo does not sink a file.
//
// Files must be UTF-8 (a leading byte order mark, as Excel writes it, is
// dropped). Rows are independent except that order rows sharing an order id
// are the lines of one order: if any of them is bad, the whole order is left
// out, so an order is never imported half.
package csvimport

import (
	"strings"
	"unicode"

	"github.com/deskpool/deskpool"
)

// Order columns: the canonical name of each and the headers that mean it.
var orderAliases = map[string][]string{
	"external_id":          {"order_id", "order id", "id", "external_id", "order_external_id", "订单号", "订单id", "订单编号"},
	"number":               {"number", "order_number", "order no", "order_no", "name", "订单名称", "显示单号"},
	"customer_email":       {"email", "customer_email", "e-mail", "邮箱", "电子邮件", "客户邮箱"},
	"customer_phone":       {"phone", "customer_phone", "mobile", "telephone", "手机", "手机号", "电话", "联系电话"},
	"customer_external_id": {"customer_id", "customer_external_id", "客户id", "会员id", "买家id"},
	"customer_name":        {"customer_name", "customer", "billing_name", "客户", "客户姓名", "买家", "收货人"},
	"status":               {"status", "order_status", "订单状态", "状态"},
	"currency":             {"currency", "币种", "货币"},
	"total":                {"total", "total_price", "amount", "order_total", "金额", "订单金额", "实付金额"},
	"created_at":           {"created_at", "created", "order_date", "date", "下单时间", "创建时间", "订单日期"},
	"updated_at":           {"updated_at", "updated", "modified", "更新时间", "修改时间"},
	"promised_ship_by":     {"promised_ship_by", "ship_by", "承诺发货时间", "最晚发货时间"},
	"sku":                  {"sku", "lineitem_sku", "商品编码", "货号", "sku编码"},
	"title":                {"title", "product", "lineitem_name", "item", "商品名称", "商品"},
	"quantity":             {"quantity", "qty", "lineitem_quantity", "数量", "购买数量"},
	"price":                {"price", "unit_price", "lineitem_price", "单价"},
	"carrier":              {"carrier", "shipping_company", "tracking_company", "快递公司", "物流公司", "承运商"},
	"tracking_number":      {"tracking_number", "tracking", "tracking_no", "运单号", "快递单号", "物流单号"},
	"shipped_at":           {"shipped_at", "ship_date", "发货时间"},
	"address":              {"address", "shipping_address", "address1", "收货地址", "地址"},
	"city":                 {"city", "shipping_city", "城市", "市"},
	"province":             {"province", "state", "shipping_province", "省份", "省"},
	"postal_code":          {"postal_code", "zip", "postcode", "邮编", "邮政编码"},
	"country":              {"country", "country_code", "shipping_country", "国家"},
}

// Stock columns: the canonical name of each and the headers that mean it.
var stockAliases = map[string][]string{
	"sku":        {"sku", "商品编码", "货号", "sku编码"},
	"variant_id": {"variant_id", "variant_external_id", "variation_id", "规格id"},
	"product_id": {"product_id", "product_external_id", "商品id"},
	"title":      {"title", "product", "name", "商品名称", "商品"},
	"location":   {"location", "location_id", "warehouse", "仓库", "库位"},
	"available":  {"available", "quantity", "qty", "stock", "on_hand", "库存", "可用库存", "库存数量", "数量"},
	"updated_at": {"updated_at", "updated", "date", "更新时间", "盘点时间"},
}

// normalize folds a header for matching: BOM and surrounding space dropped,
// lower case, runs of spaces, hyphens and underscores made one underscore.
func normalize(h string) string {
	h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	var b strings.Builder
	sep := false
	for _, r := range h {
		if unicode.IsSpace(r) || r == '_' || r == '-' || r == '\u3000' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('_')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

// columns maps each canonical field to its column index in header, taking
// extra aliases (header -> field) from the caller first. Duplicate columns
// for one field and missing required fields are reported together.
func columns(header []string, aliases map[string][]string, extra map[string]string, required ...string) (map[string]int, error) {
	lookup := map[string]string{}
	for field, names := range aliases {
		for _, n := range names {
			lookup[normalize(n)] = field
		}
	}
	for h, field := range extra {
		lookup[normalize(h)] = field
	}
	var v deskpool.Validator
	cols := map[string]int{}
	for i, h := range header {
		field, ok := lookup[normalize(h)]
		if !ok {
			continue // unknown columns are ignored
		}
		if j, dup := cols[field]; dup {
			v.Add(field, "is given by two columns: "+strings.TrimSpace(header[j])+" and "+strings.TrimSpace(h))
			continue
		}
		cols[field] = i
	}
	for _, f := range required {
		if _, ok := cols[f]; !ok {
			v.Add(f, "no column for it; accepted headers: "+strings.Join(aliases[f], ", "))
		}
	}
	return cols, v.Err()
}
