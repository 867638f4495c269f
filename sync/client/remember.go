package client

import (
	"errors"

	"techaid/storage"
)

// Remembered is the hub address and token an office keeps in its own store (not synced), so that sync
// after the first needs no flags. techaid-cli and the desktop app read and write the same document.
type Remembered struct {
	City  string `json:"city"`
	Token string `json:"token"`
}

const rememberDocs, rememberDoc = "config", "sync"

// LoadRemembered reads the remembered address and token; both are "" if none was ever given.
func LoadRemembered(st *storage.Store) (Remembered, error) {
	var r Remembered
	if err := st.GetDoc(rememberDocs, rememberDoc, &r); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return Remembered{}, err
	}
	return r, nil
}

// Remember stores the address and token.
func Remember(st *storage.Store, r Remembered) error { return st.PutDoc(rememberDocs, rememberDoc, r) }
