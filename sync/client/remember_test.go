package client_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/synctest"
)

// The token of the tests: its bytes are searched for in the store's files.
const token = "k7wq2xzb-m4nt6pjr-c3vh5sdy-e2gu7lfa"

// inFiles names the files under dir that hold needle in their bytes.
func inFiles(t *testing.T, dir string, needle string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(raw, []byte(needle)) {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// userConfig points this process's user configuration folder (where the token key lives) at a new
// folder: another user, as far as sealing is concerned. Tests that call it are not parallel.
func userConfig(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("Windows seals with DPAPI: the user is the Windows account")
	}
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	return dir
}

// open opens the store in dir, closing it when the test ends (a second Close is harmless).
func open(t *testing.T, dir string) *storage.Store {
	t.Helper()
	return synctest.Open(t, dir, "370323102", "张敏", storage.Options{})
}

// The remembered token is sealed with the user's key, which lives outside the data folder: no file of
// the store and no backup holds it, and the store gives it back when reopened by the same user.
func TestTokenSealed(t *testing.T) {
	conf := userConfig(t)
	dir := filepath.Join(t.TempDir(), "data")
	st := open(t, dir)
	warning, err := client.Remember(st, client.Remembered{City: "kjj.zibo.gov.cn:8750", Token: token})
	if err != nil || warning != "" {
		t.Fatalf("Remember: %q, %v", warning, err)
	}
	backup := filepath.Join(t.TempDir(), "lucun.backup")
	if err := st.BackupFile(backup); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if found := append(inFiles(t, dir, token), inFiles(t, filepath.Dir(backup), token)...); len(found) > 0 {
		t.Errorf("the token in plain bytes in %v", found)
	}
	key := filepath.Join(conf, "techaid", "token.key")
	for path, want := range map[string]fs.FileMode{key: 0o600, filepath.Dir(key): 0o700} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v (%v), want %#o", path, fi.Mode().Perm(), err, want)
		}
	}
	st = open(t, dir)
	if r, err := client.LoadRemembered(st); err != nil || r.Token != token || r.City != "kjj.zibo.gov.cn:8750" || r.Plain {
		t.Errorf("LoadRemembered after reopening: %+v, %v", r, err)
	}
}

// A store written by an older version held the token in plain bytes in one document. Reading it seals
// the token and purges every version of the old document from the store's files.
func TestTokenOfOlderVersionPurged(t *testing.T) {
	userConfig(t)
	dir := filepath.Join(t.TempDir(), "data")
	st := open(t, dir)
	old := map[string]string{"city": "ws://127.0.0.1:8750", "token": token}
	if err := st.PutDoc("config", "sync", old); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if len(inFiles(t, dir, token)) == 0 {
		t.Fatal("the old document's token is in no file of the store: the search cannot see it")
	}
	st = open(t, dir)
	r, err := client.LoadRemembered(st)
	if err != nil || r.Token != token || r.City != old["city"] {
		t.Fatalf("LoadRemembered of an older store: %+v, %v", r, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if found := inFiles(t, dir, token); len(found) > 0 {
		t.Errorf("after reading it, the token is still in plain bytes in %v", found)
	}
	st = open(t, dir)
	if r, err := client.LoadRemembered(st); err != nil || r.Token != token {
		t.Errorf("LoadRemembered after the move: %+v, %v", r, err)
	}
}

// A data folder read by another user (or copied to another PC) cannot unseal the token: it says so,
// keeps the address, and keeps the sealed token for its owner; a token given again is sealed anew.
func TestTokenOfAnotherUser(t *testing.T) {
	owner := userConfig(t)
	dir := filepath.Join(t.TempDir(), "data")
	st := open(t, dir)
	if _, err := client.Remember(st, client.Remembered{City: "kjj.zibo.gov.cn", Token: token}); err != nil {
		t.Fatal(err)
	}
	userConfig(t) // another user
	r, err := client.LoadRemembered(st)
	if !errors.Is(err, client.ErrTokenUnreadable) || r.Token != "" || r.City != "kjj.zibo.gov.cn" {
		t.Fatalf("another user's LoadRemembered: %+v, %v; want the address and ErrTokenUnreadable", r, err)
	}
	if s := client.Chinese(err); s == "" || !bytes.Contains([]byte(s), []byte("重新填写令牌")) {
		t.Errorf("the clerk is told %q", s)
	}
	t.Setenv("XDG_CONFIG_HOME", owner)
	if r, err := client.LoadRemembered(st); err != nil || r.Token != token {
		t.Errorf("the owner after another user looked: %+v, %v", r, err)
	}
}

// Where no key can be made (the configuration folder is not writable), the token is kept in plain bytes
// with a warning rather than lost; once a key can be had it is sealed and the plain bytes purged.
func TestTokenWithoutKey(t *testing.T) {
	conf := userConfig(t)
	blocked := filepath.Join(conf, "not-a-folder")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CONFIG_HOME", blocked)
	dir := filepath.Join(t.TempDir(), "data")
	st := open(t, dir)
	warning, err := client.Remember(st, client.Remembered{City: "kjj.zibo.gov.cn", Token: token})
	if err != nil || !bytes.Contains([]byte(warning), []byte("未加密")) {
		t.Fatalf("Remember without a key: %q, %v; want a warning", warning, err)
	}
	if r, err := client.LoadRemembered(st); err != nil || r.Token != token {
		t.Fatalf("LoadRemembered without a key: %+v, %v", r, err)
	}
	t.Setenv("XDG_CONFIG_HOME", conf)
	if r, err := client.LoadRemembered(st); err != nil || r.Token != token {
		t.Fatalf("LoadRemembered with a key again: %+v, %v", r, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if found := inFiles(t, dir, token); len(found) > 0 {
		t.Errorf("sealed once a key could be had, but still in plain bytes in %v", found)
	}
}
