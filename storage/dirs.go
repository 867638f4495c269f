package storage

import (
	"os"
	"path/filepath"
	"runtime"
)

// DefaultDir is where a user's ledger lives when nothing else is said: $TECHAID_DATA if set, else
// %LOCALAPPDATA%\techaid\data on Windows (local, not roaming: a store does not belong on a network
// share) and $XDG_DATA_HOME/techaid or ~/.local/share/techaid elsewhere.
func DefaultDir() (string, error) {
	if d := os.Getenv("TECHAID_DATA"); d != "" {
		return d, nil
	}
	if runtime.GOOS == "windows" {
		if base := os.Getenv("LOCALAPPDATA"); base != "" {
			return filepath.Join(base, "techaid", "data"), nil
		}
		base, err := os.UserConfigDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(base, "techaid", "data"), nil
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "techaid"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "share", "techaid"), nil
}
