package app

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// picker is the Chinese file dialog of systems without a native one the app uses (Linux): Fyne's own
// file dialog names its places in English (Home, Computer, Documents) whatever the language, and cannot
// be told otherwise. On the left the clerk's folders and USB sticks, in the middle the folder's
// sub-folders and files (a tap on a folder opens it), below the file's name and the buttons.
type picker struct {
	u      *UI
	save   bool
	req    fileRequest
	done   func(string)
	d      *dialog.CustomDialog
	dir    string
	where  *widget.Label
	items  []os.DirEntry
	list   *widget.List
	name   *field // save: the name to save under
	chosen string // open: the file picked in the list
	ok     *widget.Button
	msg    *widget.Label
}

func (u *UI) showPicker(save bool, r fileRequest, dir string, done func(string)) *picker {
	p := &picker{u: u, save: save, req: r, done: done}
	p.where = widget.NewLabel("")
	p.where.Truncation = fyne.TextTruncateEllipsis
	up := widget.NewButtonWithIcon(T("上一级"), theme.MoveUpIcon(), func() { p.open(filepath.Dir(p.dir)) })
	p.msg = widget.NewLabel("")
	p.msg.Wrapping = fyne.TextWrapWord

	// The clerk's folders, the USB sticks, and the whole disk for anything else.
	places := append(append(userFolders(homeFolder()), removableFolders()...), userFolder{label: T("整台电脑"), path: "/"})
	placeList := widget.NewList(func() int { return len(places) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.FolderIcon()), widget.NewLabel("U 盘"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			icon := theme.FolderIcon()
			switch {
			case places[id].removable:
				icon = theme.StorageIcon()
			case id == 0:
				icon = theme.HomeIcon()
			case places[id].path == "/":
				icon = theme.ComputerIcon()
			}
			row.Objects[0].(*widget.Icon).SetResource(icon)
			row.Objects[1].(*widget.Label).SetText(places[id].label)
		})
	placeList.OnSelected = func(id widget.ListItemID) {
		p.open(places[id].path)
		placeList.UnselectAll()
	}

	p.list = widget.NewList(func() int { return len(p.items) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.FolderIcon()), widget.NewLabel("文件名.xlsx"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			e := p.items[id]
			icon := theme.FileIcon()
			if e.IsDir() {
				icon = theme.FolderIcon()
			}
			row.Objects[0].(*widget.Icon).SetResource(icon)
			row.Objects[1].(*widget.Label).SetText(e.Name())
		})
	p.list.OnSelected = func(id widget.ListItemID) {
		e := p.items[id]
		path := filepath.Join(p.dir, e.Name())
		if e.IsDir() {
			p.open(path)
			return
		}
		if p.save {
			p.name.SetText(e.Name())
			return
		}
		p.chosen = path
		p.ok.Enable()
		p.msg.SetText(T("已选：%s", e.Name()))
	}

	label := T("打开")
	if save {
		label = T("保存")
	}
	p.ok = widget.NewButton(label, p.confirm)
	p.ok.Importance = widget.HighImportance
	cancel := widget.NewButton(T("取消"), func() { p.d.Hide() })
	var bottom fyne.CanvasObject
	if save {
		p.name = newField()
		p.name.SetText(r.name)
		p.name.OnSubmitted = func(string) { p.confirm() }
		bottom = container.NewVBox(p.msg, container.NewBorder(nil, nil, widget.NewLabel(T("文件名")), container.NewHBox(cancel, p.ok), p.name))
	} else {
		p.ok.Disable()
		kind := r.kind
		if len(r.exts) > 0 {
			kind += "（" + strings.Join(lowerExts(r.exts), " ") + "）"
		}
		bottom = container.NewVBox(p.msg, container.NewBorder(nil, nil, widget.NewLabel(kind), container.NewHBox(cancel, p.ok)))
	}
	top := container.NewBorder(nil, nil, nil, up, p.where)
	split := container.NewHSplit(placeList, p.list)
	split.Offset = 0.25
	p.d = dialog.NewCustomWithoutButtons(r.title, container.NewBorder(top, bottom, nil, nil, split), u.win)
	p.d.Resize(fyne.NewSize(760, 520))
	p.open(dir)
	p.d.Show()
	if save {
		focusSelected(u.win.Canvas(), p.name)
	}
	return p
}

// open shows the folder dir: its sub-folders, then the files the request wants, each by name.
func (p *picker) open(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		p.msg.Importance = widget.DangerImportance
		p.msg.SetText(T("打不开这个文件夹：%s", dir))
		return
	}
	p.msg.Importance = widget.MediumImportance
	p.msg.SetText("")
	p.dir, p.chosen = dir, ""
	if !p.save {
		p.ok.Disable()
	}
	p.items = p.items[:0]
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue // hidden
		}
		if e.IsDir() || isDir(filepath.Join(dir, e.Name())) || p.wants(e.Name()) {
			p.items = append(p.items, e)
		}
	}
	slices.SortFunc(p.items, func(a, b os.DirEntry) int {
		if a.IsDir() != b.IsDir() {
			if a.IsDir() {
				return -1
			}
			return 1
		}
		return cmp.Compare(strings.ToLower(a.Name()), strings.ToLower(b.Name()))
	})
	p.where.SetText(T("位置：%s", dir))
	p.list.UnselectAll()
	p.list.Refresh()
	p.list.ScrollToTop()
}

// wants: a file the list shows. A save lists the files of its kind, so that the clerk sees what is
// there already.
func (p *picker) wants(name string) bool {
	exts := p.req.exts
	if p.save {
		exts = []string{filepath.Ext(p.req.name)}
	}
	if len(exts) == 0 || exts[0] == "" {
		return true
	}
	return slices.ContainsFunc(exts, func(ext string) bool { return strings.EqualFold(filepath.Ext(name), ext) })
}

func (p *picker) confirm() {
	if !p.save {
		if p.chosen == "" {
			return
		}
		p.d.Hide()
		p.done(p.chosen)
		return
	}
	name := strings.TrimSpace(p.name.Text)
	if name == "" || strings.ContainsAny(name, `/\`) {
		p.msg.Importance = widget.DangerImportance
		p.msg.SetText(T("请填写文件名（不能含有 / 或 \\）。"))
		focusSelected(p.u.win.Canvas(), p.name)
		return
	}
	path := withExtension(filepath.Join(p.dir, name), filepath.Ext(p.req.name))
	if _, err := os.Stat(path); err == nil {
		confirm := dialog.NewConfirm(T("替换文件"), T("“%s”已经存在，要替换它吗？", filepath.Base(path)), func(ok bool) {
			if ok {
				p.d.Hide()
				p.done(path)
			}
		}, p.u.win)
		confirm.SetConfirmText(T("替换"))
		confirm.SetDismissText(T("取消"))
		confirm.Show()
		return
	}
	p.d.Hide()
	p.done(path)
}

func lowerExts(exts []string) []string {
	var out []string
	for _, e := range exts {
		if l := strings.ToLower(e); !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

func homeFolder() string {
	home, _ := os.UserHomeDir()
	return home
}
