package app

import (
	"time"

	"techaid/ledger"
)

// SyncPhase is where sync with the city is.
type SyncPhase int

const (
	SyncOff        SyncPhase = iota // no city server configured
	SyncOffline                     // configured, no connection now; retrying
	SyncConnecting                  // dialling
	SyncSyncing                     // sending or receiving
	SyncUpToDate                    // the city holds everything of this office
	SyncFailed                      // the city refused for good (token revoked, app too old)
)

// SyncState is what the status bar shows of sync; main.go translates the sync client's state into it.
type SyncState struct {
	Phase       SyncPhase
	Done, Total uint64        // of this session's changes to send, acknowledged so far
	Pulled      int           // records received from the city in this session
	AsOf        time.Time     // when everything was last acknowledged
	Offset      time.Duration // the city's clock minus this PC's (positive: this PC runs slow)
	Problem     string        // why the last attempt failed, as a Chinese sentence; "" if none
	Office      string        // the office as the city registered it
	Upgrade     Upgrade       // a new version the city publishes, as far as its download has come
}

// Upgrade is a newer version of the app that the city publishes (upgrades from the city): main.go
// downloads it while the clerk works; once it is verified the status bar offers to install it.
type Upgrade struct {
	Version     string // "" if the city publishes nothing newer
	Done, Total int64  // bytes downloaded, of the installer's size
	Ready       bool   // downloaded and verified: Options.Install installs it
	Problem     string // why the last attempt failed, as a Chinese sentence; "" if none
}

// Syncer is the office's sync with the city, as the UI sees it.
type Syncer interface {
	// States delivers the latest state whenever it changes; the UI is its only reader.
	States() <-chan SyncState
	// Config is the remembered city server address and token ("" if none).
	Config() (url, token string)
	// Unencrypted reports whether url reaches another machine unencrypted (ws://, http://): the token
	// and the records would cross the network in clear, so the clerk confirms it first.
	Unencrypted(url string) bool
	// Configure remembers a new address and token and restarts sync with them; an empty url stops it.
	// plain says the clerk confirmed an unencrypted address; without it one is refused. It returns a
	// sentence for the clerk if the token could not be kept encrypted, or an error a clerk can read if
	// the address is not usable.
	Configure(url, token string, plain bool) (warning string, err error)
}

// OffsetWarning reports a clock too far off the city's to trust.
func (s SyncState) OffsetWarning() bool {
	return s.Offset > ledger.MaxAhead || s.Offset < -ledger.MaxAhead
}

// describe is the state in a few words, for the status bar.
func (s SyncState) describe(pending uint64) string {
	var text string
	switch s.Phase {
	case SyncOff:
		text = T("未设置市局服务器，数据保存在本机")
	case SyncOffline:
		text = T("离线")
		if s.Problem != "" {
			text += T("（%s）", s.Problem)
		}
	case SyncConnecting:
		text = T("正在连接市局…")
	case SyncSyncing:
		if s.Total > 0 && s.Done < s.Total {
			text = T("正在报送 %d / %d", s.Done, s.Total)
		} else {
			text = T("正在接收市局的数据（已收到 %d 条）", s.Pulled)
		}
	case SyncUpToDate:
		text = T("已送达市局 %s", s.AsOf.In(ledger.China).Format("15:04"))
	case SyncFailed:
		text = T("同步已停止：%s", s.Problem)
	}
	if pending > 0 && s.Phase != SyncUpToDate {
		text += T(" · 待上报 %d 条", pending)
	}
	return text
}

// offsetText says how far the clock is off (offset: the city's clock minus this PC's), in words a clerk
// reads (约 26 年, 约 3 天), and what to do.
func offsetText(d time.Duration) string {
	slow := d > 0
	if d < 0 {
		d = -d
	}
	const day = 24 * time.Hour
	var amount string
	switch {
	case d >= 365*day-day/2:
		amount = T("约 %d 年", int((d+365*day/2)/(365*day)))
	case d >= day:
		amount = T("约 %d 天", int((d+day/2)/day))
	case d >= time.Hour:
		amount = T("约 %d 小时", int((d+time.Hour/2)/time.Hour))
	default:
		amount = T("约 %d 分钟", int((d+time.Minute/2)/time.Minute))
	}
	if slow {
		return T("本机时钟比市局慢 %s，请校准电脑时间（记录不受影响）", amount)
	}
	return T("本机时钟比市局快 %s，请校准电脑时间（记录不受影响）", amount)
}
