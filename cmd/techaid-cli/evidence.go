package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"techaid/evidence"
	"techaid/evidence/evidencetest"
	"techaid/ledger"
	"techaid/report"
	"techaid/storage"
)

// cmdAttach attaches files to a record: each is checked from its bytes, a photo shrunk, and all of
// them stored with the record's new evidence list in one durable write.
func cmdAttach(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("attach", flag.ContinueOnError)
	pos, err := parse(fs, c, args, -1)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return fmt.Errorf("%w: attach ID FILE...", errUsage)
	}
	id, paths := pos[0], pos[1:]
	var files []storage.Attachment
	var prepared []evidence.File
	start := time.Now()
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("attach %s: %w", p, err)
		}
		f, err := evidence.Prepare(filepath.Base(p), b)
		if err != nil {
			return fmt.Errorf("attach %s: %w", p, err)
		}
		files = append(files, storage.Attachment{Item: f.Evidence(), Data: f.Data})
		prepared = append(prepared, f)
	}
	shrunk := time.Since(start)
	return c.withStore(func(s *storage.Store) error {
		list, err := s.Attach(ctx, id, files...)
		if err != nil {
			return err
		}
		for i, f := range prepared {
			fmt.Fprintf(c.stdout, "已附加 %s：%s\n", paths[i], describe(f.Evidence(), f.Width, f.Height))
		}
		fmt.Fprintf(c.stdout, "%s 现有佐证材料 %d 个 (%d files; prepared in %.2fs, total %.2fs)\n", id, len(list), len(list),
			shrunk.Seconds(), time.Since(start).Seconds())
		return nil
	})
}

// describe says in a line what a file is.
func describe(ev ledger.Evidence, w, h int) string {
	parts := []string{strings.ToUpper(ev.Type)}
	if w > 0 {
		parts = append(parts, fmt.Sprintf("%d×%d", w, h))
	}
	parts = append(parts, sizeText(ev.Size))
	if ev.Taken != "" {
		parts = append(parts, "拍摄于 "+ev.Taken)
	}
	if ev.Place != "" {
		parts = append(parts, "位置 "+ev.Place)
	}
	return ev.Name + "（" + strings.Join(parts, "，") + "）"
}

func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}

// cmdEvidence lists, reads and removes a record's evidence files.
func cmdEvidence(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: evidence list|get|detach", errUsage)
	}
	switch args[0] {
	case "list":
		return evidenceList(c, args[1:])
	case "get":
		return evidenceGet(c, args[1:])
	case "detach":
		pos, err := parse(flag.NewFlagSet("evidence detach", flag.ContinueOnError), c, args[1:], 2)
		if err != nil {
			return err
		}
		return c.withStore(func(s *storage.Store) error {
			hash, err := findHash(s, pos[0], pos[1])
			if err != nil {
				return err
			}
			if err := s.Detach(ctx, pos[0], hash); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "已从 %s 移除 %s\n", pos[0], hash[:12])
			return nil
		})
	}
	return fmt.Errorf("%w: evidence list|get|detach", errUsage)
}

func evidenceList(c *cli, args []string) error {
	fs := flag.NewFlagSet("evidence list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parse(fs, c, args, 1)
	if err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error {
		items, err := s.EvidenceOf(pos[0])
		if err != nil {
			return err
		}
		if *asJSON {
			type row struct {
				ledger.Evidence
				Here     bool `json:"here"`
				Uploaded bool `json:"uploaded"`
			}
			out := make([]row, 0, len(items))
			for _, it := range items {
				out = append(out, row{it.Evidence, it.Here(), it.Blob.Uploaded})
			}
			return c.printJSON(out)
		}
		var rows [][]string
		for _, it := range items {
			state := "本机有"
			switch {
			case !it.Here():
				state = "在市局（未下载）"
			case it.Blob.Local && !it.Blob.Uploaded:
				state = "本机有，待上报"
			}
			rows = append(rows, []string{it.Hash[:12], it.Name, strings.ToUpper(it.Type), sizeText(it.Size), it.Taken, it.Place, state})
		}
		c.table("编号\t文件\t类型\t大小\t拍摄时间\t拍摄地点\t状态", rows)
		return nil
	})
}

// findHash finds the file of the record id whose hash starts with prefix (or whose name is prefix).
func findHash(s *storage.Store, id, prefix string) (string, error) {
	items, err := s.EvidenceOf(id)
	if err != nil {
		return "", err
	}
	var found []string
	for _, it := range items {
		if strings.HasPrefix(it.Hash, strings.ToLower(prefix)) || it.Name == prefix {
			found = append(found, it.Hash)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%s lists no file %q: %w", id, prefix, storage.ErrNoEvidence)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%q names %d files of %s: give more of the hash", prefix, len(found), id)
}

// evidenceGet writes a record's files (or one of them) to a folder or a file.
func evidenceGet(c *cli, args []string) error {
	fs := flag.NewFlagSet("evidence get", flag.ContinueOnError)
	out := fs.String("out", ".", "a folder (made if missing), or a file when one file is asked for")
	pos, err := parse(fs, c, args, -1)
	if err != nil {
		return err
	}
	if len(pos) < 1 || len(pos) > 2 {
		return fmt.Errorf("%w: evidence get ID [HASH|NAME] [--out DIR|FILE]", errUsage)
	}
	return c.withStore(func(s *storage.Store) error {
		items, err := s.EvidenceOf(pos[0])
		if err != nil {
			return err
		}
		if len(pos) == 2 {
			hash, err := findHash(s, pos[0], pos[1])
			if err != nil {
				return err
			}
			for _, it := range items {
				if it.Hash == hash {
					items = []storage.EvidenceItem{it}
					break
				}
			}
		}
		dirOut := len(items) != 1 || isDir(*out)
		if dirOut {
			if err := os.MkdirAll(*out, 0o755); err != nil {
				return err
			}
		}
		var missing []string
		for _, it := range items {
			data, err := s.ReadEvidence(it.Hash)
			if errors.Is(err, storage.ErrNoEvidence) {
				missing = append(missing, it.Name)
				continue
			}
			if err != nil {
				return err
			}
			path := *out
			if dirOut {
				path = filepath.Join(*out, it.Name)
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "%s (%s)\n", path, sizeText(int64(len(data))))
		}
		if len(missing) > 0 {
			return ledger.ClerkError(fmt.Sprintf("not in this store (at the city, not fetched yet): %s", strings.Join(missing, ", ")),
				"这些文件本机还没有（在市局，同步后打开记录时下载）："+strings.Join(missing, "、"))
		}
		return nil
	})
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// exportEvidence writes a month's evidence files in folders by township and date, with a list.
func exportEvidence(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("export evidence", flag.ContinueOnError)
	year := fs.Int("year", 0, "the year (default this year)")
	month := fs.Int("month", 0, "the month, 1-12")
	under := fs.String("under", "", "only within this county or township code")
	out := fs.String("out", "", "a folder, or FILE.zip")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	if *out == "" || *month < 1 || *month > 12 {
		return fmt.Errorf("%w: export evidence --month 1-12 [--year Y] [--under CODE] --out DIR|FILE.zip", errUsage)
	}
	if err := checkCode("under", ledger.Code(*under), false); err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error {
		start := time.Now()
		if *year == 0 {
			*year = s.Clock().Today().Year()
		}
		files, err := report.EvidenceFiles(s, *year, *month, ledger.Code(*under))
		if err != nil {
			return err
		}
		n, size, err := report.WriteEvidence(files, s, *out)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "已导出 %d 年 %d 月佐证材料 %d 个（%s）到 %s，清单见 %s", *year, *month, n, sizeText(size), *out, report.EvidenceIndex)
		if missing := len(files) - n; missing > 0 {
			fmt.Fprintf(c.stdout, "；%d 个本机没有（在市局），已在清单中注明", missing)
		}
		fmt.Fprintf(c.stdout, " (%d files, %d missing, %.2fs)\n", n, len(files)-n, time.Since(start).Seconds())
		return nil
	})
}

// seedPhotos attaches n photos to the trainings, five to each: one shrunk phone photo made distinct by
// a JPEG comment carrying its number, so that each is stored on its own as a real photo would be.
func seedPhotos(ctx context.Context, c *cli, s *storage.Store, trainings []ledger.Training, n int) error {
	if n <= 0 {
		return nil
	}
	start := time.Now()
	base, err := evidence.Prepare("现场.jpg", evidencetest.Photo(4000, 3000, 1, 1))
	if err != nil {
		return err
	}
	var bytes int64
	for i := 0; i < n; {
		if i/5 >= len(trainings) {
			return fmt.Errorf("seed photos: %d trainings hold %d photos, not %d", len(trainings), i, n)
		}
		var files []storage.Attachment
		for k := 0; k < 5 && i < n; k++ {
			comment := fmt.Sprintf("seed photo %d", i)
			data := append([]byte{0xFF, 0xD8, 0xFF, 0xFE, 0, byte(2 + len(comment))}, comment...)
			data = append(data, base.Data[2:]...)
			f := base
			f.Data, f.Hash, f.Name = data, evidence.Hash(data), fmt.Sprintf("现场%d.jpg", k+1)
			files = append(files, storage.Attachment{Item: f.Evidence(), Data: f.Data})
			bytes += int64(len(data))
			i++
		}
		if _, err := s.Attach(ctx, trainings[(i-1)/5].ID, files...); err != nil {
			return fmt.Errorf("seed photos: %w", err)
		}
	}
	d := time.Since(start)
	fmt.Fprintf(c.stdout, "%-12s %7d in %6.2fs (%.0f/s, %.0f MB)\n", "photos", n, d.Seconds(), float64(n)/d.Seconds(), float64(bytes)/1e6)
	return nil
}
