package report

import (
	"archive/zip"
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"techaid/ledger"
	"techaid/query"
)

// ColumnEvidence is the column of the ledger's sheets that names each record's evidence files, as
// `export evidence` writes them.
const ColumnEvidence = "佐证材料"

// evidenceNames is the 佐证材料 cell of a record: its files' names.
func evidenceNames(e ledger.Entity) string {
	var names []string
	for _, ev := range ledger.EvidenceOf(e) {
		names = append(names, ev.Name)
	}
	return strings.Join(names, "、")
}

// EvidenceReader reads a stored evidence file whole (storage.Store's ReadEvidence): an error if the
// file is not in this store (another office's, not fetched from the city yet).
type EvidenceReader interface {
	ReadEvidence(hash string) ([]byte, error)
}

// EvidenceFile is one file of an evidence export: where it goes and what it backs.
type EvidenceFile struct {
	Path     string // inside the folder or zip, with "/" separators
	County   string
	Township string
	Date     ledger.Date
	What     string // 培训、需求、项目、园区结对 and the record's own words
	Village  string
	Record   string // the record's id
	ledger.Evidence
	Missing bool // not in this store: listed in the index, not written
}

// EvidenceIndex is the name of the list of every file an export has, written beside the folders.
const EvidenceIndex = "佐证材料清单.csv"

// EvidenceFiles lists the evidence of the records of one month within under ("" or a city: all
// this store holds): trainings by their date, needs by the day raised, projects by the day approved
// (or applied), park pairings by their start. Each file's path is
//
//	<county township>/<date>/<what> <village>/<name>
//
// so that a person finds a training's sign-in sheet by the township and the day it was held, and two
// files of one record with the same name are told apart by a number.
func EvidenceFiles(st Store, year, month int, under ledger.Code) ([]EvidenceFile, error) {
	if month < 1 || month > 12 {
		return nil, fmt.Errorf("export evidence: month %d: want 1-12", month)
	}
	if under.Level() == ledger.LevelCity {
		under = ""
	}
	first := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, ledger.China)
	from, to := ledger.DateOf(first), ledger.DateOf(first.AddDate(0, 1, -1))
	n := newNames(st)
	var out []EvidenceFile
	add := func(e ledger.Entity, date ledger.Date, what string, village ledger.Code) {
		items := ledger.EvidenceOf(e)
		if len(items) == 0 {
			return
		}
		v := n.village(village)
		for _, ev := range items {
			out = append(out, EvidenceFile{County: v.CountyName, Township: v.TownshipName, Date: date, What: what,
				Village: nameOr(v.Name, string(village)), Record: e.RecordID(), Evidence: ev})
		}
	}
	q := query.Trainings{Under: under, From: from, To: to, Oldest: true, Limit: 1000}
	for {
		page, err := st.Trainings(q, nil)
		if err != nil {
			return nil, fmt.Errorf("export evidence: %w", err)
		}
		for _, t := range page.Trainings {
			add(t, t.Date, cmp.Or(t.Kind, "服务")+" "+short(t.Topic, 20), t.Village())
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	list := query.List{Under: under, From: from, To: to}
	needs, _ := st.Needs(query.Needs{List: list}, nil)
	for _, nd := range needs {
		add(nd, nd.Raised, "需求 "+short(cmp.Or(nd.Industry, nd.Problem), 20), nd.Village)
	}
	projects, _ := st.Projects(query.Projects{List: list}, nil)
	for _, p := range projects {
		date, _ := ledger.When(p)
		var village ledger.Code
		if len(p.Villages) > 0 {
			village = p.Villages[0]
		}
		add(p, date, "项目 "+short(p.Name, 20), village)
	}
	for _, pp := range st.ParkPairings(query.ParkPairings{Under: under, Year: year}, nil) {
		if pp.From >= from && pp.From <= to {
			add(pp, pp.From, "园区结对", pp.Village)
		}
	}
	slices.SortStableFunc(out, func(a, b EvidenceFile) int {
		return cmp.Or(strings.Compare(a.County+a.Township, b.County+b.Township), strings.Compare(string(a.Date), string(b.Date)),
			strings.Compare(a.What+a.Village, b.What+b.Village), strings.Compare(a.Record, b.Record))
	})
	used := map[string]bool{}
	for i := range out {
		f := &out[i]
		folder := safeName(strings.TrimSpace(f.County+" "+f.Township)) + "/" + string(f.Date) + "/" + safeName(f.What+" "+f.Village)
		if prev := i - 1; prev >= 0 && out[prev].Record != f.Record && strings.HasPrefix(out[prev].Path, folder+"/") {
			folder += " " + f.Record[max(0, len(f.Record)-4):] // two records of one day and village: their ids' ends
		}
		name := safeName(f.Name)
		path := folder + "/" + name
		for k := 2; used[path]; k++ {
			ext := filepath.Ext(name)
			path = fmt.Sprintf("%s/%s (%d)%s", folder, strings.TrimSuffix(name, ext), k, ext)
		}
		used[path] = true
		f.Path = path
	}
	return out, nil
}

// short cuts s to n characters.
func short(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// safeName keeps a folder or file name every file system takes.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r < ' ', strings.ContainsRune(`/\:*?"<>|`, r):
			return '_'
		}
		return r
	}, s)
	s = strings.Trim(strings.TrimSpace(s), ".")
	if s == "" {
		return "_"
	}
	return s
}

// WriteEvidence writes the files to out, a folder (made if missing) or a .zip, with EvidenceIndex
// listing every file, those not in this store too (marked, and not written). It returns how many files
// were written and their bytes.
func WriteEvidence(files []EvidenceFile, rd EvidenceReader, out string) (written int, size int64, err error) {
	var put func(path string, data []byte) error
	var finish func() error
	if strings.EqualFold(filepath.Ext(out), ".zip") {
		f, err := os.Create(out)
		if err != nil {
			return 0, 0, fmt.Errorf("export evidence: %w", err)
		}
		defer f.Close()
		zw := zip.NewWriter(f)
		put = func(path string, data []byte) error {
			// Stored, not deflated: photos and PDFs are compressed already. Names are UTF-8, which
			// the zip says (Go sets the flag), so that Windows' Explorer shows them in Chinese.
			w, err := zw.CreateHeader(&zip.FileHeader{Name: path, Method: zip.Store, Modified: time.Now()})
			if err != nil {
				return err
			}
			_, err = w.Write(data)
			return err
		}
		finish = func() error {
			if err := zw.Close(); err != nil {
				return err
			}
			if err := f.Sync(); err != nil {
				return err
			}
			return f.Close()
		}
	} else {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return 0, 0, fmt.Errorf("export evidence: %w", err)
		}
		put = func(path string, data []byte) error {
			p := filepath.Join(out, filepath.FromSlash(path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			return os.WriteFile(p, data, 0o644)
		}
		finish = func() error { return nil }
	}
	var index bytes.Buffer
	index.WriteString("\ufeff") // Excel reads UTF-8 CSV only with the mark
	cw := csv.NewWriter(&index)
	cw.Write([]string{"区县", "乡镇", "日期", "事项", "村", "文件", "拍摄时间", "拍摄地点", "大小（KB）", "状态", "记录编号", "SHA-256"})
	for i := range files {
		f := &files[i]
		state := "已导出"
		data, err := rd.ReadEvidence(f.Hash)
		if err != nil {
			f.Missing = true
			state = "本机没有：在市局，打开记录时下载后再导出"
		} else {
			if err := put(f.Path, data); err != nil {
				return written, size, fmt.Errorf("export evidence %s: %w", f.Path, err)
			}
			written++
			size += int64(len(data))
		}
		cw.Write([]string{f.County, f.Township, string(f.Date), f.What, f.Village, f.Path, f.Taken, f.Place,
			fmt.Sprintf("%.0f", float64(f.Size)/1024), state, f.Record, f.Hash})
	}
	cw.Flush()
	if err := put(EvidenceIndex, index.Bytes()); err != nil {
		return written, size, fmt.Errorf("export evidence: %w", err)
	}
	if err := finish(); err != nil {
		return written, size, fmt.Errorf("export evidence: %w", err)
	}
	return written, size, nil
}
