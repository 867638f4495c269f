package main

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"techaid/cmd/internal/cmdline"
	"techaid/storage"
	"techaid/sync/hub"
)

// A backup is always written by the backup command itself, also while a server holds the store: the
// server streams a consistent snapshot over its admin endpoint and the command writes the file. The
// server never writes outside its data folder, so the sandbox of its systemd unit (ProtectSystem=strict,
// only the data folder writable) is no obstacle, and the file belongs to whoever ran the command.

// backupTrailer carries the outcome of a streamed backup: "complete", or why it failed midway.
const backupTrailer = "X-Techaid-Backup"

func (c *city) backup(args []string) error {
	pos, err := parse(flag.NewFlagSet("backup", flag.ContinueOnError), c, args, 1)
	if err != nil {
		return err
	}
	file, err := backupPath(pos[0], time.Now())
	if err != nil {
		return err
	}
	var epoch string
	err = c.withStore(func(st *storage.Store) error {
		epoch = st.Identity().Replica
		return st.BackupFile(file)
	})
	if errors.Is(err, storage.ErrLocked) {
		var serr error
		if epoch, serr = c.backupFromServer(file); serr != nil {
			if !errors.Is(serr, errNoServer) {
				err = serr
			}
		} else {
			err = nil
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "backed up %s to %s (epoch %s)\n", c.dir, file, epoch)
	return nil
}

// backupPath is the file to write: FILE as given, or in a folder (one that exists, or a name ending in
// a separator) city-YYYY-MM-DD.bak of the day, so that a nightly job needs no shell to name it.
func backupPath(arg string, now time.Time) (string, error) {
	abs, err := filepath.Abs(arg)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	folder := err == nil && fi.IsDir()
	if !folder && (strings.HasSuffix(arg, "/") || strings.HasSuffix(arg, string(filepath.Separator))) {
		return "", fmt.Errorf("backup: no folder %s", abs)
	}
	if folder {
		abs = filepath.Join(abs, "city-"+now.Format("2006-01-02")+".bak")
	}
	return abs, nil
}

var errNoServer = errors.New("no server to ask")

// backupFromServer has the running server stream a backup and writes it to file: under a temporary
// name beside it, synced, and renamed only when the server said the stream was complete.
func (c *city) backupFromServer(file string) (epoch string, err error) {
	if _, err := os.Stat(c.serveFilePath()); err != nil {
		return "", errNoServer // locked, but not by a server we can talk to
	}
	sf, err := c.running()
	if err != nil {
		return "", err
	}
	req, err := http.NewRequest(http.MethodGet, sf.adminURL()+"/admin/backup", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+sf.Secret)
	// No overall timeout: a large store takes as long as it takes; a server that does not answer at all
	// is given up after a minute. The admin endpoint is on loopback, where TLS names the public host.
	cl := &http.Client{Transport: &http.Transport{Proxy: nil, ResponseHeaderTimeout: time.Minute,
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := cl.Do(req)
	if err != nil {
		return "", fmt.Errorf("backup: the running server at %s: %w", sf.adminURL(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return "", fmt.Errorf("backup: the running server: %s (%s)", e.Error, resp.Status)
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".techaid-backup-*")
	if err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, resp.Body)
	if err == nil && resp.Trailer.Get(backupTrailer) != "complete" {
		err = fmt.Errorf("the server's backup did not complete: %q", resp.Trailer.Get(backupTrailer))
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	return resp.Header.Get("X-Techaid-Epoch"), nil
}

// serveBackup streams a consistent backup of st; the trailer says whether it completed.
func serveBackup(w http.ResponseWriter, st *storage.Store) {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("X-Techaid-Epoch", st.Identity().Replica)
	w.Header().Set("Trailer", backupTrailer)
	w.WriteHeader(http.StatusOK)
	status := "complete"
	if err := st.Backup(w); err != nil {
		status = "failed: " + strings.ReplaceAll(err.Error(), "\n", " ")
	}
	w.Header().Set(backupTrailer, status)
}

// restore replaces the data with a backup and carries the office registry across (hub.Recover): the
// registry file of the data being replaced, or the one given with --offices (a copy kept elsewhere,
// when the data folder was lost), so that offices registered after the backup keep working and tokens
// revoked since stay revoked. What it did is printed and kept for the status page.
func (c *city) restore(args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	registry := fs.String("offices", "", "the office registry to carry across (default: "+hub.RegistryFile+" in the data folder)")
	pos, err := parse(fs, c, args, 1)
	if err != nil {
		return err
	}
	note := hub.RestoreNote{At: time.Now().UTC(), Backup: pos[0]}
	if abs, err := filepath.Abs(pos[0]); err == nil {
		note.Backup = abs
	}
	if note.Taken, err = backupTaken(pos[0]); err != nil {
		return err
	}
	path := *registry
	if path == "" {
		path = filepath.Join(c.dir, hub.RegistryFile)
	}
	offices, err := hub.ReadRegistry(path)
	switch {
	case err == nil:
		note.Registry = path
	case *registry != "" || !errors.Is(err, iofs.ErrNotExist):
		return fmt.Errorf("restore: %w", err) // a registry named, or found and unreadable: nothing replaced
	}
	if err := cmdline.Restore(c.stdout, c.dir, pos[0], c.opts, "; offices will resend what the backup lacks"); err != nil {
		return err
	}
	if note.Registry != "" && *registry == "" {
		// The file went with the data folder that was put aside: name the copy that stays.
		if kept, err := filepath.Glob(c.dir + ".before-restore-*"); err == nil && len(kept) > 0 {
			note.Registry = filepath.Join(kept[len(kept)-1], hub.RegistryFile)
		}
	}
	return c.withStore(func(st *storage.Store) error {
		note, err := hub.Recover(st, offices, note)
		if err != nil {
			return fmt.Errorf("restore: the office registry: %w", err)
		}
		switch {
		case note.Registry == "":
			fmt.Fprintf(c.stdout, "没有找到单位登记文件 %s：备份之后登记的单位已丢失，须重新登记（office add）；备份之后停用的令牌须再次停用 (no office registry: offices registered after the backup are lost)\n", path)
		default:
			fmt.Fprintf(c.stdout, "单位登记按 %s 恢复：备份之后登记的 %d 个单位%s，备份之后停用或重发令牌的 %d 个单位%s (offices carried across from the registry)\n",
				note.Registry, len(note.Recovered), listed(note.Recovered), len(note.Updated), listed(note.Updated))
		}
		return nil
	})
}

func listed(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return "（" + strings.Join(names, "、") + "）"
}

// backupTaken reads when a backup was taken from its header.
func backupTaken(file string) (time.Time, error) {
	f, err := os.Open(file)
	if err != nil {
		return time.Time{}, fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	h, err := storage.ReadBackupHeader(bufio.NewReader(f))
	if err != nil {
		return time.Time{}, fmt.Errorf("restore %s: %w", file, err)
	}
	return h.Taken, nil
}
