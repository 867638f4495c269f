// Package protocol is the sync wire format between an office replica and the city hub: the messages,
// their JSON encoding, version negotiation and size limits. It knows nothing of sockets or storage.
// PROTOCOL.md in this directory is the specification; this file is its implementation.
package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"techaid/ledger"
)

// Version is the protocol version this build speaks; MinVersion the oldest it still accepts. A hello
// below MinVersion is answered with CodeUpgrade; a session speaks the lower of both ends' versions.
const (
	Version    = 1
	MinVersion = 1
)

// Schema is the version of the record schema (the kinds and their fields) carried in hello, so a hub can
// tell an office that its records would not be understood. 2: the programme's kinds (need, project,
// variety, introduction, leader, publicity, park, park_pairing, platform) and the targets' new fields.
const Schema = 2

// Size limits. A frame larger than MaxFrame is refused with CodeTooLarge and the connection closed; a
// sender keeps a batch under MaxBatch records and about BatchBytes of JSON.
const (
	MaxFrame   = 8 << 20
	MaxHello   = 64 << 10 // the first frame, before the token is checked
	MaxBatch   = 1000
	BatchBytes = 1 << 20
)

// Path is where the hub serves the websocket.
const Path = "/sync"

// Type names a message; it is the "t" member of every frame.
type Type string

// The message types.
const (
	THello   Type = "hello"
	TWelcome Type = "welcome"
	TPush    Type = "push"
	TAck     Type = "ack"
	TPull    Type = "pull"
	TChanges Type = "changes"
	TError   Type = "error"
	TPing    Type = "ping"
	TPong    Type = "pong"
)

// Message is any protocol message.
type Message interface{ MessageType() Type }

// Hello is the office's first frame.
type Hello struct {
	T       Type   `json:"t"`
	Proto   int    `json:"proto"`   // protocol version the office speaks
	Schema  int    `json:"schema"`  // record schema version
	App     string `json:"app"`     // application version, for the status page
	Replica string `json:"replica"` // the office replica's id
	Token   string `json:"token"`   // the office's secret
	Seq     uint64 `json:"seq"`     // the office's last change-log sequence number
	Epoch   string `json:"epoch"`   // the hub epoch the cursor below belongs to ("" if never synced)
	Cursor  uint64 `json:"cursor"`  // the last hub sequence number the office applied in that epoch
	Time    int64  `json:"time"`    // the office's wall clock, Unix milliseconds
	// Platform is the app's platform, GOOS-GOARCH (windows-amd64, linux-amd64): which release the hub
	// names in its answer. Omitted by tools that install nothing (techaid-cli).
	Platform string `json:"platform,omitempty"`
}

// Welcome answers a good hello.
type Welcome struct {
	T     Type   `json:"t"`
	Proto int    `json:"proto"` // the version the session speaks (the lower of both ends)
	Epoch string `json:"epoch"` // changes whenever the hub is restored from a backup
	Time  int64  `json:"time"`  // the hub's wall clock, Unix milliseconds
	Acked uint64 `json:"acked"` // the last sequence number of this replica the hub holds (this epoch)
	// AckedMark fingerprints the change Acked as it was pushed (see PROTOCOL.md); "" if unknown.
	AckedMark string      `json:"acked_mark,omitempty"`
	Head      uint64      `json:"head"`   // the hub's last global sequence number
	Office    string      `json:"office"` // the office's name, as the city registered it
	Scope     ledger.Code `json:"scope"`  // what the office may write and receives
	// Release is the current release of the app for the hello's platform, if the city publishes one
	// (the office decides whether it is newer than its own).
	Release *Release `json:"release,omitempty"`
}

// Push carries the office's changes From..To (its own sequence numbers, inclusive), one record per
// change: the changed fields with their current values and versions.
type Push struct {
	T       Type            `json:"t"`
	From    uint64          `json:"from"`
	To      uint64          `json:"to"`
	Seqs    []uint64        `json:"seqs"` // the sequence number of each record, in order
	Records []ledger.Record `json:"records"`
}

// Ack tells the office the hub holds all its changes up to Acked; Refused lists the records it would not
// take, with the reason. Refused records are acknowledged too: sending them again cannot help.
type Ack struct {
	T       Type      `json:"t"`
	Acked   uint64    `json:"acked"`
	Refused []Refusal `json:"refused,omitempty"`
}

// Refusal is one record the hub did not apply.
type Refusal struct {
	Seq     uint64      `json:"seq"`
	Kind    ledger.Kind `json:"kind"`
	ID      string      `json:"id"`
	Code    Code        `json:"code"`
	Message string      `json:"message"`
	// Fields names the fields whose values broke a rule (CodeInvalid from validation; "id" for the
	// record's id), in name order; omitted when the refusal is about the record as a whole.
	Fields []string `json:"fields,omitempty"`
}

// Pull asks for every change in the office's scope after Cursor. The hub then streams Changes until
// it is caught up and keeps sending new ones as they arrive (live).
type Pull struct {
	T      Type   `json:"t"`
	Cursor uint64 `json:"cursor"`
}

// Changes carries records of the office's scope. Cursor is the hub sequence number the office has
// seen everything up to once it applied them; CaughtUp says the hub had nothing newer when it sent it.
type Changes struct {
	T        Type            `json:"t"`
	Cursor   uint64          `json:"cursor"`
	CaughtUp bool            `json:"caught_up,omitempty"`
	Records  []ledger.Record `json:"records"`
}

// Error reports a failure with a stable code and a sentence for people (Chinese first).
type Error struct {
	T       Type   `json:"t"`
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// Release, with CodeUpgrade, is the release for the hello's platform the office can install.
	Release *Release `json:"release,omitempty"`
}

// Ping and Pong keep a session alive and refresh the clock offset.
type Ping struct {
	T    Type  `json:"t"`
	Time int64 `json:"time"` // sender's wall clock, Unix milliseconds
}

type Pong struct {
	T    Type  `json:"t"`
	Echo int64 `json:"echo"` // the ping's time, returned
	Time int64 `json:"time"` // the responder's wall clock
}

func (Hello) MessageType() Type   { return THello }
func (Welcome) MessageType() Type { return TWelcome }
func (Push) MessageType() Type    { return TPush }
func (Ack) MessageType() Type     { return TAck }
func (Pull) MessageType() Type    { return TPull }
func (Changes) MessageType() Type { return TChanges }
func (Error) MessageType() Type   { return TError }
func (Ping) MessageType() Type    { return TPing }
func (Pong) MessageType() Type    { return TPong }

// Code is a stable error code. Clients branch on codes, never on messages.
type Code string

const (
	CodeBadRequest   Code = "bad_request"   // a frame that is not a valid message, or out of order
	CodeUnauthorized Code = "unauthorized"  // no token, or a token the hub does not know
	CodeRevoked      Code = "revoked"       // the office's token was revoked
	CodeUpgrade      Code = "upgrade"       // protocol or schema version not supported: install the new app
	CodeTooLarge     Code = "too_large"     // a frame over the size limit
	CodeGap          Code = "gap"           // a push that does not follow what the hub holds
	CodeOutOfScope   Code = "out_of_scope"  // a record outside the office's scope (in Ack.Refused)
	CodeInvalid      Code = "invalid"       // a malformed record (in Ack.Refused)
	CodeBusy         Code = "busy"          // too many sessions or hellos; try again later
	CodeShuttingDown Code = "shutting_down" // the hub is stopping; reconnect later
	CodeInternal     Code = "internal"      // the hub failed; the office should retry
	CodeReplicaTaken Code = "replica_taken" // the hello's replica id belongs to another office
)

// Permanent reports whether retrying with the same token and app cannot succeed.
func (c Code) Permanent() bool {
	return c == CodeUnauthorized || c == CodeRevoked || c == CodeUpgrade || c == CodeReplicaTaken
}

// Chinese is what a clerk is told for each code.
func (c Code) Chinese() string {
	switch c {
	case CodeBadRequest:
		return "同步数据格式错误"
	case CodeUnauthorized:
		return "市局服务器不认识这个令牌：请向市局索取正确的令牌"
	case CodeRevoked:
		return "这个令牌已被市局停用：请向市局索取新的令牌"
	case CodeUpgrade:
		return "软件版本太旧，市局服务器已不支持：请安装新版本"
	case CodeTooLarge:
		return "一次发送的数据太大"
	case CodeGap:
		return "同步顺序错乱，将重新发送"
	case CodeOutOfScope:
		return "超出本单位的管辖范围"
	case CodeInvalid:
		return "记录内容不完整或有误"
	case CodeBusy:
		return "市局服务器繁忙，稍后自动重试"
	case CodeShuttingDown:
		return "市局服务器正在停机，稍后自动重试"
	case CodeFileTooLarge:
		return "文件太大，市局不接收"
	case CodeQuota:
		return "本单位今天上报的佐证材料已达市局规定的上限，明天自动继续上报"
	case CodeNotEvidence:
		return "不是图片（JPEG、PNG）或 PDF 文件，市局不接收"
	case CodeHashMismatch:
		return "文件在传输中损坏，将重新上报"
	case CodeNotListed:
		return "市局还没有列出这个文件的记录，记录同步后再上报"
	case CodeReplicaTaken:
		return "这台电脑的数据编号已属于另一个单位，市局不接受本单位用它同步：请联系市局（数据目录是否从别的单位复制而来？）"
	default:
		return "市局服务器出错，稍后自动重试"
	}
}

// Err makes an Error message.
func Err(code Code, detail string) Error {
	msg := code.Chinese()
	if detail != "" {
		msg += " (" + detail + ")"
	}
	return Error{T: TError, Code: code, Message: msg}
}

// Error makes Error an error, so a client can return what the hub said.
func (e Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Encode writes m as one JSON frame, setting its type member.
func Encode(m Message) ([]byte, error) {
	switch v := m.(type) {
	case Hello:
		v.T = THello
		return json.Marshal(v)
	case Welcome:
		v.T = TWelcome
		return json.Marshal(v)
	case Push:
		return json.Marshal(wirePush{T: TPush, From: v.From, To: v.To, Seqs: v.Seqs, Records: toWire(v.Records)})
	case Ack:
		v.T = TAck
		return json.Marshal(v)
	case Pull:
		v.T = TPull
		return json.Marshal(v)
	case Changes:
		return json.Marshal(wireChanges{T: TChanges, Cursor: v.Cursor, CaughtUp: v.CaughtUp, Records: toWire(v.Records)})
	case Error:
		v.T = TError
		return json.Marshal(v)
	case Ping:
		v.T = TPing
		return json.Marshal(v)
	case Pong:
		v.T = TPong
		return json.Marshal(v)
	case FileOffer:
		v.T = TFileOffer
		return json.Marshal(v)
	case FileChunk:
		v.T = TFileChunk
		return json.Marshal(v)
	case FileAck:
		v.T = TFileAck
		return json.Marshal(v)
	case FileRefused:
		v.T = TFileRefused
		return json.Marshal(v)
	}
	return nil, fmt.Errorf("encode: unknown message %T", m)
}

// ErrMalformed wraps every decoding failure.
var ErrMalformed = errors.New("malformed frame")

// frame holds every member of every message, so that a frame is parsed in one pass whatever the order
// of its members; "t" then says which message it is. Members of one name have one type in every
// message that has them.
type frame struct {
	T        Type         `json:"t"`
	Proto    int          `json:"proto"`
	Schema   int          `json:"schema"`
	App      string       `json:"app"`
	Replica  string       `json:"replica"`
	Token    string       `json:"token"`
	Seq      uint64       `json:"seq"`
	Epoch    string       `json:"epoch"`
	Cursor   uint64       `json:"cursor"`
	Time     int64        `json:"time"`
	Acked    uint64       `json:"acked"`
	Mark     string       `json:"acked_mark"`
	Head     uint64       `json:"head"`
	Office   string       `json:"office"`
	Scope    ledger.Code  `json:"scope"`
	From     uint64       `json:"from"`
	To       uint64       `json:"to"`
	Seqs     []uint64     `json:"seqs"`
	Records  []wireRecord `json:"records"`
	Refused  []Refusal    `json:"refused"`
	CaughtUp bool         `json:"caught_up"`
	Code     Code         `json:"code"`
	Message  string       `json:"message"`
	Echo     int64        `json:"echo"`
	Platform string       `json:"platform"`
	Release  *Release     `json:"release"`
	SHA256   string       `json:"sha256"`
	Size     int64        `json:"size"`
	Kind     ledger.Kind  `json:"kind"`
	ID       string       `json:"id"`
	Offset   int64        `json:"offset"`
	Data     []byte       `json:"data"`
	Held     int64        `json:"held"`
	Done     bool         `json:"done"`
}

// Decode reads one frame. Unknown members are ignored (a newer peer may send more); an unknown type, a
// frame over MaxFrame, or a message whose members contradict each other is ErrMalformed.
func Decode(data []byte) (Message, error) {
	if len(data) > MaxFrame {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrMalformed, len(data), MaxFrame)
	}
	var f frame
	d := json.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(bytes.TrimSpace(data[d.InputOffset():])) > 0 {
		return nil, fmt.Errorf("%w: data after the message", ErrMalformed)
	}
	var m Message
	var err error
	switch f.T {
	case THello:
		m = Hello{T: f.T, Proto: f.Proto, Schema: f.Schema, App: f.App, Replica: f.Replica, Token: f.Token, Seq: f.Seq,
			Epoch: f.Epoch, Cursor: f.Cursor, Time: f.Time, Platform: f.Platform}
	case TWelcome:
		m = Welcome{T: f.T, Proto: f.Proto, Epoch: f.Epoch, Time: f.Time, Acked: f.Acked, AckedMark: f.Mark, Head: f.Head,
			Office: f.Office, Scope: f.Scope, Release: f.Release}
	case TPush:
		p := Push{T: f.T, From: f.From, To: f.To, Seqs: f.Seqs}
		if p.Records, err = fromWire(f.Records); err == nil {
			err = p.check()
		}
		m = p
	case TAck:
		m = Ack{T: f.T, Acked: f.Acked, Refused: f.Refused}
	case TPull:
		m = Pull{T: f.T, Cursor: f.Cursor}
	case TChanges:
		c := Changes{T: f.T, Cursor: f.Cursor, CaughtUp: f.CaughtUp}
		if c.Records, err = fromWire(f.Records); err == nil {
			err = checkRecords(c.Records)
		}
		m = c
	case TError:
		m = Error{T: f.T, Code: f.Code, Message: f.Message, Release: f.Release}
	case TPing:
		m = Ping{T: f.T, Time: f.Time}
	case TPong:
		m = Pong{T: f.T, Echo: f.Echo, Time: f.Time}
	case TFileOffer:
		o := FileOffer{T: f.T, SHA256: f.SHA256, Size: f.Size, Kind: f.Kind, ID: f.ID}
		err = o.check()
		m = o
	case TFileChunk:
		c := FileChunk{T: f.T, SHA256: f.SHA256, Offset: f.Offset, Data: f.Data}
		err = c.check()
		m = c
	case TFileAck:
		a := FileAck{T: f.T, SHA256: f.SHA256, Held: f.Held, Done: f.Done}
		err = a.check()
		m = a
	case TFileRefused:
		m = FileRefused{T: f.T, SHA256: f.SHA256, Code: f.Code, Message: f.Message}
	default:
		return nil, fmt.Errorf("%w: unknown type %q", ErrMalformed, f.T)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, f.T, err)
	}
	return m, nil
}

// The wire form of records. A record's fields written by one save share one version, so versions are
// listed once per record and each field names its version by index: a training of fifteen fields
// travels in about a fifth of the bytes of a version per field, and parses that much faster.
type wireRecord struct {
	Kind     ledger.Kind          `json:"kind"`
	ID       string               `json:"id"`
	Versions []ledger.Version     `json:"versions"`
	Fields   map[string]wireField `json:"fields"`
}

type wireField struct {
	Value   string            `json:"v"`
	Version int               `json:"i"`              // index into the record's versions
	Prev    *ledger.VersionID `json:"prev,omitempty"` // omitted when zero
	// Context is the rest of the field's causal context (ledger.Field), omitted when empty: an older
	// receiver ignores it and decides by prev alone, as it always did.
	Context []ledger.VersionID `json:"ctx,omitempty"`
}

// MaxContext bounds the entries of a field's causal context (one per replica that wrote the field):
// a record with more is malformed.
const MaxContext = 1000

type wirePush struct {
	T       Type         `json:"t"`
	From    uint64       `json:"from"`
	To      uint64       `json:"to"`
	Seqs    []uint64     `json:"seqs"`
	Records []wireRecord `json:"records"`
}

type wireChanges struct {
	T        Type         `json:"t"`
	Cursor   uint64       `json:"cursor"`
	CaughtUp bool         `json:"caught_up,omitempty"`
	Records  []wireRecord `json:"records"`
}

func toWire(recs []ledger.Record) []wireRecord {
	out := make([]wireRecord, len(recs))
	for i, r := range recs {
		w := wireRecord{Kind: r.Kind, ID: r.ID, Fields: make(map[string]wireField, len(r.Fields))}
		for _, name := range slices.Sorted(maps.Keys(r.Fields)) { // the same record, the same bytes
			f := r.Fields[name]
			vi := slices.Index(w.Versions, f.Version)
			if vi < 0 {
				vi = len(w.Versions)
				w.Versions = append(w.Versions, f.Version)
			}
			wf := wireField{Value: f.Value, Version: vi, Context: f.Context}
			if !f.Prev.IsZero() {
				prev := f.Prev
				wf.Prev = &prev
			}
			w.Fields[name] = wf
		}
		out[i] = w
	}
	return out
}

func fromWire(ws []wireRecord) ([]ledger.Record, error) {
	out := make([]ledger.Record, len(ws))
	for i, w := range ws {
		r := ledger.Record{Kind: w.Kind, ID: w.ID, Fields: make(map[string]ledger.Field, len(w.Fields))}
		for name, wf := range w.Fields {
			if wf.Version < 0 || wf.Version >= len(w.Versions) {
				return nil, fmt.Errorf("record %d field %.40q: version %d of %d", i+1, name, wf.Version, len(w.Versions))
			}
			if len(wf.Context) > MaxContext {
				return nil, fmt.Errorf("record %d field %.40q: %d context entries, limit %d", i+1, name, len(wf.Context), MaxContext)
			}
			f := ledger.Field{Value: wf.Value, Version: w.Versions[wf.Version], Context: wf.Context}
			if wf.Prev != nil {
				f.Prev = *wf.Prev
			}
			r.Fields[name] = f
		}
		out[i] = r
	}
	return out, nil
}

// check enforces what a push promises: one sequence number per record, increasing, within From..To.
func (p Push) check() error {
	if p.From == 0 || p.To < p.From {
		return fmt.Errorf("range %d..%d", p.From, p.To)
	}
	if len(p.Seqs) != len(p.Records) {
		return fmt.Errorf("%d sequence numbers for %d records", len(p.Seqs), len(p.Records))
	}
	if len(p.Records) > MaxBatch {
		return fmt.Errorf("%d records, limit %d", len(p.Records), MaxBatch)
	}
	last := p.From - 1
	for _, s := range p.Seqs {
		if s <= last || s > p.To {
			return fmt.Errorf("sequence number %d out of order or outside %d..%d", s, p.From, p.To)
		}
		last = s
	}
	return checkRecords(p.Records)
}

// checkRecords refuses records that cannot be looked at: a whole frame of them is a broken peer. A
// record that is well-formed but wrong (out of scope, invalid values) is the receiver's to refuse alone.
func checkRecords(recs []ledger.Record) error {
	if len(recs) > MaxBatch {
		return fmt.Errorf("%d records, limit %d", len(recs), MaxBatch)
	}
	for i, r := range recs {
		if r.ID == "" || r.Kind == "" {
			return fmt.Errorf("record %d: no kind or id", i+1)
		}
	}
	return nil
}
