package ledger

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date in the ledger's time zone, written YYYY-MM-DD, so that dates sort as strings.
type Date string

const dateLayout = "2006-01-02"

// ParseDate accepts YYYY-MM-DD (and the 2026/5/1 or 2026.5.1 forms clerks type) and returns a Date.
func ParseDate(s string) (Date, error) {
	for _, layout := range []string{dateLayout, "2006/1/2", "2006.1.2", "2006-1-2", "20060102"} {
		if t, err := time.ParseInLocation(layout, s, China); err == nil {
			return DateOf(t), nil
		}
	}
	return "", fmt.Errorf("date %q: want YYYY-MM-DD", s)
}

// DateOf is the date of t in the ledger's time zone.
func DateOf(t time.Time) Date { return Date(t.In(China).Format(dateLayout)) }

// Time is the start of the date; the zero time if the date is malformed.
func (d Date) Time() time.Time {
	t, _ := time.ParseInLocation(dateLayout, string(d), China)
	return t
}

// Valid reports whether d is a well-formed date.
func (d Date) Valid() bool {
	_, err := time.ParseInLocation(dateLayout, string(d), China)
	return err == nil
}

// Days is the date as a number of days since 1970-01-01, computed without parsing a time (lists and
// counts compare ages of thousands of records); ok is false if d is malformed.
func (d Date) Days() (n int, ok bool) {
	if len(d) != 10 || d[4] != '-' || d[7] != '-' {
		return 0, false
	}
	num := func(s Date) (int, bool) {
		v := 0
		for _, c := range []byte(s) {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	y, ok1 := num(d[:4])
	m, ok2 := num(d[5:7])
	day, ok3 := num(d[8:])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || day < 1 || day > 31 {
		return 0, false
	}
	// Days from civil (Howard Hinnant's algorithm): March-based years put the leap day last.
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468, true
}

// Year is the date's year, 0 if malformed.
func (d Date) Year() int {
	if !d.Valid() {
		return 0
	}
	return d.Time().Year()
}

// FieldInfo describes one field of a kind.
type FieldInfo struct {
	Name  string // the record field name (the `f` tag)
	Zh    string // label in Chinese
	En    string // label in English
	index int
}

type kindInfo struct {
	typ    reflect.Type
	id     int // struct index of the id field
	fields []FieldInfo
	byName map[string]FieldInfo
}

var kinds = map[Kind]*kindInfo{}

func init() {
	for _, e := range []Entity{Village{}, Advisor{}, Training{}, Assignment{}, Target{},
		Need{}, Project{}, Variety{}, Introduction{}, Leader{}, Publicity{}, Park{}, ParkPairing{}, Platform{}} {
		kinds[e.RecordKind()] = describe(reflect.TypeOf(e))
	}
}

// describe reads a kind's struct tags. A malformed tag is a programmer error found at start-up.
func describe(t reflect.Type) *kindInfo {
	info := &kindInfo{typ: t, id: -1, byName: map[string]FieldInfo{}}
	for i := range t.NumField() {
		sf := t.Field(i)
		name := sf.Tag.Get("f")
		if name == "" {
			continue
		}
		if name == "id" {
			// Not a record field (it is the key), but validation names it, so it needs its labels.
			info.id = i
			info.byName[name] = FieldInfo{Name: name, Zh: sf.Tag.Get("zh"), En: sf.Tag.Get("en"), index: i}
			continue
		}
		switch sf.Type.Kind() {
		case reflect.String, reflect.Int, reflect.Bool, reflect.Float64:
		case reflect.Slice:
			if sf.Type.Elem().Kind() != reflect.String {
				panic(fmt.Sprintf("ledger: %s.%s: only string slices are supported", t.Name(), sf.Name))
			}
		default:
			panic(fmt.Sprintf("ledger: %s.%s: unsupported field type %s", t.Name(), sf.Name, sf.Type))
		}
		fi := FieldInfo{Name: name, Zh: sf.Tag.Get("zh"), En: sf.Tag.Get("en"), index: i}
		info.fields = append(info.fields, fi)
		info.byName[name] = fi
	}
	if info.id < 0 {
		panic("ledger: " + t.Name() + " has no id field")
	}
	return info
}

// Fields lists the fields of a kind (without the id), in declaration order.
func Fields(k Kind) []FieldInfo {
	if info := kinds[k]; info != nil {
		return info.fields
	}
	return nil
}

// Label gives a field's Chinese and English labels; unknown fields are labelled by their name.
func Label(k Kind, field string) (zh, en string) {
	if info := kinds[k]; info != nil {
		if fi, ok := info.byName[field]; ok {
			return fi.Zh, fi.En
		}
	}
	return field, field
}

// Values renders a typed view as canonical field text: "" for a zero value, decimal numbers, "true",
// lists as JSON arrays. Equal values always render to equal text, so comparing texts finds edits.
func Values(e Entity) map[string]string {
	info := kinds[e.RecordKind()]
	v := reflect.ValueOf(e)
	out := make(map[string]string, len(info.fields))
	for _, fi := range info.fields {
		out[fi.Name] = render(v.Field(fi.index))
	}
	return out
}

func render(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Int:
		if v.Int() == 0 {
			return ""
		}
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Bool:
		if v.Bool() {
			return "true"
		}
		return ""
	case reflect.Float64:
		if v.Float() == 0 {
			return ""
		}
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	case reflect.Slice:
		if v.Len() == 0 {
			return ""
		}
		items := make([]string, v.Len())
		for i := range items {
			items[i] = v.Index(i).String()
		}
		b, _ := json.Marshal(items) // strings always marshal
		return string(b)
	}
	return ""
}

// parseList reads a JSON array of strings. Lists of codes and ids, the common case, need no escapes
// and are split directly, several times faster than encoding/json; anything else goes through it.
func parseList(text string) ([]string, bool) {
	if len(text) >= 2 && text[0] == '[' && text[len(text)-1] == ']' && !strings.Contains(text, `\`) {
		inner := text[1 : len(text)-1]
		if inner == "" {
			return nil, true
		}
		parts := strings.Split(inner, ",")
		ok := true
		for i, p := range parts {
			if len(p) < 2 || p[0] != '"' || p[len(p)-1] != '"' || strings.Contains(p[1:len(p)-1], `"`) {
				ok = false
				break
			}
			parts[i] = p[1 : len(p)-1]
		}
		if ok {
			return parts, true
		}
	}
	var items []string
	if json.Unmarshal([]byte(text), &items) != nil {
		return nil, false
	}
	return items, true
}

// Decode fills a typed view of kind k from a record's id and field values. Text that does not parse
// (from a newer app version, say) leaves the zero value: reading never fails.
func Decode(k Kind, id string, values map[string]string) (Entity, error) {
	info := kinds[k]
	if info == nil {
		return nil, fmt.Errorf("decode: unknown record kind %q", k)
	}
	v := reflect.New(info.typ).Elem()
	v.Field(info.id).SetString(id)
	for _, fi := range info.fields {
		parse(v.Field(fi.index), values[fi.Name])
	}
	return v.Interface().(Entity), nil
}

func parse(v reflect.Value, text string) {
	if text == "" {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(text)
	case reflect.Int:
		n, _ := strconv.ParseInt(text, 10, 64)
		v.SetInt(n)
	case reflect.Bool:
		v.SetBool(text == "true")
	case reflect.Float64:
		f, _ := strconv.ParseFloat(text, 64)
		v.SetFloat(f)
	case reflect.Slice:
		items, ok := parseList(text)
		if !ok {
			return
		}
		s := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, item := range items {
			s.Index(i).SetString(item)
		}
		v.Set(s)
	}
}

// As decodes a record into its typed view T. It fails only if the record is of another kind.
func As[T Entity](r Record) (T, error) {
	var zero T
	if r.Kind != zero.RecordKind() {
		return zero, fmt.Errorf("record %s is a %s, not a %s", r.ID, r.Kind, zero.RecordKind())
	}
	e, err := Decode(r.Kind, r.ID, r.Values())
	if err != nil {
		return zero, err
	}
	return e.(T), nil
}
