package triage

import (
	"slices"
	"strings"
	"testing"
)

// TestHanConcepts checks the longest-match segmentation of a Han run into
// concept words, one-character words included wherever they stand.
func TestHanConcepts(t *testing.T) {
	own := "refund\t退款,退钱\trefund\ncard\t银行卡,卡\tcard\nlate\t太慢,慢\tlate\nbill\t账单\tbill\n"
	gz, err := BuildConcepts(strings.NewReader(own), strings.NewReader(""), nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	tab := readConcepts(gz)
	names := map[uint64]string{}
	for _, n := range []string{"refund", "card", "late", "bill"} {
		names[conceptHash("c:"+n)] = n
	}
	tests := []struct {
		run  string
		want []string
	}{
		{"", nil},
		{"你好", nil},
		{"卡", []string{"card"}},
		{"退款", []string{"refund"}},
		{"银行卡", []string{"card"}},
		{"退款到卡", []string{"refund", "card"}},
		{"物流很慢", []string{"late"}},
		{"太慢", []string{"late"}},
		{"卡退钱", []string{"card", "refund"}},
		{"账单退款卡", []string{"bill", "refund", "card"}},
		{"我的银行卡账单", []string{"card", "bill"}},
	}
	for _, tt := range tests {
		var got []string
		for _, h := range tab.hanConcepts(tt.run, nil) {
			got = append(got, names[h])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("hanConcepts(%q) = %v, want %v", tt.run, got, tt.want)
		}
	}
}
