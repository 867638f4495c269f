package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// confirmPlain runs then(plain) at once for an encrypted address (plain false). For an address that
// would carry the token and the records unencrypted to another machine it first asks the clerk, who
// must tick that they know what that means; then runs with plain true, and not at all if cancelled.
func (u *UI) confirmPlain(url string, then func(plain bool)) {
	if url == "" || u.opts.Sync == nil || !u.opts.Sync.Unencrypted(url) {
		then(false)
		return
	}
	msg := widget.NewLabel(T("地址：%s\n这个地址不加密：本单位的令牌和记录会以明文经过网络，同一网络上的人可以看到令牌，并冒用本单位的名义报送。请向市局要以https://或wss://开头的地址；只有市局确认是内部网络时，才使用不加密的地址。", url))
	msg.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	use := widget.NewButton(T("仍然使用"), func() {
		d.Hide()
		then(true)
	})
	use.Importance = widget.DangerImportance
	use.Disable()
	check := widget.NewCheck(T("我知道不加密的风险，仍然使用这个地址"), func(on bool) {
		if on {
			use.Enable()
		} else {
			use.Disable()
		}
	})
	cancel := widget.NewButton(T("取消"), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(T("不加密的市局服务器地址"), container.NewVBox(msg, check), u.win)
	d.SetButtons([]fyne.CanvasObject{cancel, use})
	d.Resize(fyne.NewSize(520, 260))
	d.Show()
}
