package shop

import (
	"fmt"
	"strings"
)

// currencies maps every active ISO 4217 currency code used for trade to the
// number of digits of its minor unit (ISO 4217 list one, fund and metal
// codes left out). Codes withdrawn recently (ANG, SLL, ZWL) stay so that old
// orders still import.
var currencies = map[string]int{}

func init() {
	for _, c := range strings.Fields(`AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT
		BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK
		DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG
		HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL
		MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB
		PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS
		SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VED
		VES WST XCD XCG YER ZAR ZMW ZWG ZWL`) {
		currencies[c] = 2
	}
	for _, c := range strings.Fields("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF") {
		currencies[c] = 0
	}
	for _, c := range strings.Fields("BHD IQD JOD KWD LYD OMR TND") {
		currencies[c] = 3
	}
}

// ValidCurrency reports whether code is an ISO 4217 currency code (upper case).
func ValidCurrency(code string) bool {
	_, ok := currencies[code]
	return ok
}

// MinorDigits returns the number of minor-unit digits of a currency, and
// false for an unknown code.
func MinorDigits(code string) (int, bool) {
	d, ok := currencies[code]
	return d, ok
}

// ParseAmount converts a decimal string such as "1234.5" or "-3.10" in the
// given currency to minor units (123450, -310). More fractional digits than
// the currency has are an error unless they are zeros ("10.000" in USD).
func ParseAmount(s, currency string) (int64, error) {
	digits, ok := currencies[currency]
	if !ok {
		return 0, fmt.Errorf("unknown currency %q", currency)
	}
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, fmt.Errorf("amount %q is not a number", s)
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > digits {
		return 0, fmt.Errorf("amount %q has more than %d decimals", s, digits)
	}
	frac += strings.Repeat("0", digits-len(frac))
	var n int64
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("amount %q is not a number", s)
		}
		if n > (1<<62)/10 {
			return 0, fmt.Errorf("amount %q is too large", s)
		}
		n = n*10 + int64(r-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

// FormatAmount renders minor units as a decimal string in the currency, the
// inverse of ParseAmount; unknown currencies are rendered with 2 decimals.
func FormatAmount(minor int64, currency string) string {
	digits, ok := currencies[currency]
	if !ok {
		digits = 2
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	if digits == 0 {
		return fmt.Sprintf("%s%d", sign, minor)
	}
	p := int64(1)
	for range digits {
		p *= 10
	}
	return fmt.Sprintf("%s%d.%0*d", sign, minor/p, digits, minor%p)
}
