package learning_test

import (
	"strings"
	"testing"

	"github.com/deskpool/deskpool/triage/learning"
)

func TestDeidentify(t *testing.T) {
	tests := []struct {
		name, text string
		known      []string
		gone       []string // must not survive
		kept       []string // must survive: the words the model learns from
	}{
		{"Email", "my email is li.na+shop@example.co.uk, refund please", nil, []string{"li.na", "example.co.uk"}, []string{"refund please"}},
		{"ChineseMobile", "电话13800138000，快递还没到", nil, []string{"13800138000"}, []string{"快递还没到"}},
		{"SpacedMobile", "call me 138 0013 8000 about the parcel", nil, []string{"0013", "8000"}, []string{"about the parcel"}},
		{"IntlPhone", "whatsapp +44 20 7946 0958 if late", nil, []string{"7946", "0958"}, []string{"if late"}},
		{"USPhone", "my number is (415) 555-0132", nil, []string{"555-0132", "415"}, []string{"my number is"}},
		{"OrderHash", "where is order #A1001-X?", nil, []string{"A1001"}, []string{"where is order"}},
		{"OrderDigits", "订单号 20240601123456 还没发货", nil, []string{"20240601123456"}, []string{"还没发货"}},
		{"Tracking", "tracking SF1234567890 stuck", nil, []string{"SF1234567890"}, []string{"stuck"}},
		{"ChineseAddress", "请改地址到上海市浦东新区世纪大道100号3栋502室，谢谢", nil, []string{"世纪大道", "502", "浦东"}, []string{"请改地址到", "谢谢"}},
		{"EnglishAddress", "please ship to 221B Baker Street, Apt 4 London instead", nil, []string{"221B", "Baker"}, []string{"please ship to", "instead"}},
		{"Postcode", "zip: 94107 is wrong", nil, []string{"94107"}, []string{"is wrong"}},
		{"KnownName", "hi, Ann Lee here, annie? lee's cup broke", []string{"Ann Lee"}, []string{"Ann", "Lee", "lee"}, []string{"cup broke"}},
		{"SaidName", "Hello, my name is John Smith and the zipper broke", nil, []string{"John", "Smith"}, []string{"zipper broke"}},
		{"Title", "Dear Ms. Garcia, I never got it", nil, []string{"Garcia"}, []string{"never got it"}},
		{"ChineseName", "我叫王小明，衣服有破洞", nil, []string{"王小明", "小明"}, []string{"衣服有破洞"}},
		{"ChineseHonorific", "张先生的订单还没到", nil, []string{"张先生"}, []string{"先生", "还没到"}},
		{"KnownChineseName", "李娜要退货", []string{"李娜"}, []string{"李娜"}, []string{"要退货"}},
		{"URL", "see https://shop.example.com/orders/991?token=abc", nil, []string{"shop.example.com", "token"}, []string{"see"}},
		{"NothingToStrip", "the blue mug is out of stock", nil, nil, []string{"the blue mug is out of stock"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := learning.Deidentify(tt.text, tt.known...)
			for _, g := range tt.gone {
				if strings.Contains(got, g) {
					t.Errorf("%q survived in %q", g, got)
				}
			}
			for _, k := range tt.kept {
				if !strings.Contains(got, k) {
					t.Errorf("%q was lost: %q", k, got)
				}
			}
		})
	}
}
