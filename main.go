// Command techaid is the desktop app of a township, county or city office: the ledger of villages,
// advisors and trainings in Chinese, kept on this PC and synced to the city whenever a network exists.
// It wires the store, sync and the UI together; the UI itself is in package app.
//
//	techaid [--data DIR]
//
// With no flags it opens the per-user data directory (storage.DefaultDir) and, on the first run, asks
// which office this PC belongs to. No server is needed to work.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"techaid/app"
	"techaid/assets"
	"techaid/internal/buildinfo"
	_ "techaid/internal/locale" // before Fyne reads the locale: Chinese when the system names none
	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/update"
)

// version is stamped at build time (-ldflags "-X main.version=…"); a plain build reads its build
// information (buildinfo.Version).
var version = "dev"

func main() {
	start := time.Now()
	version = buildinfo.Version(version)
	dataDir := flag.String("data", "", "the data directory (default: the per-user one, or $TECHAID_DATA)")
	showVersion := flag.Bool("version", false, "print the version and exit")
	report := flag.Bool("startup-report", false, "measure start-up: print when the window shows its data and the RSS, then quit")
	empty := flag.Bool("empty-window", false, "with --startup-report: an empty Fyne window, the baseline")
	screen := flag.String("screen", "", "open on this screen: 村庄, 科技指导人员, 目标进度, 同步与冲突, 设置")
	flag.Parse()
	if *showVersion {
		fmt.Println("techaid", version)
		return
	}
	if err := run(start, *dataDir, *screen, *report, *empty); err != nil {
		log.Fatal(err)
	}
}

func run(start time.Time, dir, screen string, report, empty bool) error {
	a := fyneapp.NewWithID("cn.gov.zibo.kjj.techaid")
	a.SetIcon(assets.Icon)
	a.Settings().SetTheme(&app.Theme{Regular: assets.FontRegular, Bold: assets.FontBold})
	if err := app.LoadTranslations(assets.Translations, "translations"); err != nil {
		return err
	}
	w := a.NewWindow("科技帮扶台账")
	w.Resize(fyne.NewSize(1280, 720)) // fits the 1366×768 screens of many office PCs
	if report && empty {
		w.SetContent(widget.NewLabel(""))
		reportWhenSettled(a, start, "empty window")
		w.ShowAndRun()
		return nil
	}
	if dir == "" {
		var err error
		if dir, err = storage.DefaultDir(); err != nil {
			return err
		}
	}
	divs, err := ledger.ReadDivisions(bytes.NewReader(assets.Divisions))
	if err != nil {
		return fmt.Errorf("embedded divisions: %w", err)
	}
	opts := storage.Options{}
	st, err := storage.Open(dir, opts)
	if err != nil {
		refuse(a, w, err) // another window holds the data, or it cannot be read: say so, do not crash
		return nil
	}
	app.SetLanguage(app.SavedLanguage(st))
	useFyneLanguage(app.Language())
	syncer := newSyncer(st, version)
	defer syncer.stop()
	var ui *app.UI
	options := app.Options{Sync: syncer, Divisions: divs, Version: version, Screen: screen,
		Notice: privacyNotice(st.Tightened()),
		Restore: func(ctx context.Context, path string) (app.Ledger, error) {
			syncer.stop()
			if err := st.Close(); err != nil {
				return nil, err
			}
			_, rerr := storage.Restore(dir, path, opts)
			reopened, err := storage.Open(dir, opts) // the old data if the restore failed, the new if not
			if err != nil {
				return nil, errors.Join(rerr, err)
			}
			st = reopened
			syncer.use(st)
			return st, rerr
		}}
	options.Ready = func() {
		if report {
			reportWhenSettled(a, start, "app")
		}
		// Start-up reads (the index rebuild, the first lists, the fonts) leave garbage the runtime would
		// hand back to the system only slowly; an office PC has little memory to spare.
		time.AfterFunc(time.Second, debug.FreeOSMemory)
	}
	// Installing a new version: prepared while the app runs, off the UI thread (on Linux the program
	// file is replaced now), launched once the store is closed (the Windows installer waits for this
	// program to exit).
	var pending *update.Pending
	options.Install = func() error {
		p, err := prepareUpgrade(syncer.up.Ready())
		if err != nil {
			return err
		}
		fyne.Do(func() {
			pending = p
			ui.Stop()
			syncer.stop()
			w.Close()
		})
		return nil
	}
	ui = app.New(a, w, st, options)
	ui.Start()
	w.SetCloseIntercept(func() {
		ui.Stop()
		syncer.stop()
		w.Close()
	})
	w.ShowAndRun()
	if err := st.Close(); err != nil {
		return err
	}
	if pending != nil {
		log.Printf("upgrade: starting %s %v", pending.Path, pending.Args)
		if err := pending.Launch(); err != nil {
			return fmt.Errorf("start the new version: %w", err)
		}
	}
	return nil
}

// prepareUpgrade readies the installation of the verified download at path (update.Prepare) and says
// in Chinese why it cannot.
func prepareUpgrade(path string) (*update.Pending, error) {
	if path == "" {
		return nil, errors.New("新版本还没有下载完")
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	p, err := update.Prepare(path, exe, os.Args[1:])
	if err != nil {
		log.Printf("upgrade: prepare %s: %v", path, err)
		if errors.Is(err, update.ErrReadOnly) {
			return nil, err
		}
		return nil, errors.New(update.Chinese(err))
	}
	return p, nil
}

// refuse shows why the data cannot be opened, in Chinese, and quits when the clerk has read it.
func refuse(a fyne.App, w fyne.Window, err error) {
	log.Printf("open store: %v", err)
	msg := widget.NewLabel(ledger.Chinese(err))
	msg.Wrapping = fyne.TextWrapWord
	w.SetContent(container.NewPadded(container.NewBorder(nil, container.NewHBox(
		layoutSpacer(), widget.NewButton("退出", a.Quit)), nil, nil, msg)))
	w.Resize(fyne.NewSize(480, 180))
	w.CenterOnScreen()
	w.ShowAndRun()
}

func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }

// useFyneLanguage points Fyne's own texts (its dialogs' buttons) at the UI's language where the system
// lets it: Fyne reads LANGUAGE on Linux; on Windows it follows the system's language.
func useFyneLanguage(code string) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return
	}
	loc := "en_US"
	if code == app.LangChinese {
		loc = "zh_CN"
	}
	// Fyne's locale lookup reads LC_ALL, LC_MESSAGES, LANG (the first set wins), then LANGUAGE; it runs
	// after the windowing system has read the locale, so only Fyne's own texts follow these.
	os.Setenv("LANGUAGE", loc)
	if os.Getenv("LC_ALL") == "" {
		os.Setenv("LC_MESSAGES", loc+".UTF-8")
	}
	// Registering a translation makes Fyne read the locale again. Only en.json: registering our zh-CN
	// file, which holds no Fyne texts (the Chinese is the key), would hide Fyne's own Chinese.
	if en, err := assets.Translations.ReadFile("translations/en.json"); err == nil {
		_ = lang.AddTranslationsForLocale(en, fyne.Locale("en"))
	}
}

// privacyNotice is what the clerk is told when the store's folder was open to other users of the PC.
func privacyNotice(t *storage.Tightened) string {
	if t == nil {
		return ""
	}
	if app.Language() == app.LangEnglish {
		if t.Failed != nil {
			return "Other users of this PC may be able to read the data folder " + t.Dir + ", and this program could not change that. Ask the administrator to make it private to you, or keep the data in your own folder."
		}
		return "Other users of this PC could read the data folder " + t.Dir + " (it holds advisors' phone numbers). It is now private to you."
	}
	return t.Chinese()
}
