package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"techaid/ledger"
)

// setupScreen is the first run: which office this PC belongs to (picked from the real divisions, county
// then township), who is at the keyboard, and optionally the city server. The office's villages are
// written from the division list, so that the clerk can record trainings before the first sync.
func (u *UI) setupScreen() fyne.CanvasObject {
	wholeCity := T("淄博市科技局（全市）")
	wholeCounty := T("（整个区县）")
	var countyNames []string
	countyOf := map[string]ledger.Code{}
	for _, c := range u.places.counties {
		countyNames = append(countyNames, u.places.name(c))
		countyOf[u.places.name(c)] = c
	}
	township := widget.NewSelect(nil, nil)
	township.PlaceHolder = T("请选择乡镇（街道）")
	townOf := map[string]ledger.Code{}
	county := widget.NewSelect(append([]string{wholeCity}, countyNames...), func(name string) {
		townOf = map[string]ledger.Code{wholeCounty: countyOf[name]}
		opts := []string{wholeCounty}
		for _, t := range u.places.towns[countyOf[name]] {
			opts = append(opts, u.places.name(t))
			townOf[u.places.name(t)] = t
		}
		township.ClearSelected()
		township.SetOptions(opts)
		if name == wholeCity {
			township.Disable()
		} else {
			township.Enable()
		}
	})
	county.PlaceHolder = T("请选择区县")
	township.Disable() // until a county is chosen
	clerk := newField()
	clerk.SetPlaceHolder(T("例如：王芳"))
	server := newField()
	server.SetPlaceHolder(T("可以以后再填，例如 wss://kjj.zibo.gov.cn"))
	token := newField()
	token.SetPlaceHolder(T("市局发给本单位的令牌"))
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	progress := widget.NewProgressBar()
	progress.Hide()

	var start *widget.Button
	start = widget.NewButton(T("开始使用"), func() {
		var scope ledger.Code
		switch {
		case county.Selected == "":
			problem.SetText(T("请选择本单位所在的区县。"))
			return
		case county.Selected == wholeCity:
			scope = City
		case township.Selected == "":
			problem.SetText(T("请选择本单位所在的乡镇（街道），县级单位选“（整个区县）”。"))
			return
		default:
			scope = townOf[township.Selected]
		}
		name := strings.TrimSpace(clerk.Text)
		if name == "" {
			problem.SetText(T("请填写录入人姓名，记录的每一处修改都会署上这个名字。"))
			focusSelected(u.win.Canvas(), clerk)
			return
		}
		url, tok := strings.TrimSpace(server.Text), strings.TrimSpace(token.Text)
		if (url == "") != (tok == "") {
			problem.SetText(T("市局服务器地址和令牌要一起填写；暂时没有可以都空着。"))
			if url == "" {
				focusSelected(u.win.Canvas(), server)
			} else {
				focusSelected(u.win.Canvas(), token)
			}
			return
		}
		u.confirmPlain(url, func(plain bool) {
			problem.SetText("")
			start.Disable()
			progress.Show()
			divs := u.places.divisions(scope)
			u.spawn(func() { // Stop waits for it: the store is not closed under a set-up
				err := u.setUp(scope, name, divs, func(done int) {
					fyne.Do(func() { progress.SetValue(float64(done) / float64(max(1, len(divs)))) })
				})
				warning := ""
				if err == nil && url != "" && u.opts.Sync != nil {
					warning, err = u.opts.Sync.Configure(url, tok, plain)
				}
				fyne.Do(func() {
					if err != nil {
						start.Enable()
						progress.Hide()
						problem.SetText(Sentence(err))
						return
					}
					if warning != "" {
						u.opts.Notice = warning
					}
					u.showMain()
				})
			})
		})
	})
	start.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(T("区县"), county),
		widget.NewFormItem(T("乡镇（街道）"), township),
		widget.NewFormItem(T("录入人"), clerk),
		widget.NewFormItem(T("市局服务器（可选）"), server),
		widget.NewFormItem(T("令牌（可选）"), token),
	)
	intro := widget.NewLabel(T("第一次使用：请选择这台电脑所属的单位，并填写录入人姓名。\n没有网络也可以使用，有网络时记录会自动报送市局。"))
	intro.Wrapping = fyne.TextWrapWord
	title := heading(T("科技帮扶台账 · 初始设置"))
	title.SizeName = theme.SizeNameHeadingText
	box := container.NewVBox(title, intro, form, problem, progress, container.NewHBox(layoutSpacer(), start))
	if u.opts.Restore != nil {
		// A new PC replacing a broken one: the old PC's backup brings the office, the clerk and every
		// record back at once.
		again := widget.NewLabel(T("换了新电脑？可以用旧电脑的备份文件恢复全部台账。"))
		again.Wrapping = fyne.TextWrapWord
		restore := widget.NewButtonWithIcon(T("从备份恢复…"), theme.UploadIcon(), u.pickBackup)
		box.Add(widget.NewSeparator())
		box.Add(container.NewBorder(nil, nil, nil, restore, again))
	}
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(560, 520), box))
}

// setUp makes the store this office's and writes the office's villages from the division list.
func (u *UI) setUp(scope ledger.Code, clerk string, divs []ledger.Division, progress func(int)) error {
	if err := u.st.Init(scope, clerk); err != nil {
		return err
	}
	seeds := make([]ledger.Entity, 0, len(divs))
	for _, d := range divs {
		if _, err := u.st.Village(d.Village); err == nil {
			continue // already here (a second set-up, or pulled from the city)
		}
		seeds = append(seeds, d.Record())
	}
	if len(seeds) == 0 {
		return nil
	}
	// Reference data: the city's corrections of names and its key-village flags win over these, and
	// nobody sees a conflict about them (ledger.ReferenceStamp).
	_, err := u.st.ImportReference(context.Background(), seeds, progress)
	return err
}
