package storage

import (
	"errors"
	"fmt"

	"techaid/ledger"
)

// Sentinel errors of the store. Badger's own errors never leave this package: they are translated to
// these or wrapped with context.
var (
	ErrNotFound       = errors.New("record not found")
	ErrNotInitialized = errors.New("store not initialised: run init with the office scope and clerk first")
	ErrInitialized    = errors.New("store already initialised for another office")
	ErrLocked         = errors.New("the data directory is in use by another techaid program")
	ErrPassphrase     = errors.New("wrong passphrase for this encrypted store")
	ErrNewerFormat    = errors.New("the store was written by a newer techaid; upgrade this program")
	ErrScope          = errors.New("outside this office's scope")
	ErrClosed         = errors.New("store is closed")
	ErrInUse          = errors.New("still named by live records")
)

// InUseError says why a village or an advisor cannot be deleted.
type InUseError struct {
	Kind        ledger.Kind
	ID          string
	Trainings   int
	Assignments int
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("delete %s %s: %d trainings and %d assignments name it: %v", e.Kind, e.ID, e.Trainings, e.Assignments, ErrInUse)
}

// Chinese is the message a clerk sees.
func (e *InUseError) Chinese() string {
	return fmt.Sprintf("不能删除：还有 %d 条培训与服务记录、%d 条结对安排涉及该%s。请先修改或删除这些记录。",
		e.Trainings, e.Assignments, ledger.KindName(e.Kind))
}

// Is makes errors.Is(err, ErrInUse) true.
func (e *InUseError) Is(target error) bool { return target == ErrInUse }

// ScopeError says which record an office tried to write outside its scope.
type ScopeError struct {
	Kind  ledger.Kind
	ID    string
	Org   ledger.Code // the code the record belongs to ("" for a roster)
	Scope ledger.Code // the office's scope
}

func (e *ScopeError) Error() string {
	if e.Kind.Roster() {
		return fmt.Sprintf("%s %s: only the city office (scope of 4 digits) maintains the %s roster, this office is %s",
			e.Kind, e.ID, e.Kind, e.Scope)
	}
	return fmt.Sprintf("%s %s belongs to %s, %s: this office is %s", e.Kind, e.ID, e.Org, ErrScope, e.Scope)
}

// Chinese is the message a clerk sees.
func (e *ScopeError) Chinese() string {
	if e.Kind.Roster() {
		return fmt.Sprintf("%s名单由市局统一维护，本单位（%s）只能查看，不能修改。", ledger.KindName(e.Kind), e.Scope)
	}
	return fmt.Sprintf("该%s属于 %s，不在本单位（%s）的管辖范围内，不能修改。", ledger.KindName(e.Kind), e.Org, e.Scope)
}

// Is makes errors.Is(err, ErrScope) true.
func (e *ScopeError) Is(target error) bool { return target == ErrScope }

// Chinese turns an error from this package or ledger into a sentence a clerk understands, saying what to
// do next. Unknown errors get a generic sentence with the English detail after it.
func Chinese(err error) string {
	var ve *ledger.ValidationError
	var se *ScopeError
	var ue *InUseError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ve):
		return ve.Chinese()
	case errors.As(err, &se):
		return se.Chinese()
	case errors.As(err, &ue):
		return ue.Chinese()
	case errors.Is(err, ErrNotFound):
		return "找不到这条记录，它可能已被删除。"
	case errors.Is(err, ErrNotInitialized):
		return "尚未设置本单位和录入人，请先完成初始设置。"
	case errors.Is(err, ErrInitialized):
		return "数据目录已属于另一个单位，不能改为本单位。请换一个数据目录。"
	case errors.Is(err, ErrLocked):
		return "数据正被另一个台账程序使用。请先关闭另一个窗口，再重新打开。"
	case errors.Is(err, ErrPassphrase):
		return "数据加密口令不正确，请重新输入。"
	case errors.Is(err, ErrNewerFormat):
		return "这些数据由更新版本的台账程序写入，请先升级本程序。"
	case errors.Is(err, ErrClosed):
		return "数据已关闭，请重新打开程序。"
	}
	return "操作没有完成：" + err.Error()
}
