package storage

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"techaid/ledger"
	"techaid/query"
)

// A backup is one file: a header line naming what it is, then Badger's backup stream of every key.
const backupMagic = "TECHAID-BACKUP 1"

// ErrNotBackup is returned when a file handed to Restore is not a techaid backup.
var ErrNotBackup = errors.New("not a techaid backup file")

// BackupHeader describes a backup file.
type BackupHeader struct {
	Format  int         `json:"format"`
	Replica string      `json:"replica"`
	Scope   ledger.Code `json:"scope"`
	Taken   time.Time   `json:"taken"`
	// Salt is set when the backup is encrypted (the store was): the key is derived from the
	// passphrase and this salt, and the stream after the header is sealed (sealed.go).
	Salt []byte `json:"salt,omitempty"`
}

// Backup writes a consistent copy of the whole store to w while it stays in use.
func (s *Store) Backup(w io.Writer) error {
	id := s.Identity()
	h := BackupHeader{Format: FormatVersion, Replica: id.Replica, Scope: id.Scope, Taken: time.Now().UTC()}
	bw := bufio.NewWriter(w)
	var body io.Writer = bw
	var sealer *sealWriter
	if s.passphrase != "" { // the backup of an encrypted store is encrypted with the same passphrase
		h.Salt = make([]byte, 16)
		_, _ = rand.Read(h.Salt)
		key, err := keyFrom(s.passphrase, h.Salt)
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		if sealer, err = newSealWriter(bw, key); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		body = sealer
	}
	line, _ := json.Marshal(h)
	fmt.Fprintf(bw, "%s %s\n", backupMagic, line)
	sum := sha256.New()
	if _, err := s.db.Backup(io.MultiWriter(body, sum), 0); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// The end mark: Badger's stream has no end of its own, so a file cut short between two of its
	// frames would otherwise restore without complaint, and without the frames after the cut.
	body.Write(binary.LittleEndian.AppendUint64(nil, endFrame))
	body.Write(sum.Sum(nil))
	if sealer != nil {
		if err := sealer.Close(); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// endFrame is the frame length that marks the end of a backup; the SHA-256 of the stream before it
// follows. Badger never writes a frame of that length.
const endFrame = math.MaxUint64

// maxFrame bounds one frame of Badger's backup stream (Badger aims at 100 MiB). Badger's Load trusts
// the length prefix, so a damaged one would make it allocate, or slice out of range and panic.
const maxFrame = 1 << 30

// frameReader hands a backup stream on to Badger's Load frame by frame, checking each length, the end
// mark and the checksum, so that a damaged or incomplete backup is an error and never a panic or a
// silently partial restore.
type frameReader struct {
	r    io.Reader
	sum  hash.Hash
	buf  []byte // the current frame's length prefix, not yet handed on
	left uint64 // bytes of the current frame not yet handed on
	done bool
}

func (f *frameReader) Read(p []byte) (int, error) {
	if len(f.buf) == 0 && f.left == 0 {
		if f.done {
			return 0, io.EOF
		}
		var prefix [8]byte
		if _, err := io.ReadFull(f.r, prefix[:]); err != nil {
			if errors.Is(err, errSealed) {
				return 0, err
			}
			return 0, fmt.Errorf("%w: it ends without its end mark (cut short?)", errDamagedBackup)
		}
		n := binary.LittleEndian.Uint64(prefix[:])
		if n == endFrame {
			want := make([]byte, sha256.Size)
			if _, err := io.ReadFull(f.r, want); err != nil || !bytes.Equal(want, f.sum.Sum(nil)) {
				return 0, fmt.Errorf("%w: checksum mismatch", errDamagedBackup)
			}
			if n, _ := f.r.Read(make([]byte, 1)); n != 0 {
				return 0, fmt.Errorf("%w: data after the end mark", errDamagedBackup)
			}
			f.done = true
			return 0, io.EOF
		}
		if n > maxFrame {
			return 0, fmt.Errorf("%w: a frame of %d bytes", errDamagedBackup, n)
		}
		f.sum.Write(prefix[:])
		f.buf, f.left = prefix[:], n
	}
	if len(f.buf) > 0 {
		n := copy(p, f.buf)
		f.buf = f.buf[n:]
		return n, nil
	}
	if uint64(len(p)) > f.left {
		p = p[:f.left]
	}
	n, err := f.r.Read(p)
	f.sum.Write(p[:n])
	f.left -= uint64(n)
	if err == io.EOF {
		err = fmt.Errorf("%w: it ends inside a frame (cut short?)", errDamagedBackup)
	}
	return n, err
}

var errDamagedBackup = errors.New("the backup is damaged or incomplete")

// BackupFile writes a backup to path atomically: a temporary file, synced, then renamed.
func (s *Store) BackupFile(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".techaid-backup-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := s.Backup(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("backup: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

// ReadBackupHeader reads and checks a backup's header line.
func ReadBackupHeader(r *bufio.Reader) (BackupHeader, error) {
	var h BackupHeader
	line, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, backupMagic+" ") {
		return h, ErrNotBackup
	}
	if err := json.Unmarshal([]byte(line[len(backupMagic)+1:]), &h); err != nil {
		return h, fmt.Errorf("%w: bad header: %v", ErrNotBackup, err)
	}
	if h.Format > FormatVersion {
		return h, fmt.Errorf("backup format %d: %w", h.Format, ErrNewerFormat)
	}
	return h, nil
}

// Restore replaces the store in dir (which must not be open) with the backup in file. The restore is
// built beside dir and swapped in only when complete; the previous data is kept beside it, renamed,
// and its name returned. The restored store becomes a new replica with nothing acknowledged, so sync
// offers the city everything again (the city ignores what it already has) and nothing written after the
// backup that the city holds is shadowed by reused sequence numbers.
func Restore(dir, file string, opts Options) (kept string, err error) {
	f, err := os.Open(file)
	if err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	h, err := ReadBackupHeader(r)
	if err != nil {
		return "", fmt.Errorf("restore %s: %w", file, err)
	}
	var body io.Reader = r
	if h.Salt != nil {
		if opts.Passphrase == "" {
			return "", fmt.Errorf("restore %s: the backup is encrypted and no passphrase was given: %w", file, ErrPassphrase)
		}
		key, err := keyFrom(opts.Passphrase, h.Salt)
		if err != nil {
			return "", fmt.Errorf("restore: %w", err)
		}
		if body, err = newOpenReader(r, key); err != nil {
			return "", fmt.Errorf("restore: %w", err)
		}
	}
	stamp := time.Now().Format("20060102-150405")
	tmp := dir + ".restoring-" + stamp
	if err := os.RemoveAll(tmp); err != nil {
		return "", err
	}
	if err := load(tmp, body, opts); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if _, err := os.Stat(dir); err == nil {
		// Refuse while another program has the store open: its lock would be renamed away under it.
		probe, err := Open(dir, opts)
		if err != nil && !errors.Is(err, ErrPassphrase) {
			os.RemoveAll(tmp)
			return "", fmt.Errorf("restore: %w", err)
		}
		if probe != nil {
			probe.Close()
		}
		kept = dir + ".before-restore-" + stamp
		if err := os.Rename(dir, kept); err != nil {
			os.RemoveAll(tmp)
			return "", fmt.Errorf("restore: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("restore: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return kept, fmt.Errorf("restore: %w", err)
	}
	return kept, nil
}

// load fills a new store in dir from a backup stream and makes it a new replica.
func load(dir string, r io.Reader, opts Options) error {
	makePrivate(dir) // a new folder: only the umask is wanted
	bopts, err := badgerOptions(dir, opts.Passphrase, opts.logger())
	if err != nil {
		return err
	}
	db, err := badger.Open(bopts)
	if err != nil {
		return translateOpenError(dir, err)
	}
	if err := db.Load(&frameReader{r: r, sum: sha256.New()}, 256); err != nil {
		db.Close()
		if errors.Is(err, errSealed) {
			return fmt.Errorf("restore: %w: %v", ErrPassphrase, err)
		}
		return fmt.Errorf("restore: the backup is damaged: %w", err)
	}
	err = db.Update(func(txn *badger.Txn) error {
		var id query.Identity
		var cnt counters
		if err := getJSON(txn, metaIdentity, &id); err != nil {
			return err
		}
		if err := getJSON(txn, metaCounters, &cnt); err != nil {
			return err
		}
		if id.Replica == "" {
			return fmt.Errorf("restore: %w: it holds no store identity", ErrNotBackup)
		}
		id.Replica = NewID()
		cnt.Acked = 0
		if err := setJSON(txn, metaIdentity, id); err != nil {
			return err
		}
		return setJSON(txn, metaCounters, cnt)
	})
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}
