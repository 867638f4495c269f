package app

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

const langDoc = "lang"

// SavedLanguage is the language the clerk chose last, from the store (Chinese if never chosen).
func SavedLanguage(st Ledger) string {
	var lang string
	if err := st.GetDoc(uiDocs, langDoc, &lang); err != nil || lang == "" {
		return LangChinese
	}
	return lang
}

// newSettingsTab is 设置: who is at the keyboard (one PC, several clerks), the city server and token,
// backup and restore, and the language.
func (u *UI) newSettingsTab() fyne.CanvasObject {
	clerk := newField()
	clerk.SetText(u.id.Clerk)
	clerkMsg := widget.NewLabel("")
	switchClerk := func() {
		name := strings.TrimSpace(clerk.Text)
		if name == "" {
			clerkMsg.Importance = widget.DangerImportance
			clerkMsg.SetText(T("请填写录入人姓名。"))
			focusSelected(u.win.Canvas(), clerk)
			return
		}
		u.saveWith(func(context.Context) error { return u.st.SetClerk(name) }, func(err error) {
			if err != nil {
				clerkMsg.Importance = widget.DangerImportance
				clerkMsg.SetText(Sentence(err))
				return
			}
			// u.id is read by the views' background reads; only the line at the bottom needs the name
			u.status.who.SetText(T("%s · 录入人：%s", u.places.name(u.id.Scope), name))
			clerkMsg.Importance = widget.SuccessImportance
			clerkMsg.SetText(T("现在的录入人是 %s，之后的修改都署这个名字。", name))
			reselect(u.win.Canvas())
		})
	}
	clerk.OnSubmitted = func(string) { switchClerk() }
	clerkBox := container.NewVBox(heading(T("录入人")),
		container.NewBorder(nil, nil, widget.NewLabel(T("姓名")), widget.NewButtonWithIcon(T("切换录入人"), theme.AccountIcon(), switchClerk), clerk),
		clerkMsg)

	server := newField()
	server.SetPlaceHolder("wss://kjj.zibo.gov.cn")
	token := newPasswordField()
	serverMsg := widget.NewLabel("")
	serverMsg.Wrapping = fyne.TextWrapWord
	var syncBox fyne.CanvasObject
	if u.opts.Sync != nil {
		url, tok := u.opts.Sync.Config()
		server.SetText(url)
		token.SetText(tok)
		connect := widget.NewButtonWithIcon(T("保存并连接"), theme.MailSendIcon(), func() {
			url, tok := strings.TrimSpace(server.Text), strings.TrimSpace(token.Text)
			if (url == "") != (tok == "") {
				serverMsg.Importance = widget.DangerImportance
				serverMsg.SetText(T("市局服务器地址和令牌要一起填写；都清空则停止同步。"))
				if url == "" {
					focusSelected(u.win.Canvas(), server)
				} else {
					focusSelected(u.win.Canvas(), token)
				}
				return
			}
			u.confirmPlain(url, func(plain bool) {
				warning, err := u.opts.Sync.Configure(url, tok, plain)
				if err != nil {
					serverMsg.Importance = widget.DangerImportance
					serverMsg.SetText(Sentence(err))
					focusSelected(u.win.Canvas(), server)
					return
				}
				serverMsg.Importance = widget.SuccessImportance
				switch {
				case url == "":
					serverMsg.SetText(T("已停止同步，记录只保存在本机。"))
				case warning != "":
					serverMsg.Importance = widget.WarningImportance
					serverMsg.SetText(T("已保存，正在连接市局；状态见窗口底部。") + "\n" + warning)
				case plain:
					serverMsg.Importance = widget.WarningImportance
					serverMsg.SetText(T("已保存，正在连接市局（不加密的地址）；状态见窗口底部。"))
				default:
					serverMsg.SetText(T("已保存，正在连接市局；状态见窗口底部。"))
				}
			})
		})
		syncBox = container.NewVBox(heading(T("市局服务器")),
			container.New(layout.NewFormLayout(), widget.NewLabel(T("地址")), server, widget.NewLabel(T("令牌")), token),
			container.NewHBox(layoutSpacer(), connect), serverMsg)
	} else {
		syncBox = container.NewVBox(heading(T("市局服务器")), widget.NewLabel(T("这个版本不连接市局。")))
	}

	backupMsg := widget.NewLabel("")
	backupMsg.Wrapping = fyne.TextWrapWord
	backup := widget.NewButtonWithIcon(T("备份到文件…"), theme.DownloadIcon(), func() { u.backup(backupMsg) })
	restore := widget.NewButtonWithIcon(T("从备份恢复…"), theme.UploadIcon(), u.pickBackup)
	if u.opts.Restore == nil {
		restore.Hide()
	}
	backupBox := container.NewVBox(heading(T("备份与恢复")),
		widget.NewLabel(T("备份文件包含本机全部记录和修改历史。建议每周备份一次，存到 U 盘。")),
		container.NewHBox(backup, restore), backupMsg)

	lang := widget.NewRadioGroup([]string{"中文", "English"}, nil)
	lang.Horizontal = true
	if Language() == LangEnglish {
		lang.SetSelected("English")
	} else {
		lang.SetSelected("中文")
	}
	lang.OnChanged = func(s string) {
		code := LangChinese
		if s == "English" {
			code = LangEnglish
		}
		if code == Language() {
			return
		}
		SetLanguage(code)
		st := u.st
		u.spawn(func() { _ = st.PutDoc(uiDocs, langDoc, code) })
		u.showMain()
		u.Show("设置")
	}
	langBox := container.NewVBox(heading(T("语言 / Language")), lang)

	about := widget.NewLabel(T("科技帮扶台账 %s · 数据目录：%s", u.opts.Version, u.st.Dir()))
	about.Wrapping = fyne.TextWrapWord
	return container.NewVScroll(container.New(maxWidth(720), container.NewVBox(clerkBox, widget.NewSeparator(), syncBox,
		widget.NewSeparator(), backupBox, widget.NewSeparator(), langBox, widget.NewSeparator(), about)))
}

// backup writes a backup file the clerk picks, with a progress indicator.
func (u *UI) backup(msg *widget.Label) {
	name := fmt.Sprintf("科技帮扶台账备份-%s.backup", strings.ReplaceAll(string(u.today()), "-", ""))
	u.pickSave(fileRequest{purpose: "backup", title: T("备份到文件"), name: name, kind: T("台账备份文件")}, func(path string) {
		wait := dialog.NewCustomWithoutButtons(T("正在备份…"), widget.NewProgressBarInfinite(), u.win)
		wait.Show()
		u.saveWith(func(context.Context) error { return u.st.BackupFile(path) }, func(err error) {
			wait.Hide()
			if err != nil {
				msg.Importance = widget.DangerImportance
				msg.SetText(T("备份没有完成：") + Sentence(err))
				return
			}
			msg.Importance = widget.SuccessImportance
			msg.SetText(T("已备份到 %s", path))
		})
	})
}

// pickBackup asks for a backup file to restore from (设置, and the first-run screen of a new PC).
func (u *UI) pickBackup() {
	u.pickOpen(fileRequest{purpose: "backup", title: T("从备份恢复"), exts: []string{".backup"}, kind: T("台账备份文件")},
		u.restore)
}

// restore replaces the store with the backup at path after the clerk confirms. On the first-run screen
// the restored office opens at once (Start finds it set up).
func (u *UI) restore(path string) {
	warn := widget.NewLabel(T("用备份 %s 替换本机现在的数据吗？\n现在的数据会改名保留在数据目录旁边，不会删除；备份之后的修改若已报送市局，会在同步时取回。", path))
	if u.st.Identity().Replica == "" { // the first run: nothing here yet
		warn.SetText(T("用备份 %s 恢复台账吗？\n恢复后直接打开备份里的单位和全部记录；备份之后报送市局的修改，会在同步时取回。", path))
	}
	warn.Wrapping = fyne.TextWrapWord
	confirm := dialog.NewCustomConfirm(T("从备份恢复"), T("恢复"), T("取消"), warn, func(ok bool) {
		if !ok {
			return
		}
		wait := dialog.NewCustomWithoutButtons(T("正在恢复…"), widget.NewProgressBarInfinite(), u.win)
		wait.Show()
		u.Stop() // no view may read the store while it is closed and replaced
		u.spawn(func() {
			st, err := u.opts.Restore(context.Background(), path)
			fyne.Do(func() {
				wait.Hide()
				if st != nil { // the restored store, or the old one reopened if the restore failed
					u.st = st
				}
				u.Start()
				if err != nil {
					u.showError(plainError(T("恢复没有完成：") + Sentence(err)))
				}
			})
		})
	}, u.win)
	confirm.Resize(fyne.NewSize(480, 220))
	confirm.Show()
}
