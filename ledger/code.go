package ledger

import (
	"errors"
	"fmt"
	"strings"
)

// Code is an NBS statistical division code (统计用区划代码) cut to one of the levels the programme uses:
// city (4 digits, 3703), county (6, 370323), township (9, 370323102) or village (12, 370323102201).
// A code's prefix is its parent, so scope checks are prefix checks.
type Code string

// Level is the administrative level of a Code.
type Level int

const (
	LevelInvalid  Level = iota
	LevelCity           // 市, 4 digits
	LevelCounty         // 区县, 6 digits
	LevelTownship       // 乡镇/街道, 9 digits
	LevelVillage        // 村/社区, 12 digits
)

var levelLen = map[int]Level{4: LevelCity, 6: LevelCounty, 9: LevelTownship, 12: LevelVillage}

// String gives the level's Chinese name.
func (l Level) String() string {
	switch l {
	case LevelCity:
		return "市"
	case LevelCounty:
		return "区县"
	case LevelTownship:
		return "乡镇"
	case LevelVillage:
		return "村"
	}
	return "无效"
}

// ErrCode is wrapped by every error ParseCode returns.
var ErrCode = errors.New("invalid division code")

// ParseCode checks s (surrounding spaces allowed) and returns it as a Code.
func ParseCode(s string) (Code, error) {
	s = strings.TrimSpace(s)
	if _, ok := levelLen[len(s)]; !ok {
		return "", fmt.Errorf("%w: %q has %d digits; want 4, 6, 9 or 12", ErrCode, s, len(s))
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", fmt.Errorf("%w: %q contains %q", ErrCode, s, r)
		}
	}
	if s[:2] == "00" {
		return "", fmt.Errorf("%w: %q has no province", ErrCode, s)
	}
	return Code(s), nil
}

// Valid reports whether c is a well-formed code of some level: what ParseCode accepts, without
// surrounding spaces. (It is asked of every code a count or a list reads: it builds no error.)
func (c Code) Valid() bool {
	if _, ok := levelLen[len(c)]; !ok || c[:2] == "00" {
		return false
	}
	for i := range len(c) {
		if c[i] < '0' || c[i] > '9' {
			return false
		}
	}
	return true
}

// Level reports the code's level, LevelInvalid if it is malformed.
func (c Code) Level() Level {
	if !c.Valid() {
		return LevelInvalid
	}
	return levelLen[len(c)]
}

// Parent returns the code one level up ("" for a city or an invalid code).
func (c Code) Parent() Code {
	switch c.Level() {
	case LevelCounty:
		return c[:4]
	case LevelTownship:
		return c[:6]
	case LevelVillage:
		return c[:9]
	}
	return ""
}

// Contains reports whether other lies inside c (or is c). An empty c contains nothing.
func (c Code) Contains(other Code) bool {
	return c != "" && strings.HasPrefix(string(other), string(c))
}

// Township returns the township a village or township code lies in, "" above that level.
func (c Code) Township() Code {
	if len(c) >= 9 {
		return c[:9]
	}
	return ""
}

// County returns the county a code lies in, "" for a city.
func (c Code) County() Code {
	if len(c) >= 6 {
		return c[:6]
	}
	return ""
}

// VillageType is the kind of a village-level unit, read from the last three digits of its code
// (names are irregular, codes are not).
type VillageType int

const (
	VillageTypeUnknown       VillageType = iota
	VillageTypeCommittee                 // 居委会, 001–199
	VillageTypeVillage                   // 村委会, 200–399
	VillageTypeLikeCommittee             // 类似居委会, 400–599
)

// String gives the type's Chinese name.
func (t VillageType) String() string {
	switch t {
	case VillageTypeCommittee:
		return "居委会"
	case VillageTypeVillage:
		return "村委会"
	case VillageTypeLikeCommittee:
		return "类似居委会"
	}
	return "未知"
}

// VillageType classifies a 12-digit village code; any other level is VillageTypeUnknown.
func (c Code) VillageType() VillageType {
	if c.Level() != LevelVillage {
		return VillageTypeUnknown
	}
	n := int(c[9]-'0')*100 + int(c[10]-'0')*10 + int(c[11]-'0')
	switch {
	case n >= 1 && n <= 199:
		return VillageTypeCommittee
	case n >= 200 && n <= 399:
		return VillageTypeVillage
	case n >= 400 && n <= 599:
		return VillageTypeLikeCommittee
	}
	return VillageTypeUnknown
}
