package triage

import (
	"slices"
	"strings"
	"testing"
)

func TestExtractFacts(t *testing.T) {
	tests := []struct {
		name           string
		text           string
		orders, tracks []string
		phone, email   bool
		summaryLacks   string
	}{
		{"OrderAfterCue", "订单号 20240611887723 还没发货", []string{"20240611887723"}, nil, false, false, ""},
		{"HashOrder", "where is order #88231", []string{"88231"}, nil, false, false, ""},
		{"LongDigitsAreOrder", "my order 5551289034 is late", []string{"5551289034"}, nil, false, false, ""},
		{"CarrierTracking", "运单SF1408821930288查不到", nil, []string{"SF1408821930288"}, false, false, ""},
		{"UPSTracking", "tracking 1Z999AA10123456784 stuck", nil, []string{"1Z999AA10123456784"}, false, false, ""},
		{"UPUTracking", "sent it back, LX123456789US", nil, []string{"LX123456789US"}, false, false, ""},
		{"ChineseMobileMasked", "电话写错了，正确的是13912345678", nil, nil, true, false, "13912345678"},
		{"InternationalPhoneMasked", "call me at +14155550123 please", nil, nil, true, false, "4155550123"},
		{"EmailMasked", "send the invoice to jane.doe@gmail.com thanks", nil, nil, false, true, "jane.doe"},
		{"NothingToFind", "hello there", nil, nil, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := extractFacts(tt.text)
			if !slices.Equal(f.OrderNumbers, tt.orders) || !slices.Equal(f.TrackingNumbers, tt.tracks) ||
				f.HasPhone != tt.phone || f.HasEmail != tt.email {
				t.Fatalf("%+v", f)
			}
			if tt.summaryLacks != "" && strings.Contains(f.Summary, tt.summaryLacks) {
				t.Fatalf("summary leaks %q: %q", tt.summaryLacks, f.Summary)
			}
		})
	}
}

func TestSummaryIsBounded(t *testing.T) {
	f := extractFacts(strings.Repeat("很长的问题描述", 100))
	if n := len([]rune(f.Summary)); n > maxSummaryRunes+1 || !strings.HasSuffix(f.Summary, "…") {
		t.Fatalf("summary of %d runes: %q", n, f.Summary)
	}
}
