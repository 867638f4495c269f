// Package protocol is the sync wire format between an office replica and the city hub: the messages,
// their JSON encoding, version negotiation and size limits. It knows nothing of sockets or storage.
// PROTOCOL.md in this directory is the specification; this file is its implementation.
package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"techaid/ledger"
)

// Version is the protocol version this build speaks; MinVersion the oldest it still accepts. A hello
// outside [MinVersion, Version] is answered with CodeUpgrade.
const (
	Version    = 1
	MinVersion = 1
)

// Schema is the version of the record schema (the fields of each kind) carried in hello, so a hub can
// tell an office that its records would not be understood.
const Schema = 1

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
}

// Welcome answers a good hello.
type Welcome struct {
	T      Type        `json:"t"`
	Proto  int         `json:"proto"`  // the version the session speaks (the lower of both ends)
	Epoch  string      `json:"epoch"`  // changes whenever the hub is restored from a backup
	Time   int64       `json:"time"`   // the hub's wall clock, Unix milliseconds
	Acked  uint64      `json:"acked"`  // the last sequence number of this replica the hub holds (this epoch)
	Head   uint64      `json:"head"`   // the hub's last global sequence number
	Office string      `json:"office"` // the office's name, as the city registered it
	Scope  ledger.Code `json:"scope"`  // what the office may write and receives
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
)

// Permanent reports whether retrying with the same token and app cannot succeed.
func (c Code) Permanent() bool {
	return c == CodeUnauthorized || c == CodeRevoked || c == CodeUpgrade
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
		v.T = TPush
		return json.Marshal(v)
	case Ack:
		v.T = TAck
		return json.Marshal(v)
	case Pull:
		v.T = TPull
		return json.Marshal(v)
	case Changes:
		v.T = TChanges
		return json.Marshal(v)
	case Error:
		v.T = TError
		return json.Marshal(v)
	case Ping:
		v.T = TPing
		return json.Marshal(v)
	case Pong:
		v.T = TPong
		return json.Marshal(v)
	}
	return nil, fmt.Errorf("encode: unknown message %T", m)
}

// ErrMalformed wraps every decoding failure.
var ErrMalformed = errors.New("malformed frame")

// Decode reads one frame. Unknown members are ignored (a newer peer may send more); an unknown type, a
// frame over MaxFrame, or a message whose members contradict each other is ErrMalformed.
func Decode(frame []byte) (Message, error) {
	if len(frame) > MaxFrame {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrMalformed, len(frame), MaxFrame)
	}
	var head struct {
		T Type `json:"t"`
	}
	if err := json.Unmarshal(frame, &head); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var m Message
	var err error
	switch head.T {
	case THello:
		m, err = decode[Hello](frame)
	case TWelcome:
		m, err = decode[Welcome](frame)
	case TPush:
		var p Push
		if p, err = decode[Push](frame); err == nil {
			err = p.check()
		}
		m = p
	case TAck:
		m, err = decode[Ack](frame)
	case TPull:
		m, err = decode[Pull](frame)
	case TChanges:
		var c Changes
		if c, err = decode[Changes](frame); err == nil {
			err = checkRecords(c.Records)
		}
		m = c
	case TError:
		m, err = decode[Error](frame)
	case TPing:
		m, err = decode[Ping](frame)
	case TPong:
		m, err = decode[Pong](frame)
	default:
		return nil, fmt.Errorf("%w: unknown type %q", ErrMalformed, head.T)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, head.T, err)
	}
	return m, nil
}

func decode[M Message](frame []byte) (M, error) {
	var m M
	d := json.NewDecoder(bytes.NewReader(frame))
	if err := d.Decode(&m); err != nil {
		return m, err
	}
	if d.More() {
		return m, errors.New("data after the message")
	}
	return m, nil
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
