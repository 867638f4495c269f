package app

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"sync"
)

// The UI is written in Chinese: the Chinese text is the key, and a translation file maps it to another
// language (assets/translations/en.json; go-i18n's flat form, the form Fyne's lang reads). Chinese is
// the default whatever the system's locale, and the clerk can switch in 设置. Fyne's own lang package
// follows the system locale and cannot be set per app on Windows, so the lookup is ours; main.go still
// points Fyne's lang at the chosen language where the system lets it (its own dialog buttons).

// Languages the UI offers, by code.
const (
	LangChinese = "zh-CN"
	LangEnglish = "en"
)

var (
	langMu  sync.RWMutex
	current = LangChinese
	catalog = map[string]map[string]string{}
)

// LoadTranslations reads every LANG.json in dir of fsys. A missing key falls back to the Chinese text.
func LoadTranslations(fsys fs.FS, dir string) error {
	langMu.Lock()
	defer langMu.Unlock()
	for _, lang := range []string{LangChinese, LangEnglish} {
		data, err := fs.ReadFile(fsys, dir+"/"+lang+".json")
		if err != nil {
			return fmt.Errorf("translations %s: %w", lang, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("translations %s: %w", lang, err)
		}
		catalog[lang] = m
	}
	return nil
}

// SetLanguage picks the UI's language (LangChinese or LangEnglish); views built afterwards use it.
func SetLanguage(lang string) {
	langMu.Lock()
	defer langMu.Unlock()
	if lang != LangEnglish {
		lang = LangChinese
	}
	current = lang
}

// Language is the UI's language.
func Language() string {
	langMu.RLock()
	defer langMu.RUnlock()
	return current
}

// T translates a UI text written in Chinese; with args it is a fmt format.
func T(zh string, args ...any) string {
	langMu.RLock()
	s, ok := catalog[current][zh]
	langMu.RUnlock()
	if !ok || s == "" {
		s = zh
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// english reports whether the UI speaks English (for texts the ledger gives in both languages).
func english() bool { return Language() == LangEnglish }
