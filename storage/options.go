package storage

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// badgerOptions sizes Badger for a 4 GB office PC that also runs the desktop app, not for a server.
// Badger's defaults (64 MiB memtables ×5, a 256 MiB block cache, 1 GiB value-log files, 4 compactors)
// reserve several hundred MiB and a GiB of disk before the first record; a township's whole ledger is
// tens of MiB. The figures behind each choice are in the README's performance section.
func badgerOptions(dir, passphrase string, logger *log.Logger) (badger.Options, error) {
	o := badger.DefaultOptions(dir).
		WithSyncWrites(true). // a save returns only once it is on disk: power cuts are routine
		WithLogger(badgerLogger{logger}).
		WithMetricsEnabled(false).
		WithDetectConflicts(false). // writers are serialised by the store; conflict tracking is wasted memory
		WithMemTableSize(16 << 20). // 16 MiB: a township's whole year of trainings fits in a couple
		WithNumMemtables(2).
		WithNumLevelZeroTables(4).
		WithNumLevelZeroTablesStall(12).
		WithBaseTableSize(4 << 20).
		WithBaseLevelSize(32 << 20).
		WithValueLogFileSize(64 << 20). // 64 MiB value-log files: no 1 GiB preallocation on a small disk
		WithNumCompactors(2).           // the minimum; two cores are common
		WithNumGoroutines(2).
		WithCompression(options.None). // records are small and mostly distinct text; no cache needed
		WithBlockCacheSize(0).         // without compression or encryption blocks are read via mmap
		WithIndexCacheSize(0).         // table indexes stay in memory; they are small at this size
		WithValueThreshold(1 << 10).   // values over 1 KiB (long notes) go to the value log
		WithCompactL0OnClose(true)     // leave a tidy tree for the next open
	if passphrase != "" {
		key, err := deriveKey(dir, passphrase)
		if err != nil {
			return o, err
		}
		// Encryption needs a block cache (blocks are decrypted on read) and an index cache.
		o = o.WithEncryptionKey(key).WithBlockCacheSize(16 << 20).WithIndexCacheSize(8 << 20)
	}
	return o, nil
}

// saltFile holds the random salt of the passphrase key; it is not secret, and without it (or the
// passphrase) the store cannot be read.
const saltFile = "techaid.salt"

// deriveKey turns a passphrase into an AES-256 key with PBKDF2-SHA256 (600,000 iterations, the OWASP
// 2023 figure; about 0.3 s once per open) and the store's own salt, created on first use.
func deriveKey(dir, passphrase string) ([]byte, error) {
	path := filepath.Join(dir, saltFile)
	salt, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		salt = make([]byte, 16)
		_, _ = rand.Read(salt)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create %s: %w", dir, err)
		}
		if err := os.WriteFile(path, salt, 0o600); err != nil {
			return nil, fmt.Errorf("write salt: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read salt: %w", err)
	}
	return pbkdf2.Key(sha256.New, passphrase, salt, 600_000, 32)
}

// badgerLogger passes Badger's warnings and errors on and drops its chatter.
type badgerLogger struct{ l *log.Logger }

func (b badgerLogger) Errorf(f string, a ...any)   { b.l.Printf("badger: "+f, a...) }
func (b badgerLogger) Warningf(f string, a ...any) { b.l.Printf("badger: "+f, a...) }
func (badgerLogger) Infof(string, ...any)          {}
func (badgerLogger) Debugf(string, ...any)         {}
