package client

import (
	"errors"
	"fmt"

	"techaid/storage"
)

// Remembered is the hub address and token an office keeps in its own store (not synced), so that sync
// after the first needs no flags. techaid-cli and the desktop app read and write the same documents.
type Remembered struct {
	City  string
	Token string
	// Plain says the clerk accepted an unencrypted address (ws:// or http://) to another machine: the
	// app's confirmation, techaid-cli's --insecure. It belongs to City and is forgotten with it.
	Plain bool
}

// The address and the token are two documents: the token sealed (seal.go), or, only where no key could
// be had, in plain bytes under a name of its own so that it can be purged once it is sealed. Versions
// before the sealed token kept both in one document, config/sync, read once and purged.
const (
	rememberDocs = "config"
	hubDoc       = "hub"         // hubDocument
	tokenDoc     = "token"       // sealedToken
	plainDoc     = "plain-token" // the token in plain bytes: no key could be had
	oldDoc       = "sync"        // {"city", "token"} of older versions
)

type hubDocument struct {
	City  string `json:"city"`
	Plain bool   `json:"plain,omitempty"`
}

type sealedToken struct {
	Sealed []byte `json:"sealed"`
	Keeper string `json:"keeper"` // how: "dpapi" or "keyfile"
}

type plainToken struct {
	Token string `json:"token"`
	Why   string `json:"why"` // why it could not be sealed
}

// LoadRemembered reads the remembered address and token; both are "" if none was ever given. A token
// this user cannot unseal (the data folder came from another PC or user) is "" with ErrTokenUnreadable:
// the address is still returned, the sealed token stays where it is, and the clerk gives the token
// again. A token an older version kept in plain bytes is sealed now, and the plain bytes purged.
func LoadRemembered(st *storage.Store) (Remembered, error) {
	var r Remembered
	var hd hubDocument
	err := st.GetDoc(rememberDocs, hubDoc, &hd)
	if errors.Is(err, storage.ErrNotFound) {
		return loadOld(st)
	}
	if err != nil {
		return r, err
	}
	r.City, r.Plain = hd.City, hd.Plain
	var sealed sealedToken
	switch err := st.GetDoc(rememberDocs, tokenDoc, &sealed); {
	case err == nil && len(sealed.Sealed) > 0:
		tok, err := unseal(sealed.Sealed, sealed.Keeper)
		if err != nil {
			return r, err
		}
		r.Token = string(tok)
		return r, purgePlain(st, false) // left behind if a crash came between sealing and purging
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		return r, err
	}
	var plain plainToken
	if err := st.GetDoc(rememberDocs, plainDoc, &plain); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return r, err
	}
	r.Token = plain.Token
	if r.Token != "" {
		if _, err := Remember(st, r); err != nil { // sealed, if a key can be had by now
			return r, err
		}
	}
	return r, nil
}

// loadOld reads the one document of older versions and moves it to the new ones.
func loadOld(st *storage.Store) (Remembered, error) {
	var old struct {
		City  string `json:"city"`
		Token string `json:"token"`
	}
	if err := st.GetDoc(rememberDocs, oldDoc, &old); errors.Is(err, storage.ErrNotFound) {
		return Remembered{}, nil
	} else if err != nil {
		return Remembered{}, err
	}
	r := Remembered{City: old.City, Token: old.Token}
	if _, err := Remember(st, r); err != nil {
		return r, err
	}
	return r, nil
}

// Remember stores the address and the token, the token sealed for this user. It returns a sentence
// for the clerk when the token could not be sealed and is kept in plain bytes, with why. Nothing is
// lost on the way: the new documents are written before anything older is purged.
func Remember(st *storage.Store, r Remembered) (warning string, err error) {
	if err := st.PutDoc(rememberDocs, hubDoc, hubDocument{City: r.City, Plain: r.Plain}); err != nil {
		return "", err
	}
	var plainLeft bool
	switch sealed, serr := seal([]byte(r.Token)); {
	case r.Token == "":
		if err := st.PutDoc(rememberDocs, tokenDoc, sealedToken{}); err != nil {
			return "", err
		}
	case serr != nil:
		if err := st.PutDoc(rememberDocs, plainDoc, plainToken{Token: r.Token, Why: serr.Error()}); err != nil {
			return "", err
		}
		plainLeft = true
		warning = fmt.Sprintf("无法加密保存令牌（%v），令牌未加密保存在数据文件夹中；其他能读取这个文件夹的人可以看到它。", serr)
	default:
		if err := st.PutDoc(rememberDocs, tokenDoc, sealedToken{Sealed: sealed, Keeper: keeper}); err != nil {
			return "", err
		}
	}
	return warning, purgePlain(st, plainLeft)
}

// purgePlain purges what held the token in plain bytes: the document of older versions, and unless
// keepPlain, a plain token kept while no key could be had. What is not there is skipped (a purge
// costs a flush of Badger's memtable).
func purgePlain(st *storage.Store, keepPlain bool) error {
	for _, name := range []string{oldDoc, plainDoc} {
		if name == plainDoc && keepPlain {
			continue
		}
		var doc map[string]any
		if err := st.GetDoc(rememberDocs, name, &doc); errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err := st.PurgeDoc(rememberDocs, name); err != nil {
			return err
		}
	}
	return nil
}
