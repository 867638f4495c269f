//go:build !windows

package client

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// keeper names how a token was sealed, so that a store carried to another system says why it cannot
// be unsealed.
const keeper = "keyfile"

// keyPath is the user's token key: in the configuration folder, never in the data folder.
func keyPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "techaid", "token.key"), nil
}

// userKey reads the user's key, creating it if create is set and there is none.
func userKey(create bool) ([]byte, error) {
	path, err := keyPath()
	if err != nil {
		return nil, err
	}
	key, err := readKey(path)
	if !errors.Is(err, fs.ErrNotExist) || !create {
		return key, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	// O_EXCL: two programs of this user creating it at once agree on the first one's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readKey(path)
	}
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString(hex.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	return key, nil
}

func readKey(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("%s: not a token key (want 64 hex digits)", path)
	}
	return key, nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal encrypts plain with the user's key (made on first use): a random nonce, then the ciphertext.
func seal(plain []byte) ([]byte, error) {
	key, err := userKey(true)
	if err != nil {
		return nil, fmt.Errorf("the user's token key: %w", err)
	}
	aead, err := gcm(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, plain, tokenAAD), nil
}

// unseal reverses seal; it fails without the key that sealed it.
func unseal(sealed []byte, how string) ([]byte, error) {
	if how != keeper {
		return nil, fmt.Errorf("%w: sealed with %s on another system", ErrTokenUnreadable, how)
	}
	key, err := userKey(false)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTokenUnreadable, err)
	}
	aead, err := gcm(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, fmt.Errorf("%w: too short", ErrTokenUnreadable)
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], tokenAAD)
	if err != nil {
		return nil, fmt.Errorf("%w: sealed with another key (another user or PC)", ErrTokenUnreadable)
	}
	return plain, nil
}
