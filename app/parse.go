package app

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"techaid/ledger"
)

var dayRE = regexp.MustCompile(`^(?:(\d{4})\s*[-./年]\s*)?(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$`)

// parseDay reads a date as clerks type it: 2026-05-03, 2026/5/3, 2026年5月3日, 5-3 or 5.3 (this year),
// 0503, 20260503; empty means today.
func parseDay(text string, today ledger.Date) (ledger.Date, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return today, nil
	}
	year := today.Year()
	var y, m, d int
	switch {
	case dayRE.MatchString(t):
		p := dayRE.FindStringSubmatch(t)
		y = year
		if p[1] != "" {
			y, _ = strconv.Atoi(p[1])
		}
		m, _ = strconv.Atoi(p[2])
		d, _ = strconv.Atoi(p[3])
	case len(t) == 4 && digits(t):
		y = year
		m, _ = strconv.Atoi(t[:2])
		d, _ = strconv.Atoi(t[2:])
	case len(t) == 8 && digits(t):
		y, _ = strconv.Atoi(t[:4])
		m, _ = strconv.Atoi(t[4:6])
		d, _ = strconv.Atoi(t[6:])
	default:
		return "", errors.New(T("日期看不懂，请按 2026-05-03 或 5-3 的样子填写"))
	}
	tm := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if tm.Year() != y || int(tm.Month()) != m || tm.Day() != d {
		return "", errors.New(T("没有这一天：%d 年 %d 月 %d 日", y, m, d))
	}
	return ledger.Date(fmt.Sprintf("%04d-%02d-%02d", y, m, d)), nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// parseCount reads a count; empty is 0.
func parseCount(text string) (int, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 {
		return 0, errors.New(T("请填写不小于 0 的整数"))
	}
	return n, nil
}

// splitList reads a list typed into one field, separated by 、 or commas.
func splitList(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return r == '、' || r == ',' || r == '，' || r == ';' || r == '；'
	})
}
