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
	} {
		if got := Chinese(c.err); got != c.want {
			t.Errorf("Chinese(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
