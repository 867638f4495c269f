package hub

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"techaid/ledger"
	"techaid/storage"
)

// The office registry lives in the city's store, and a copy of it in a small file beside the store's
// files (RegistryFile), rewritten whole at every change. A restore from a backup brings back the data
// as it was when the backup was taken; the offices registered since, and the tokens revoked or issued
// since, would go with it: offices whose clerks hold a valid token refused as unknown, and a revoked
// token accepted again. The file is read before the store is replaced and carried across (Recover), and
// the store remembers what the restore did (RestoreNote), for the status page. The file holds names,
// scopes and token hashes (SHA-256 of 160 random bits: not a secret), no ledger data, so it is plain
// JSON, readable without the store's passphrase and copyable apart from the backups.

// RegistryFile is the registry's file name in the city's data folder.
const RegistryFile = "offices.json"

// registry is the file's content.
type registry struct {
	Scope   ledger.Code `json:"scope"`
	Written time.Time   `json:"written"`
	Offices []Office    `json:"offices"`
}

const (
	restoreDocs = "restore"
	restoreKey  = "last"
)

// RestoreNote is what the last restore of the city's store did, as the status page tells it.
type RestoreNote struct {
	At     time.Time `json:"at"`     // when the restore ran
	Backup string    `json:"backup"` // the backup file
	Taken  time.Time `json:"taken"`  // when the backup was taken: the data is as of then until offices resend
	// Registry is the registry file the offices were carried across from; "" if none was found, and
	// then offices registered after the backup are lost and must be added again.
	Registry  string   `json:"registry"`
	Recovered []string `json:"recovered,omitempty"` // offices registered after the backup, back from the registry
	Updated   []string `json:"updated,omitempty"`   // offices whose token was revoked or issued again after the backup
	Offices   []string `json:"offices,omitempty"`   // the ids of both
}

// SaveRegistry writes the registry file of st's offices: to a temporary file, synced, then renamed
// over the old one, so that a power cut leaves the old file or the new one, whole.
func SaveRegistry(st *storage.Store) error {
	offices, err := ListOffices(st)
	if err != nil {
		return err
	}
	raw, err := json.MarshalIndent(registry{Scope: st.Identity().Scope, Written: time.Now().UTC(), Offices: offices}, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(st.Dir(), RegistryFile)
	tmp, err := os.CreateTemp(st.Dir(), ".offices-*")
	if err != nil {
		return fmt.Errorf("office registry: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(append(raw, '\n'))
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("office registry: %w", err)
	}
	syncDir(st.Dir()) // the rename itself (release.go)
	return nil
}

// ReadRegistry reads a registry file.
func ReadRegistry(path string) ([]Office, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r registry
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("office registry %s: %w", path, err)
	}
	return r.Offices, nil
}

// changed is when the office's registration last changed.
func (o Office) changed() time.Time {
	t := o.Created
	for _, u := range []*time.Time{o.Revoked, o.Reissued} {
		if u != nil && u.After(t) {
			t = *u
		}
	}
	return t
}

// Recover carries the registry across a restore: into st, just restored from a backup, it writes each
// office of offices (the registry as it was before the restore) that st lacks, and each whose
// registration changed later than st's copy (a token revoked or issued again after the backup), so
// that no office is disabled and no revoked token comes back. It saves note, completed with what it
// did, for the status page, rewrites the registry file and returns the note.
func Recover(st *storage.Store, offices []Office, note RestoreNote) (RestoreNote, error) {
	held, err := ListOffices(st)
	if err != nil {
		return note, err
	}
	byID := map[string]Office{}
	for _, o := range held {
		byID[o.ID] = o
	}
	for _, o := range offices {
		h, ok := byID[o.ID]
		switch {
		case !ok:
			note.Recovered = append(note.Recovered, o.Name)
		case o.changed().After(h.changed()):
			note.Updated = append(note.Updated, o.Name)
		default:
			continue
		}
		if err := st.PutDoc(officeDocs, o.ID, o); err != nil {
			return note, err
		}
		note.Offices = append(note.Offices, o.ID)
	}
	slices.Sort(note.Recovered)
	slices.Sort(note.Updated)
	if err := st.PutDoc(restoreDocs, restoreKey, note); err != nil {
		return note, err
	}
	return note, SaveRegistry(st)
}

// LastRestore returns what the last restore of st did; nil if it was never restored.
func LastRestore(st *storage.Store) (*RestoreNote, error) {
	var n RestoreNote
	err := st.GetDoc(restoreDocs, restoreKey, &n)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &n, nil
}
