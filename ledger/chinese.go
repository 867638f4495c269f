package ledger

import (
	"errors"
	"fmt"
)

// ChineseError is an error that can tell a clerk in Chinese what happened and what to do next. The
// errors a person may see (ValidationError, the store's) implement it, so that whoever shows one (the
// app, a command, the hub's refusals) finds the sentence through this one interface instead of a list
// of the errors it knows.
type ChineseError interface {
	error
	Chinese() string
}

// Chinese is the sentence a clerk reads for err: that of the first error in its chain that has one,
// else a general sentence with the English detail after it ("" for nil).
func Chinese(err error) string {
	if err == nil {
		return ""
	}
	var ce ChineseError
	if errors.As(err, &ce) {
		return ce.Chinese()
	}
	return "操作没有完成：" + err.Error()
}

// ClerkError makes a sentinel error that says what happened in English (Error) and, to a clerk, in
// Chinese (Chinese). Each value is its own sentinel for errors.Is.
func ClerkError(en, zh string) error { return &clerkError{en, zh} }

type clerkError struct{ en, zh string }

func (e *clerkError) Error() string   { return e.en }
func (e *clerkError) Chinese() string { return e.zh }

// Chinese names the line: the file is read whole or not at all.
func (e *LineError) Chinese() string {
	return fmt.Sprintf("第 %d 行有误，未导入任何记录", e.Line)
}
