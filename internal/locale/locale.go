// Package locale gives the desktop app a language when the system names none. An office PC or a
// session started without a locale (LANG unset, C, C.UTF-8, POSIX: Debian's default, what Xvfb and
// many service managers start programs with) made Fyne log "Error parsing user locale C" at start and
// show its own texts (dialog buttons) in English, while the app is Chinese. main imports this package
// for its init, which runs before Fyne's lang package reads the environment (main_test.go checks that
// order), and falls back quietly to Chinese.
//
// Only the messages' language is set (LC_MESSAGES, which Fyne reads before LANG): the character
// handling of the C libraries the windowing system uses (LC_CTYPE) stays what the system said. A
// locale the system does name (LANG=en_US.UTF-8) is left alone; Windows and macOS name theirs through
// their own APIs and are not touched.
package locale

import (
	"os"
	"runtime"
	"strings"
)

// Fallback is the locale a process without one gets: the app's own language.
const Fallback = "zh_CN.UTF-8"

func init() {
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		Default(os.Getenv, os.Setenv, os.Unsetenv)
	}
}

// Default sets LC_MESSAGES to Fallback when the environment names no language for messages, as
// gettext reads it: LC_ALL, else LC_MESSAGES, else LANG, the first one set; none, "C", "POSIX" or "C.*"
// mean none. An LC_ALL of that kind would override LC_MESSAGES: it moves to LANG (so every other
// category keeps it) and is unset. It reports whether it changed anything.
func Default(getenv func(string) string, setenv func(string, string) error, unsetenv func(string) error) bool {
	name, value := "", ""
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if value = getenv(v); value != "" {
			name = v
			break
		}
	}
	if !unnamed(value) {
		return false
	}
	if name == "LC_ALL" {
		_ = unsetenv("LC_ALL")
		_ = setenv("LANG", value)
	}
	_ = setenv("LC_MESSAGES", Fallback)
	return true
}

// unnamed: a locale that names no language.
func unnamed(v string) bool {
	return v == "" || v == "C" || v == "POSIX" || strings.HasPrefix(v, "C.")
}
