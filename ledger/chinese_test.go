package ledger

import (
	"errors"
	"fmt"
	"testing"
)

// TestChinese: the clerk's sentence is found through the ChineseError interface however deep the error
// is wrapped; an error without one gets the general sentence with its detail.
func TestChinese(t *testing.T) {
	ve := &ValidationError{Kind: KindTraining, Fields: []FieldError{{Field: "topic", Label: "主题", Zh: "不能为空，请填写"}}}
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{ve, "培训与服务记录填写有误：「主题」不能为空，请填写"},
		{fmt.Errorf("save training x: %w", fmt.Errorf("validate: %w", ve)), "培训与服务记录填写有误：「主题」不能为空，请填写"},
		{errors.New("disk full"), "操作没有完成：disk full"},
		{fmt.Errorf("a.csv: %w", &LineError{Line: 5, Err: errors.New("4 columns, want 6")}), "第 5 行有误，未导入任何记录"},
		{fmt.Errorf("x: %w", ClerkError("no such office", "没有这个单位")), "没有这个单位"},
	} {
		if got := Chinese(c.err); got != c.want {
			t.Errorf("Chinese(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

// TestClerkError: each ClerkError is its own sentinel, says English as its error and Chinese to a clerk.
func TestClerkError(t *testing.T) {
	a, b := ClerkError("same", "一"), ClerkError("same", "二")
	wrapped := fmt.Errorf("ctx: %w", a)
	if !errors.Is(wrapped, a) || errors.Is(wrapped, b) {
		t.Errorf("errors.Is: wrapped a is a %v, is b %v; want true, false", errors.Is(wrapped, a), errors.Is(wrapped, b))
	}
	if wrapped.Error() != "ctx: same" || Chinese(wrapped) != "一" {
		t.Errorf("Error %q, Chinese %q", wrapped.Error(), Chinese(wrapped))
	}
}
