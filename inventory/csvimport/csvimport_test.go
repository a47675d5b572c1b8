package csvimport_test

import (
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/csvimport"
	"github.com/deskpool/deskpool/inventory/shop"
)

// has reports whether errs holds an error at line for field.
func has(errs []csvimport.RowError, line int, field string) bool {
	for _, e := range errs {
		if e.Line == line && e.Field == field {
			return true
		}
	}
	return false
}

func TestOrdersChineseHeadersAndBOM(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	in := "\ufeff订单号,订单状态,币种,实付金额,下单时间,手机号,收货人,商品编码,数量,单价,快递公司,运单号\n" +
		"A1001,已发货,cny,\"1,299.00\",2024-03-01 10:00:00,13800000000,张三,TEA-1,1,\"1,299.00\",顺丰,SF123\n" +
		"A1002,待付款,CNY,59.80,2024/3/2 09:30,13900000000,李四,TEA-2,2,29.90,,\n" +
		"A1002,,,,,,,TEA-3,1,0,,\n" +
		"\n"
	res, err := csvimport.Orders(strings.NewReader(in), csvimport.Options{Location: shanghai, PhoneRegion: "CN"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 0 || len(res.Items) != 2 || res.Rows != 3 {
		t.Fatalf("items %d, rows %d, errors %v", len(res.Items), res.Rows, res.Errors)
	}
	a := res.Items[0]
	if a.ExternalID != "A1001" || a.Status != shop.StatusFulfilled || a.Currency != "CNY" || a.TotalMinor != 129900 ||
		!a.CreatedAt.Equal(time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)) || a.CustomerName != "张三" ||
		len(a.Shipments) != 1 || a.Shipments[0].Carrier != "顺丰" || a.Lines[0].PriceMinor != 129900 {
		t.Fatalf("A1001 = %+v", a)
	}
	if b := res.Items[1]; b.Status != shop.StatusPending || len(b.Lines) != 2 || b.Lines[0].Quantity != 2 || b.Lines[1].SKU != "TEA-3" {
		t.Fatalf("A1002 = %+v", b)
	}
}

func TestOrdersRowErrors(t *testing.T) {
	in := "Order ID,Status,Currency,Total,Created At,Quantity,SKU\n" + // line 1
		"1,paid,USD,10.00,2024-01-01,1,A\n" + // 2: good
		"2,paid,XYZ,10.00,2024-01-01,1,A\n" + // 3: unknown currency
		"3,paid,USD,10.00,yesterday,1,A\n" + // 4: bad date
		",paid,USD,10.00,2024-01-01,1,A\n" + // 5: no order id
		"4,shipped-ish,USD,-5,2024-01-01,1,A\n" + // 6: bad status, negative total
		"5,paid,USD,10.00,2024-01-01,1,A\n" + // 7: good first line...
		"5,,,,,-2,B\n" + // 8: ...but a bad second line drops order 5 whole
		"6,paid,JPY,10.5,2024-01-01,1,A\n" + // 9: JPY has no decimals
		"7,\"paid,USD,1,2024-01-01,1,A\n" // 10: unterminated quote
	res, err := csvimport.Orders(strings.NewReader(in), csvimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 || res.Items[0].ExternalID != "1" {
		t.Fatalf("kept %+v", res.Items)
	}
	want := []struct {
		line  int
		field string
	}{{3, "currency"}, {4, "created_at"}, {5, "external_id"}, {6, "status"}, {6, "total"}, {8, "quantity"}, {9, "total"}, {10, ""}}
	for _, w := range want {
		if !has(res.Errors, w.line, w.field) {
			t.Errorf("no error at line %d for %q in %v", w.line, w.field, res.Errors)
		}
	}
	for i := 1; i < len(res.Errors); i++ {
		if res.Errors[i].Line < res.Errors[i-1].Line {
			t.Fatalf("errors out of line order: %v", res.Errors)
		}
	}
}

// A phone number libphonenumber does not hold valid in the workspace's
// country fails its row, naming the column.
func TestOrdersInvalidPhone(t *testing.T) {
	in := "order id,status,currency,total,created_at,phone\n" +
		"1,paid,USD,10.00,2024-01-01,12345\n" +
		"2,paid,USD,10.00,2024-01-01,(415) 555-2671\n" +
		"3,paid,USD,10.00,2024-01-01,+8613800138000\n"
	res, err := csvimport.Orders(strings.NewReader(in), csvimport.Options{PhoneRegion: "US"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 2 || res.Items[0].ExternalID != "2" || !has(res.Errors, 2, "customer_phone") || len(res.Errors) != 1 {
		t.Fatalf("kept %+v, errors %v", res.Items, res.Errors)
	}
}

func TestOrdersHeaderErrors(t *testing.T) {
	cases := map[string]string{
		"MissingColumns": "order id,status\n1,paid\n",
		"DuplicateField": "order id,订单号,total,currency,created_at\n1,1,1,USD,2024-01-01\n",
		"Empty":          "",
	}
	for name, in := range cases {
		_, err := csvimport.Orders(strings.NewReader(in), csvimport.Options{})
		if deskpool.ErrorCode(err) != deskpool.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
	res, err := csvimport.Orders(strings.NewReader("ORDER_ID;TOTAL;CREATED\n9;12.50;2024-05-05\n"),
		csvimport.Options{Comma: ';', DefaultCurrency: "EUR"})
	if err != nil || len(res.Items) != 1 || res.Items[0].TotalMinor != 1250 || res.Items[0].Currency != "EUR" {
		t.Fatalf("default currency: %+v, %v", res, err)
	}
	if _, err := csvimport.Orders(strings.NewReader("order id,total,created_at,currency\n1,1,2024-01-01,USD\n2,1,2024-01-01,USD\n"),
		csvimport.Options{MaxRows: 1}); deskpool.ErrorCode(err) != deskpool.ETOOLARGE {
		t.Fatalf("max rows: %v", err)
	}
}

func TestStock(t *testing.T) {
	in := "\ufeffSKU, 商品名称 ,仓库,可用库存,更新时间\n" +
		"TEA-1,Tea,SH,12,2024-03-01 08:00:00\n" + // 2
		"TEA-2,Tea,SH,-3,\n" + // 3: negative
		",Tea,SH,4,\n" + // 4: no sku
		"TEA-3,Tea,SH,lots,\n" + // 5: not a number
		"TEA-4,Tea,SH,\"1,200\",31/02/2024\n" + // 6: bad date
		"TEA-5,Tea,BJ,0,\n" // 7
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	res, err := csvimport.Stock(strings.NewReader(in), csvimport.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 2 || res.Items[0].Available != 12 || res.Items[0].LocationID != "SH" ||
		!res.Items[1].UpdatedAt.Equal(now) || res.Rows != 6 {
		t.Fatalf("items %+v", res.Items)
	}
	for line, field := range map[int]string{3: "available", 4: "sku", 5: "available", 6: "updated_at"} {
		if !has(res.Errors, line, field) {
			t.Errorf("no error at line %d for %s in %v", line, field, res.Errors)
		}
	}
	if _, err := csvimport.Stock(strings.NewReader("sku,title\nA,B\n"), csvimport.Options{}); deskpool.ErrorCode(err) != deskpool.EINVALID {
		t.Fatalf("missing available column: %v", err)
	}
	if _, err := csvimport.Stock(strings.NewReader("sku,qty\n\xff\xfe,1\n"), csvimport.Options{}); err != nil {
		t.Fatalf("non-UTF-8 row should be a row error: %v", err)
	}
}
