package storage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A backup of an encrypted store is encrypted too: a backup on a USB stick must not be the plain copy
// of a store that is encrypted on the PC. The stream is cut into chunks of sealChunk bytes, each sealed
// with AES-256-GCM under a key derived from the passphrase and the backup's own salt; a chunk's nonce is
// its index and its additional data says whether it is the last, so chunks cannot be reordered, dropped
// or cut off without the restore noticing (the STREAM construction of Hoang, Reyhanitabar, Rogaway and
// Vizár, 2015).

const sealChunk = 64 << 10

// keyFrom derives an AES-256 key from a passphrase (PBKDF2-SHA256, 600,000 rounds, OWASP 2023).
func keyFrom(passphrase string, salt []byte) ([]byte, error) {
	return pbkdf2.Key(sha256.New, passphrase, salt, 600_000, 32)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func chunkNonce(aead cipher.AEAD, i uint64) []byte {
	nonce := make([]byte, aead.NonceSize())
	binary.BigEndian.PutUint64(nonce[len(nonce)-8:], i)
	return nonce
}

func finalAD(last bool) []byte {
	if last {
		return []byte{1}
	}
	return []byte{0}
}

// sealWriter encrypts what is written to it; Close seals the last chunk and must be called.
type sealWriter struct {
	w    io.Writer
	aead cipher.AEAD
	buf  []byte
	n    uint64
}

func newSealWriter(w io.Writer, key []byte) (*sealWriter, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	return &sealWriter{w: w, aead: aead, buf: make([]byte, 0, sealChunk)}, nil
}

func (s *sealWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		if len(s.buf) == sealChunk {
			if err := s.seal(false); err != nil {
				return written, err
			}
		}
		k := copy(s.buf[len(s.buf):sealChunk], p)
		s.buf = s.buf[:len(s.buf)+k]
		p = p[k:]
		written += k
	}
	return written, nil
}

func (s *sealWriter) seal(last bool) error {
	out := s.aead.Seal(make([]byte, 4, 4+len(s.buf)+s.aead.Overhead()), chunkNonce(s.aead, s.n), s.buf, finalAD(last))
	binary.BigEndian.PutUint32(out, uint32(len(out)-4))
	s.n++
	s.buf = s.buf[:0]
	_, err := s.w.Write(out)
	return err
}

func (s *sealWriter) Close() error { return s.seal(true) }

// errSealed is a sealed stream that does not decrypt: a wrong passphrase, or a damaged or cut file.
var errSealed = errors.New("the encrypted backup does not decrypt: wrong passphrase, or the file is damaged or incomplete")

// openReader decrypts what a sealWriter wrote.
type openReader struct {
	r    io.Reader
	aead cipher.AEAD
	buf  []byte
	n    uint64
	done bool
}

func newOpenReader(r io.Reader, key []byte) (*openReader, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	return &openReader{r: r, aead: aead}, nil
}

func (o *openReader) Read(p []byte) (int, error) {
	for len(o.buf) == 0 {
		if o.done {
			return 0, io.EOF
		}
		if err := o.next(); err != nil {
			return 0, err
		}
	}
	k := copy(p, o.buf)
	o.buf = o.buf[k:]
	return k, nil
}

func (o *openReader) next() error {
	var size [4]byte
	if _, err := io.ReadFull(o.r, size[:]); err != nil {
		return fmt.Errorf("%w (chunk %d: %v)", errSealed, o.n, err)
	}
	n := binary.BigEndian.Uint32(size[:])
	if n > sealChunk+uint32(o.aead.Overhead()) {
		return fmt.Errorf("%w (chunk %d of %d bytes)", errSealed, o.n, n)
	}
	sealed := make([]byte, n)
	if _, err := io.ReadFull(o.r, sealed); err != nil {
		return fmt.Errorf("%w (chunk %d: %v)", errSealed, o.n, err)
	}
	for _, last := range []bool{false, true} {
		plain, err := o.aead.Open(nil, chunkNonce(o.aead, o.n), sealed, finalAD(last))
		if err == nil {
			o.buf, o.done = plain, last
			o.n++
			return nil
		}
	}
	return fmt.Errorf("%w (chunk %d)", errSealed, o.n)
}
