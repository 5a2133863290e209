package giving

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/errs"
)

// Currency is how Steward stores and shows one currency.
type Currency struct {
	Code string
	// Decimals is the ISO 4217 minor unit: amounts are stored as integers
	// of 10^-Decimals of the currency.
	Decimals int
	// Shown is how many of those decimals are displayed. TWD has two
	// decimals in ISO 4217 (and Stripe sends TWD amounts ×100), but New
	// Taiwan dollar cents are not used in practice, so TWD is stored with 2
	// and shown with 0.
	Shown  int
	Symbol string
}

// currencies lists the currencies Steward knows. Others are accepted with
// 2 decimals (the ISO default) and shown with their code.
var currencies = map[string]Currency{
	"JPY": {"JPY", 0, 0, "¥"},
	"CNY": {"CNY", 2, 2, "CN¥"},
	"TWD": {"TWD", 2, 0, "NT$"},
	"HKD": {"HKD", 2, 2, "HK$"},
	"KRW": {"KRW", 0, 0, "₩"},
	"USD": {"USD", 2, 2, "$"},
	"EUR": {"EUR", 2, 2, "€"},
	"GBP": {"GBP", 2, 2, "£"},
	"AUD": {"AUD", 2, 2, "A$"},
	"CAD": {"CAD", 2, 2, "CA$"},
	"SGD": {"SGD", 2, 2, "S$"},
	"CHF": {"CHF", 2, 2, "CHF "},
	"VND": {"VND", 0, 0, "₫"},
	"KWD": {"KWD", 3, 3, "KD "},
}

// CurrencyOf returns the rules of a currency code (upper-cased).
func CurrencyOf(code string) Currency {
	code = strings.ToUpper(strings.TrimSpace(code))
	if c, ok := currencies[code]; ok {
		return c
	}
	return Currency{Code: code, Decimals: 2, Shown: 2, Symbol: code + " "}
}

// ValidCurrency reports whether code looks like an ISO 4217 code.
func ValidCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for _, r := range code {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// ParseAmount reads a decimal amount as people write it ("10,000",
// "1234.5", "¥3,000", "１０００") into minor units of the currency. More
// decimals than the currency has is an error, never a silent rounding.
func ParseAmount(s, currency string) (int64, error) {
	c := CurrencyOf(currency)
	if v, ok := plainAmount(s, c.Decimals); ok {
		return v, nil
	}
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		case r == '．':
			b.WriteRune('.')
		case r >= '0' && r <= '9', r == '.', r == '-':
			b.WriteRune(r)
		case r == ',', r == '，', r == ' ', r == '_', r == '\'':
		case strings.ContainsRune("¥￥$€£₩₫円元", r), r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
			// symbols and codes around the number
		default:
			return 0, errs.Field("amount", "invalid", "not an amount: %q", s)
		}
	}
	num := b.String()
	if num == "" || num == "-" || strings.Count(num, ".") > 1 || strings.LastIndex(num, "-") > 0 {
		return 0, errs.Field("amount", "invalid", "not an amount: %q", s)
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, errs.Field("amount", "invalid", "not an amount: %q", s)
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(c.Decimals)), nil)))
	if !r.IsInt() {
		return 0, errs.Field("amount", "invalid", "%s has %d decimals: %q", c.Code, c.Decimals, s)
	}
	if !r.Num().IsInt64() || r.Num().Int64() > 1e15 || r.Num().Int64() < -1e15 {
		return 0, errs.Field("amount", "invalid", "amount out of range: %q", s)
	}
	return r.Num().Int64(), nil
}

// Decimal writes minor units as a plain decimal with the currency's ISO
// decimals ("1234.50" for CNY, "10000" for JPY): the API and export form.
func Decimal(minor int64, currency string) string {
	c := CurrencyOf(currency)
	return decimal(minor, c.Decimals, c.Decimals)
}

func decimal(minor int64, decimals, shown int) string {
	neg := minor < 0
	if neg {
		minor = -minor
	}
	// Round to the shown decimals, half away from zero.
	for i := shown; i < decimals; i++ {
		minor = (minor + 5) / 10
	}
	s := strconv.FormatInt(minor, 10)
	if shown > 0 {
		for len(s) <= shown {
			s = "0" + s
		}
		s = s[:len(s)-shown] + "." + s[len(s)-shown:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Format shows an amount for people: symbol, thousands separators and the
// shown decimals ("¥10,000", "CN¥1,234.50", "NT$1,000").
func Format(minor int64, currency string) string {
	c := CurrencyOf(currency)
	s := decimal(minor, c.Decimals, c.Shown)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := c.Symbol + b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// plainAmount is the fast path of ParseAmount for "1234" and "1234.50".
func plainAmount(s string, decimals int) (int64, bool) {
	if s == "" || len(s) > 15 {
		return 0, false
	}
	var v int64
	frac := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v*10 + int64(c-'0')
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0 && i > 0:
			frac = 0
		default:
			return 0, false
		}
	}
	if frac < 0 {
		frac = 0
	}
	if frac > decimals {
		return 0, false // the slow path explains the error
	}
	for ; frac < decimals; frac++ {
		v *= 10
	}
	return v, true
}
