package main

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"techaid/cmd/internal/cmdline"
	"techaid/storage"
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

func (c *city) restore(args []string) error {
	pos, err := parse(flag.NewFlagSet("restore", flag.ContinueOnError), c, args, 1)
	if err != nil {
		return err
	}
	return cmdline.Restore(c.stdout, c.dir, pos[0], c.opts, "; offices will resend what the backup lacks")
}
