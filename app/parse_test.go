package app

import (
	"testing"

	"techaid/ledger"
)

func TestParseDay(t *testing.T) {
	today := ledger.Date("2026-05-20")
	for _, tt := range []struct {
		in   string
		want ledger.Date
		bad  bool
	}{
		{"", today, false},
		{"2026-05-03", "2026-05-03", false},
		{"2026/5/3", "2026-05-03", false},
		{"2026.5.3", "2026-05-03", false},
		{"2026年5月3日", "2026-05-03", false},
		{" 5-3 ", "2026-05-03", false},
		{"5.3", "2026-05-03", false},
		{"5月3日", "2026-05-03", false},
		{"0503", "2026-05-03", false},
		{"20250101", "2025-01-01", false},
		{"2-30", "", true}, // no such day
		{"13-1", "", true}, // no such month
		{"2025-2-29", "", true},
		{"2024-2-29", "2024-02-29", false},
		{"昨天", "", true},
		{"5-3-1", "", true},
		{"12345", "", true},
	} {
		got, err := parseDay(tt.in, today)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("parseDay(%q) = %q, %v; want %q (error: %v)", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

func TestParseCount(t *testing.T) {
	for in, want := range map[string]int{"": 0, " 35 ": 35, "0": 0} {
		if got, err := parseCount(in); err != nil || got != want {
			t.Errorf("parseCount(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"-1", "abc", "3.5", "三十"} {
		if _, err := parseCount(in); err == nil {
			t.Errorf("parseCount(%q) took it", in)
		}
	}
}

func TestNumber(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 991833: "991,833", -12345: "-12,345", 1234567: "1,234,567"} {
		if got := number(n); got != want {
			t.Errorf("number(%d) = %q, want %q", n, got, want)
		}
	}
}
