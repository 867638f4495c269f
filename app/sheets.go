package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"techaid/query"
	"techaid/report"
)

// sheetsTab is 报表与导入: the bureau's tables out of the ledger, as an Excel workbook or as CSV, and
// its key-village list and advisor roster in, previewed row by row before anything is written.
type sheetsTab struct {
	u         *UI
	content   fyne.CanvasObject
	which     *widget.Select
	year      *widget.Select
	month     *widget.Select
	format    *widget.RadioGroup
	exportMsg *widget.Label
	importMsg *widget.Label
}

const (
	formatXLSX = "Excel 工作簿（.xlsx）"
	formatCSV  = "CSV（每个工作表一个文件）"
)

func (u *UI) newSheetsTab() *sheetsTab {
	t := &sheetsTab{u: u, exportMsg: widget.NewLabel(""), importMsg: widget.NewLabel("")}
	t.exportMsg.Wrapping, t.importMsg.Wrapping = fyne.TextWrapWord, fyne.TextWrapWord
	var titles []string
	for _, name := range report.Exports {
		titles = append(titles, T(report.ExportTitles[name]))
	}
	t.month = widget.NewSelect(nil, nil)
	for m := 1; m <= 12; m++ {
		t.month.Options = append(t.month.Options, T("%d 月", m))
	}
	t.month.SetSelectedIndex(int(u.st.Clock().Today().Month()) - 1)
	t.which = widget.NewSelect(titles, func(string) {
		if t.spec().Name == "monthly" {
			t.month.Enable()
		} else {
			t.month.Disable()
		}
	})
	var years []string
	for y := u.year(); y >= u.year()-4; y-- {
		years = append(years, strconv.Itoa(y))
	}
	t.year = widget.NewSelect(years, nil)
	t.year.SetSelectedIndex(0)
	t.format = widget.NewRadioGroup([]string{T(formatXLSX), T(formatCSV)}, nil)
	t.format.Horizontal = true
	t.format.Required = true
	t.format.SetSelected(T(formatXLSX))
	t.which.SetSelectedIndex(0)

	exportForm := widget.NewForm(
		widget.NewFormItem(T("报表"), t.which),
		widget.NewFormItem(T("年度"), t.year),
		widget.NewFormItem(T("月份（月度调度）"), t.month),
		widget.NewFormItem(T("格式"), t.format),
	)
	exportBtn := widget.NewButton(T("导出…"), t.pickExport)
	exportBtn.Importance = widget.HighImportance
	exportNote := widget.NewLabel(T("工作台账另有“按科技指导人员”“按村”两个汇总表，以及需求、科技扶贫项目、新品种新技术、科技带头人示范户、宣传报道、园区结对、星创天地和农科驿站各一个工作表；月度调度列出本季度未到村的重点村、本月服务不足 %d 天的科技指导人员、需求调研未达标的重点村、各专业组待办结的需求及其时长、超期未办结的需求和各状态的项目。", report.DefaultMinDays))
	exportNote.Wrapping = fyne.TextWrapWord

	importNote := widget.NewLabel(T("市局下发的名单可以直接导入（.xlsx 或 CSV）：先逐行预览对应情况，确认后才写入；对应不上的行不会写入。"))
	importNote.Wrapping = fyne.TextWrapWord
	buttons := container.NewHBox(widget.NewButton(T("导入省定重点村名单…"), func() { t.pickImport("keyvillages") }))
	if u.canEditRoster() {
		buttons.Add(widget.NewButton(T("导入科技指导人员名册…"), func() { t.pickImport("advisors") }))
	}
	buttons.Add(widget.NewButton(T("导入科技扶贫项目…"), func() { t.pickImport("projects") }))
	buttons.Add(widget.NewButton(T("导入科技带头人、示范户…"), func() { t.pickImport("leaders") }))
	t.content = container.NewVScroll(container.New(maxWidth(720), container.NewVBox(
		heading(T("导出报表")), exportForm, exportNote, container.NewHBox(exportBtn), t.exportMsg,
		widget.NewSeparator(),
		heading(T("导入名单")), importNote, buttons, t.importMsg)))
	return t
}

// spec is the export the form asks for.
func (t *sheetsTab) spec() report.Spec {
	name := report.Exports[max(0, t.which.SelectedIndex())]
	year, _ := strconv.Atoi(t.year.Selected)
	s := report.Spec{Name: name, Year: year}
	if name == "monthly" {
		s.Month = t.month.SelectedIndex() + 1
	}
	return s
}

// fileName is the name the save dialog suggests: the table and its period.
func (t *sheetsTab) fileName(s report.Spec) string {
	name := T(report.ExportTitles[s.Name])
	switch s.Name {
	case "monthly":
		name += fmt.Sprintf("-%d-%02d", s.Year, s.Month)
	case "ledger", "targets":
		name += fmt.Sprintf("-%d", s.Year)
	}
	if t.format.Selected == T(formatCSV) {
		return name + ".csv"
	}
	return name + ".xlsx"
}

func (t *sheetsTab) pickExport() {
	s := t.spec()
	kind := T("Excel 工作簿")
	if t.format.Selected == T(formatCSV) {
		kind = T("CSV 文件")
	}
	t.u.pickSave(fileRequest{purpose: "sheets", title: T("导出%s", T(report.ExportTitles[s.Name])), name: t.fileName(s), kind: kind},
		func(path string) { t.exportTo(s, path) })
}

// exportTo builds the tables and writes them to path, with a progress bar while the ledger is read.
func (t *sheetsTab) exportTo(s report.Spec, path string) {
	u := t.u
	title := T(report.ExportTitles[s.Name])
	bar := widget.NewProgressBar()
	step := widget.NewLabel(T("正在读取台账…"))
	wait := dialog.NewCustomWithoutButtons(T("正在导出%s…", title), container.NewVBox(step, bar), u.win)
	wait.Resize(fyne.NewSize(420, 140))
	wait.Show()
	s.Progress = func(done, total int) {
		fyne.Do(func() {
			bar.SetValue(float64(done) / float64(max(total, 1)))
			if done >= total {
				step.SetText(T("正在写入文件…")) // the last sheets and the workbook's packing
			}
		})
	}
	var files []string
	rows := 0
	u.saveWith(func(context.Context) error {
		// The work ledger is written as it is read: the bar follows both.
		var err error
		files, rows, err = report.Export(u.st, s, path)
		return err
	}, func(err error) {
		wait.Hide()
		if err != nil {
			t.exportMsg.Importance = widget.DangerImportance
			t.exportMsg.SetText(T("导出没有完成：") + Sentence(err))
			return
		}
		var names []string
		for _, f := range files {
			names = append(names, filepath.Base(f))
		}
		t.exportMsg.Importance = widget.SuccessImportance
		t.exportMsg.SetText(T("已导出%s %d 行：%s（在 %s）", title, rows, strings.Join(names, "、"), filepath.Dir(path)))
	})
}

func (t *sheetsTab) pickImport(kind string) {
	t.u.pickOpen(fileRequest{purpose: "sheets", title: T(importTitles[kind]), exts: []string{".xlsx", ".csv"},
		kind: T("Excel 工作簿或 CSV 文件")}, func(path string) { t.planImport(kind, path) })
}

// planImport reads the file and matches it against the ledger, off the UI thread, then shows the
// preview. Nothing is written yet.
func (t *sheetsTab) planImport(kind, path string) {
	u := t.u
	wait := dialog.NewCustomWithoutButtons(T("正在读取表格…"), widget.NewProgressBarInfinite(), u.win)
	wait.Show()
	var plan report.Plan
	u.saveWith(func(context.Context) error {
		sheets, err := report.ReadFile(path)
		if err != nil {
			return err
		}
		plan, err = report.PlanImport(u.st, kind, sheets)
		return err
	}, func(err error) {
		wait.Hide()
		if err != nil {
			t.importMsg.Importance = widget.DangerImportance
			t.importMsg.SetText(T("没有导入：") + Sentence(err))
			return
		}
		t.preview(importTitles[kind], plan)
	})
}

var importTitles = map[string]string{"keyvillages": "导入省定重点村名单", "advisors": "导入科技指导人员名册",
	"projects": "导入科技扶贫项目", "leaders": "导入科技带头人、示范户"}

// marks are how preview lines show.
var marks = map[report.Mark]widget.Importance{report.MarkOK: widget.MediumImportance, report.MarkCheck: widget.WarningImportance,
	report.MarkRefused: widget.DangerImportance, report.MarkNote: widget.LowImportance}

// preview lists every row's verdict and asks before writing.
func (t *sheetsTab) preview(title string, plan report.Plan) {
	u := t.u
	lines := plan.Lines()
	summary := widget.NewLabel(plan.Summary())
	summary.Wrapping = fyne.TextWrapWord
	detail := widget.NewLabel(T("点一行可看全文。"))
	detail.Wrapping = fyne.TextWrapWord
	list := widget.NewList(func() int { return len(lines) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.Importance = marks[lines[i].Mark]
			l.SetText(lines[i].Text)
		})
	list.OnSelected = func(i widget.ListItemID) {
		detail.Importance = marks[lines[i].Mark]
		detail.SetText(lines[i].Text)
	}
	content := container.NewBorder(summary, detail, nil, nil, list)
	if plan.Writes() == 0 {
		d := dialog.NewCustom(T(title), T("关闭"), content, u.win)
		summary.SetText(plan.Summary() + T("没有需要写入的内容。"))
		d.Resize(fyne.NewSize(960, 560))
		d.Show()
		return
	}
	d := dialog.NewCustomConfirm(T(title), T("导入 %d 条", plan.Writes()), T("取消"), content, func(ok bool) {
		if ok {
			t.apply(plan)
		}
	}, u.win)
	d.Resize(fyne.NewSize(960, 560))
	d.Show()
}

// apply writes a confirmed plan with a progress bar.
func (t *sheetsTab) apply(plan report.Plan) {
	u := t.u
	bar := widget.NewProgressBar()
	wait := dialog.NewCustomWithoutButtons(T("正在导入…"), bar, u.win)
	wait.Resize(fyne.NewSize(420, 120))
	wait.Show()
	var res query.ImportResult
	u.saveWith(func(ctx context.Context) error {
		var err error
		res, err = plan.Apply(ctx, u.st, func(done, total int) {
			fyne.Do(func() { bar.SetValue(float64(done) / float64(max(total, 1))) })
		})
		return err
	}, func(err error) {
		wait.Hide()
		if err != nil {
			t.importMsg.Importance = widget.DangerImportance
			t.importMsg.SetText(T("导入没有完成：") + Sentence(err) + T("（已写入的记录完整有效，可以重新导入同一文件补齐）"))
			return
		}
		t.importMsg.Importance = widget.SuccessImportance
		msg := T("已导入：新增 %d，修改 %d，无变化 %d。", res.Created, res.Updated, res.Unchanged)
		if len(res.Rejected) > 0 {
			t.importMsg.Importance = widget.WarningImportance
			msg += T("%d 条未导入：", len(res.Rejected))
			for _, r := range res.Rejected {
				msg += Sentence(r.Err) + "；"
			}
		}
		t.importMsg.SetText(msg)
	})
}
