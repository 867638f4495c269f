package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
	"techaid/query"
)

// statusBar is the line at the bottom of the window, always visible: who is at the keyboard, and how
// sync stands (online or not, what is pending, when the city last had everything, a clock warning,
// conflicts to review).
type statusBar struct {
	content   fyne.CanvasObject
	who       *widget.Label
	dot       *canvas.Circle
	sync      *widget.Label
	clock     *widget.Label
	conflicts *widget.Button
	upgrade   *widget.Button // 有新版本 …: one click installs it
	fetching  *widget.Label  // the new version's download, while it runs or after it failed
	progress  *widget.ProgressBar
	receiving *widget.ProgressBarInfinite
	progBox   *fyne.Container // hidden with the bars, so that it leaves no gap

	u     *UI
	stats query.Stats
}

var (
	dotGreen = color.NRGBA{R: 0x2e, G: 0xa0, B: 0x5a, A: 0xff}
	dotGrey  = color.NRGBA{R: 0x99, G: 0x99, B: 0x99, A: 0xff}
	dotAmber = color.NRGBA{R: 0xe0, G: 0x9a, B: 0x1a, A: 0xff}
	dotRed   = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
)

func (u *UI) newStatusBar() *statusBar {
	b := &statusBar{u: u, who: widget.NewLabel(""), dot: canvas.NewCircle(dotGrey), sync: widget.NewLabel(""),
		clock: widget.NewLabel("")}
	b.clock.Importance = widget.DangerImportance
	b.clock.Hide()
	b.conflicts = widget.NewButtonWithIcon("", theme.WarningIcon(), func() { u.Show("同步与冲突") })
	b.conflicts.Importance = widget.WarningImportance
	b.conflicts.Hide()
	b.upgrade = widget.NewButtonWithIcon("", theme.DownloadIcon(), b.install)
	b.upgrade.Importance = widget.HighImportance
	b.upgrade.Hide()
	b.fetching = widget.NewLabel("")
	b.fetching.Hide()
	b.progress = widget.NewProgressBar()
	b.receiving = widget.NewProgressBarInfinite() // a pull's total is not known in advance
	b.progBox = container.NewGridWrap(fyne.NewSize(160, 30), container.NewStack(b.progress, b.receiving))
	b.progBox.Hide()
	dot := container.NewGridWrap(fyne.NewSize(12, 12), b.dot)
	b.content = container.NewVBox(widget.NewSeparator(), container.NewHBox(
		b.who, layoutSpacer(), b.upgrade, b.fetching, b.conflicts, b.clock, b.progBox,
		container.NewCenter(dot), b.sync))
	live(u, func(ws query.WatchSet) query.Stats { return u.st.Stats(ws) }, func(s query.Stats) {
		b.stats = s
		b.who.SetText(T("%s · 录入人：%s", u.places.name(s.Scope), s.Clerk))
		b.show()
	})
	return b
}

func (b *statusBar) show() {
	state := b.u.syncState
	b.sync.SetText(state.describe(b.stats.Pending))
	switch state.Phase {
	case SyncUpToDate:
		b.dot.FillColor = dotGreen
	case SyncSyncing, SyncConnecting:
		b.dot.FillColor = dotAmber
	case SyncFailed:
		b.dot.FillColor = dotRed
	default:
		b.dot.FillColor = dotGrey
	}
	b.dot.Refresh()
	switch { // the first sync of a new office can take a while
	case state.Phase == SyncSyncing && state.Total > 0 && state.Done < state.Total:
		b.progress.SetValue(float64(state.Done) / float64(state.Total))
		b.receiving.Hide()
		b.receiving.Stop()
		b.progress.Show()
		b.progBox.Show()
	case state.Phase == SyncSyncing:
		b.progress.Hide()
		b.receiving.Show()
		b.receiving.Start()
		b.progBox.Show()
	default:
		b.receiving.Stop()
		b.progBox.Hide()
	}
	if state.OffsetWarning() {
		b.clock.SetText(offsetText(state.Offset))
		b.clock.Show()
	} else if ck := b.u.st.Clock(); ck.Doubtful() {
		// Never synced, and the PC's clock reads a time that cannot be: a dead CMOS battery.
		b.clock.SetText(T("本机时间显示为 %s，明显不对：记录照常保存，连上市局后自动校正；请校准电脑时间",
			ck.Wall().In(ledger.China).Format("2006-01-02")))
		b.clock.Show()
	} else {
		b.clock.Hide()
	}
	if b.stats.Conflicts > 0 {
		b.conflicts.SetText(T("%d 处冲突待查看", b.stats.Conflicts))
		b.conflicts.Show()
	} else {
		b.conflicts.Hide()
	}
	b.showUpgrade(state.Upgrade)
	b.content.Refresh() // the texts changed width: lay the line out again
}

// showUpgrade offers a new version the city published once its download is verified, and says how the
// download goes meanwhile (quietly: the clerk's work comes first).
func (b *statusBar) showUpgrade(up Upgrade) {
	switch {
	case up.Version == "" || b.u.opts.Install == nil:
		b.upgrade.Hide()
		b.fetching.Hide()
	case up.Ready:
		b.upgrade.SetText(T("有新版本 %s，点击安装", up.Version))
		b.upgrade.Show()
		b.fetching.Hide()
	case up.Problem != "":
		b.upgrade.Hide()
		b.fetching.SetText(T("新版本 %s：%s", up.Version, up.Problem))
		b.fetching.Show()
	default:
		b.upgrade.Hide()
		pct := int64(0)
		if up.Total > 0 {
			pct = up.Done * 100 / up.Total
		}
		b.fetching.SetText(T("正在下载新版本 %s（%d%%）", up.Version, pct))
		b.fetching.Show()
	}
}

// install installs the new version: the app closes and the installer starts it again, the data as it
// was. Preparing it takes a few seconds (on Linux the new program is unpacked), off the UI thread; if
// it cannot start, the clerk is told why and keeps working.
func (b *statusBar) install() {
	b.upgrade.Disable()
	b.upgrade.SetText(T("正在准备安装新版本…"))
	b.u.spawn(func() {
		err := b.u.opts.Install()
		if err == nil {
			return // main closes the app
		}
		fyne.Do(func() {
			b.upgrade.Enable()
			b.show()
			b.u.showError(plainError(T("无法安装新版本：%s", err.Error())))
		})
	})
}

func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }
