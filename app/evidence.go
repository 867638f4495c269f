package app

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // the thumbnails of stored photos
	_ "image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/image/draw"

	"techaid/evidence"
	"techaid/ledger"
	"techaid/query"
)

// evidencePane shows a record's evidence (佐证材料) as thumbnails and takes more: 添加文件… opens the file
// dialog, and files dropped on the window come here while the record's form is shown. A record being
// edited gets them at once (one durable write each time); a new record keeps them until its save, and
// they are attached right after it. Evidence is never required.
type evidencePane struct {
	u       *UI
	kind    ledger.Kind
	id      string             // the record shown; "" for a new one
	pending []query.Attachment // files for the new record, attached after its save
	items   []query.EvidenceItem
	grid    *fyne.Container
	msg     *widget.Label
	add     *widget.Button
	content fyne.CanvasObject
	gen     int // the load under way; an older one's result is dropped
}

// thumbSize is the size of one thumbnail with its name.
var thumbSize = fyne.NewSize(84, 88)

func (u *UI) newEvidencePane(k ledger.Kind) *evidencePane {
	p := &evidencePane{u: u, kind: k}
	p.grid = container.NewGridWrap(thumbSize)
	p.msg = widget.NewLabel(T("可把照片或 PDF 拖到窗口上"))
	p.msg.Wrapping = fyne.TextWrapWord
	p.msg.Importance = widget.LowImportance
	p.add = widget.NewButtonWithIcon(T("添加文件…"), theme.ContentAddIcon(), p.pick)
	p.content = container.NewBorder(container.NewBorder(nil, nil, heading(T("佐证材料")), p.add), p.msg, nil, nil,
		container.NewVScroll(p.grid))
	return p
}

// show loads the evidence of the record id ("" for a new record).
func (p *evidencePane) show(id string) { p.showSaying(id, "", widget.LowImportance) }

// showSaying loads the evidence of the record id and then says note (if not "") instead of the count.
func (p *evidencePane) showSaying(id, note string, imp widget.Importance) {
	p.id, p.pending, p.items = id, nil, nil
	p.gen++
	p.grid.RemoveAll()
	p.say(T("可把照片或 PDF 拖到窗口上"), widget.LowImportance)
	if id == "" {
		return
	}
	gen := p.gen
	p.u.spawn(func() {
		items, err := p.u.st.EvidenceOf(id)
		thumbs := make([]image.Image, len(items))
		for i, it := range items {
			thumbs[i] = p.thumbOf(it)
		}
		fyne.Do(func() {
			if gen != p.gen {
				return
			}
			if err != nil {
				p.say(Sentence(err), widget.DangerImportance)
				return
			}
			p.items = items
			for i, it := range items {
				p.grid.Add(p.tile(it, thumbs[i]))
			}
			switch {
			case note != "":
				p.say(note, imp)
			case len(items) > 0:
				p.say(T("共 %d 个文件，点击查看", len(items)), widget.LowImportance)
			}
		})
	})
}

func (p *evidencePane) say(text string, imp widget.Importance) {
	p.msg.Importance = imp
	p.msg.SetText(text)
}

// thumbOf is a photo's thumbnail, nil for a PDF or a file not here.
func (p *evidencePane) thumbOf(it query.EvidenceItem) image.Image {
	if it.Type == ledger.EvidenceTypes[2] || !it.Here() {
		return nil
	}
	data, err := p.u.st.ReadEvidence(it.Hash)
	if err != nil {
		return nil
	}
	return thumbnail(data)
}

// thumbnail decodes a stored photo and scales it to 160 px on its long side.
func thumbnail(data []byte) image.Image {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	b := img.Bounds()
	scale := 160 / float64(max(b.Dx(), b.Dy()))
	if scale >= 1 {
		return img
	}
	dst := image.NewRGBA(image.Rect(0, 0, max(1, int(float64(b.Dx())*scale)), max(1, int(float64(b.Dy())*scale))))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// tile is one file: its thumbnail (or an icon) and its name; a tap opens the viewer.
func (p *evidencePane) tile(it query.EvidenceItem, thumb image.Image) fyne.CanvasObject {
	var pic fyne.CanvasObject
	switch {
	case thumb != nil:
		img := canvas.NewImageFromImage(thumb)
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSize(76, 56))
		pic = img
	case !it.Here():
		pic = widget.NewIcon(theme.DownloadIcon())
	default:
		pic = widget.NewIcon(theme.DocumentIcon())
	}
	name := widget.NewLabel(it.Name)
	name.Truncation = fyne.TextTruncateEllipsis
	name.SizeName = theme.SizeNameCaptionText
	return newTappable(container.NewBorder(nil, name, nil, nil, pic), func() { p.u.showEvidence(p, it) })
}

// pick asks for a file to attach.
func (p *evidencePane) pick() {
	p.u.pickOpen(fileRequest{purpose: "evidence", title: T("添加佐证材料"), exts: []string{".jpg", ".jpeg", ".png", ".pdf"},
		kind: T("照片或 PDF 文件")}, func(path string) { p.addFiles([]string{path}) })
}

// addFiles checks and shrinks the files off the UI thread, then attaches them (or keeps them for the
// new record's save). A file that is not a photo or a PDF is refused with the reason; the others go on.
func (p *evidencePane) addFiles(paths []string) {
	p.say(T("正在处理 %d 个文件…", len(paths)), widget.MediumImportance)
	id, gen := p.id, p.gen
	p.u.spawn(func() {
		var files []query.Attachment
		var refused []string
		for _, path := range paths {
			b, err := os.ReadFile(path)
			if err == nil {
				var f evidence.File
				if f, err = evidence.Prepare(filepath.Base(path), b); err == nil {
					files = append(files, query.Attachment{Item: f.Evidence(), Data: f.Data})
					continue
				}
			}
			refused = append(refused, filepath.Base(path)+"："+Sentence(err))
		}
		var err error
		if id != "" && len(files) > 0 {
			ctx, cancel := context.WithCancel(p.u.ctx)
			_, err = p.u.st.Attach(ctx, id, files...)
			cancel()
		}
		fyne.Do(func() {
			if gen != p.gen {
				return
			}
			note, imp := T("已添加 %d 个文件", len(files)), widget.SuccessImportance
			if len(refused) > 0 {
				note, imp = strings.Join(refused, "\n"), widget.DangerImportance
			}
			switch {
			case err != nil:
				p.say(T("没有添加：")+Sentence(err), widget.DangerImportance)
				return
			case id == "":
				p.pending = append(p.pending, files...)
				for _, f := range files {
					p.grid.Add(p.tile(query.EvidenceItem{Evidence: f.Item, Blob: query.Blob{Size: f.Item.Size, Received: f.Item.Size}}, thumbnail(f.Data)))
				}
				p.say(T("%d 个文件将在保存记录时一并保存", len(p.pending)), widget.MediumImportance)
				if len(refused) > 0 {
					p.say(note, imp)
				}
			case len(files) > 0:
				p.showSaying(id, note, imp)
			default:
				p.say(note, imp)
			}
		})
	})
}

// attachPending attaches the files kept for a new record once it is saved as id. It runs in the save's
// goroutine.
func (p *evidencePane) attachPending(ctx context.Context, id string, files []query.Attachment) error {
	if len(files) == 0 {
		return nil
	}
	_, err := p.u.st.Attach(ctx, id, files...)
	return err
}

// dropped takes files dropped on the window.
func (u *UI) dropped(_ fyne.Position, uris []fyne.URI) {
	var paths []string
	for _, uri := range uris {
		if uri.Scheme() == "file" {
			paths = append(paths, uri.Path())
		}
	}
	if len(paths) == 0 {
		return
	}
	if p := u.dropTarget(); p != nil {
		p.addFiles(paths)
		return
	}
	u.showError(plainError(T("请先打开一条培训与服务、需求、项目或园区结对记录（或新填一条），再把照片或 PDF 拖进来。")))
}

// dropTarget is the evidence pane of the form on screen, nil if none: the training form, or the form
// of a need, a project or a park pairing.
func (u *UI) dropTarget() *evidencePane {
	if u.tabs == nil || u.trainings == nil {
		return nil
	}
	sel := u.tabs.Selected()
	if sel == nil {
		return nil
	}
	if sel.Content == u.trainings.content {
		return u.trainings.evidence
	}
	content := sel.Content
	if inner, ok := content.(*container.AppTabs); ok && inner.Selected() != nil {
		content = inner.Selected().Content
	}
	for _, ks := range u.screens {
		if ks != nil && ks.content == content {
			if h, ok := ks.form.(interface{ evidencePane() *evidencePane }); ok {
				return h.evidencePane()
			}
		}
	}
	return nil
}

// showEvidence is the viewer: the photo as large as the window allows (a PDF: what it is), when and
// where it was taken, and what to do with it.
func (u *UI) showEvidence(p *evidencePane, it query.EvidenceItem) {
	info := []string{strings.ToUpper(it.Type), sizeText(it.Size)}
	if it.Taken != "" {
		info = append(info, T("拍摄于 %s", it.Taken))
	}
	if it.Place != "" {
		info = append(info, T("拍摄地点 %s", it.Place))
	}
	line := widget.NewLabel(strings.Join(info, "　"))
	line.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	body := container.NewStack(widget.NewLabel(T("正在打开…")))
	saveAs := widget.NewButtonWithIcon(T("另存为…"), theme.DocumentSaveIcon(), func() {
		u.pickSave(fileRequest{purpose: "evidence-out", title: T("另存佐证材料"), name: it.Name}, func(path string) {
			u.spawn(func() {
				data, err := u.st.ReadEvidence(it.Hash)
				if err == nil {
					err = os.WriteFile(path, data, 0o644)
				}
				fyne.Do(func() {
					if err != nil {
						u.showError(err)
					}
				})
			})
		})
	})
	remove := widget.NewButtonWithIcon(T("从记录中移除"), theme.DeleteIcon(), func() {
		id := p.id
		d.Hide()
		if id == "" { // a new record's file, not saved yet
			for i, f := range p.pending {
				if f.Item.Hash == it.Hash {
					p.pending = append(p.pending[:i], p.pending[i+1:]...)
					break
				}
			}
			p.grid.RemoveAll()
			for _, f := range p.pending {
				p.grid.Add(p.tile(query.EvidenceItem{Evidence: f.Item, Blob: query.Blob{Size: f.Item.Size, Received: f.Item.Size}}, thumbnail(f.Data)))
			}
			return
		}
		u.saveWith(func(ctx context.Context) error { return u.st.Detach(ctx, id, it.Hash) }, func(err error) {
			if err != nil {
				u.showError(err)
				return
			}
			p.show(id)
		})
	})
	remove.Importance = widget.DangerImportance
	if !it.Here() {
		saveAs.Disable()
	}
	buttons := container.NewHBox(saveAs, remove)
	d = dialog.NewCustom(it.Name, T("关闭"), container.NewBorder(nil, container.NewVBox(line, buttons), nil, nil, body), u.win)
	size := u.win.Canvas().Size()
	d.Resize(fyne.NewSize(max(480, size.Width*0.85), max(400, size.Height*0.85)))
	d.Show()
	u.spawn(func() {
		var obj fyne.CanvasObject
		switch {
		case !it.Here():
			obj = widget.NewLabel(T("这个文件在市局，本机还没有：联网同步后即可查看。"))
		case it.Type == "pdf":
			obj = container.NewCenter(container.NewVBox(widget.NewIcon(theme.DocumentIcon()),
				widget.NewLabel(T("PDF 文件，请“另存为…”后用阅读器打开。"))))
		default:
			data, err := u.st.ReadEvidence(it.Hash)
			if err != nil {
				obj = widget.NewLabel(Sentence(err))
				break
			}
			img, _, err := image.Decode(bytes.NewReader(data))
			if err != nil {
				obj = widget.NewLabel(Sentence(err))
				break
			}
			c := canvas.NewImageFromImage(img)
			c.FillMode = canvas.ImageFillContain
			obj = c
		}
		fyne.Do(func() {
			body.Objects = []fyne.CanvasObject{obj}
			body.Refresh()
		})
	})
}

func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}

// tappable makes any object a tap target.
type tappable struct {
	widget.BaseWidget
	obj   fyne.CanvasObject
	onTap func()
}

func newTappable(obj fyne.CanvasObject, onTap func()) *tappable {
	t := &tappable{obj: obj, onTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

func (t *tappable) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.obj) }
func (t *tappable) Tapped(*fyne.PointEvent)             { t.onTap() }

// signInRow is one township's trainings of a month and how many have evidence (a sign-in sheet or
// photos of the activity).
type signInRow struct {
	township ledger.Code
	total    int
	with     int
	without  []ledger.Training // by date
}

// signInSheets counts, per township within the office's scope, the month's trainings with evidence and
// lists those without. It reads the month's trainings page by page (off the UI thread).
func (u *UI) signInSheets(month ledger.Date) ([]signInRow, error) {
	first := month.Time()
	q := query.Trainings{Under: u.id.Scope, From: month, To: ledger.DateOf(first.AddDate(0, 1, -1)), Oldest: true, Limit: 1000}
	if u.id.Scope.Level() == ledger.LevelCity {
		q.Under = ""
	}
	rows := map[ledger.Code]*signInRow{}
	var order []ledger.Code
	for {
		page, err := u.st.Trainings(q, nil)
		if err != nil {
			return nil, err
		}
		for _, t := range page.Trainings {
			town := t.Village().Township()
			r := rows[town]
			if r == nil {
				r = &signInRow{township: town}
				rows[town] = r
				order = append(order, town)
			}
			r.total++
			if len(t.Evidence) > 0 {
				r.with++
			} else {
				r.without = append(r.without, t)
			}
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	out := make([]signInRow, 0, len(order))
	for _, c := range order {
		out = append(out, *rows[c])
	}
	slices.SortFunc(out, func(a, b signInRow) int { return strings.Compare(string(a.township), string(b.township)) })
	return out, nil
}

// showSignInSheets shows, per township, which of a month's trainings have a sign-in sheet (any
// evidence) and which do not: the city checks the ledger against its evidence with it.
func (u *UI) showSignInSheets() {
	monthF := newField()
	monthF.SetText(string(u.today())[:7])
	var cells [][]string
	table := newRowTable([]rowColumn{{T("乡镇"), 220}, {T("培训与服务"), 110}, {T("有佐证"), 90}, {T("没有佐证"), 90}},
		func() int { return len(cells) }, func(row, col int) string { return cells[row][col] })
	msg := widget.NewLabel(T("正在统计…"))
	missing := widget.NewLabel("")
	missing.Wrapping = fyne.TextWrapWord
	load := func() {
		m, err := ledger.ParseDate(strings.TrimSpace(monthF.Text) + "-01")
		if err != nil {
			msg.SetText(T("月份请写成 2026-05"))
			return
		}
		u.spawn(func() {
			rows, err := u.signInSheets(m)
			fyne.Do(func() {
				if err != nil {
					msg.SetText(Sentence(err))
					return
				}
				cells = cells[:0]
				var miss []string
				total, with := 0, 0
				for _, r := range rows {
					cells = append(cells, []string{u.places.name(r.township), fmt.Sprint(r.total), fmt.Sprint(r.with), fmt.Sprint(r.total - r.with)})
					total += r.total
					with += r.with
					for _, t := range r.without {
						if len(miss) < 200 {
							miss = append(miss, fmt.Sprintf("%s　%s　%s　%s　%s", u.places.name(r.township), t.Date, u.villageNames(t.Villages), T(t.Kind), t.Topic))
						}
					}
				}
				cells = append(cells, []string{T("合计"), fmt.Sprint(total), fmt.Sprint(with), fmt.Sprint(total - with)})
				table.Refresh()
				msg.SetText(T("%s：%d 条记录，%d 条有佐证材料", monthF.Text, total, with))
				switch {
				case total == 0:
					missing.SetText(T("这个月没有培训与服务记录。"))
				case len(miss) == 0:
					missing.SetText(T("本月每条记录都有佐证材料。"))
				default:
					missing.SetText(T("没有佐证材料的记录：") + "\n" + strings.Join(miss, "\n"))
				}
			})
		})
	}
	monthF.OnSubmitted = func(string) { load() }
	top := container.NewVBox(container.NewBorder(nil, nil, widget.NewLabel(T("月份")), widget.NewButton(T("统计"), load), monthF), msg)
	body := container.NewBorder(top, nil, nil, nil, container.NewVSplit(table, container.NewVScroll(missing)))
	d := dialog.NewCustom(T("各乡镇培训签到表（佐证材料）情况"), T("关闭"), body, u.win)
	d.Resize(fyne.NewSize(720, 540))
	d.Show()
	load()
}
