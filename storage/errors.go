package storage

import (
	"fmt"
	"strings"

	"techaid/ledger"
)

// Sentinel errors of the store. Badger's own errors never leave this package: they are translated to
// these or wrapped with context. Each says in Chinese what a clerk should do (ledger.Chinese finds it).
var (
	ErrNotFound       = clerkError("record not found", "找不到这条记录，它可能已被删除。")
	ErrNotInitialized = clerkError("store not initialised: run init with the office scope and clerk first", "尚未设置本单位和录入人，请先完成初始设置。")
	ErrInitialized    = clerkError("store already initialised for another office", "数据目录已属于另一个单位，不能改为本单位。请换一个数据目录。")
	ErrLocked         = clerkError("the data directory is in use by another techaid program", "数据正被另一个台账程序使用。请先关闭另一个窗口，再重新打开。")
	ErrPassphrase     = clerkError("wrong passphrase for this encrypted store", "数据加密口令不正确，请重新输入。")
	ErrNewerFormat    = clerkError("the store was written by a newer techaid; upgrade this program", "这些数据由更新版本的台账程序写入，请先升级本程序。")
	ErrScope          = clerkError("outside this office's scope", "不在本单位的管辖范围内，不能修改。")
	ErrClosed         = clerkError("store is closed", "数据已关闭，请重新打开程序。")
	ErrInUse          = clerkError("still named by live records", "还有记录涉及它，不能删除。请先修改或删除这些记录。")
)

// sentinel is an error of the store in English (Error) and in the clerk's words (Chinese).
type sentinel struct{ en, zh string }

func clerkError(en, zh string) error { return &sentinel{en, zh} }

func (e *sentinel) Error() string   { return e.en }
func (e *sentinel) Chinese() string { return e.zh }

// InUseError says why a record cannot be deleted: the live records that still name it.
type InUseError struct {
	Kind        ledger.Kind
	ID          string
	Trainings   int
	Assignments int
	Others      map[ledger.Kind]int // records of the programme's other kinds, by kind
}

// counts lists what names the record, kind by kind in ledger.Kinds order.
func (e *InUseError) counts() (zh, en []string) {
	add := func(k ledger.Kind, n int) {
		if n > 0 {
			zh = append(zh, fmt.Sprintf("%d 条%s", n, ledger.KindName(k)))
			en = append(en, fmt.Sprintf("%d %s", n, k))
		}
	}
	add(ledger.KindTraining, e.Trainings)
	add(ledger.KindAssignment, e.Assignments)
	for _, k := range ledger.Kinds {
		add(k, e.Others[k])
	}
	return zh, en
}

func (e *InUseError) Error() string {
	_, en := e.counts()
	return fmt.Sprintf("delete %s %s: %s name it: %v", e.Kind, e.ID, strings.Join(en, ", "), ErrInUse)
}

// Chinese is the message a clerk sees.
func (e *InUseError) Chinese() string {
	zh, _ := e.counts()
	return fmt.Sprintf("不能删除：还有 %s涉及该%s。请先修改或删除这些记录。", strings.Join(zh, "、"), ledger.KindName(e.Kind))
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
