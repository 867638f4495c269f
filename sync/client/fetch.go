package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"techaid/evidence"
	"techaid/ledger"
	"techaid/sync/protocol"
)

// ErrNotAtCity is Fetch's error when the city does not hold the file yet: the office that attached it
// has not sent it. Trying later may succeed.
var ErrNotAtCity = errors.New("the city does not hold the file yet")

// ErrFetchRefused is Fetch's error when the hub refuses this office the file (a record it does not
// receive, or one that does not list the file).
var ErrFetchRefused = errors.New("the city refused the file")

// EvidenceURL is the http:// or https:// address of an evidence file on the hub whose sync address is
// hub, as listed by record kind/id (PROTOCOL.md 15.4).
func EvidenceURL(hub string, kind ledger.Kind, id, hash string) string {
	u := strings.TrimSpace(hub)
	scheme := "https://"
	for prefix, s := range map[string]string{"ws://": "http://", "http://": "http://", "wss://": "https://", "https://": "https://"} {
		if rest, ok := strings.CutPrefix(u, prefix); ok {
			scheme, u = s, rest
			break
		}
	}
	u = strings.TrimSuffix(strings.TrimRight(u, "/"), protocol.Path)
	return scheme + u + protocol.EvidencePath + hash + "?" + url.Values{"kind": {string(kind)}, "id": {id}}.Encode()
}

// fetchPiece is how much of a file one request asks for: each piece is stored durably before the
// next is asked for, so a cut costs at most one piece.
const fetchPiece = 256 << 10

// Fetch brings the evidence file hash, listed by the record kind/id, from the city into the store,
// when someone opens it here. It goes on from what an earlier, cut, fetch stored; the file is kept only
// once whole, with its SHA-256 and its content checked (evidence.Check), and is never sent back up. A
// file already here returns at once. progress, if not nil, hears the bytes held of the whole.
func (c *Client) Fetch(ctx context.Context, kind ledger.Kind, id, hash string, progress func(done, total int64)) error {
	if Plain(c.cfg.URL) && !c.cfg.Plain {
		return fmt.Errorf("%s: %w", URL(c.cfg.URL), ErrPlain)
	}
	if err := protocol.CheckSHA256(hash); err != nil {
		return err
	}
	var size int64
	items, err := c.st.EvidenceOf(id)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", hash, err)
	}
	for _, it := range items {
		if it.Hash == hash {
			size = it.Size
		}
	}
	if size <= 0 {
		return fmt.Errorf("fetch %s: the record %s does not list it here", hash, id)
	}
	held := int64(0)
	if b, err := c.st.EvidenceBlob(hash); err == nil {
		if b.Complete() {
			return nil
		}
		held = b.Received
	}
	client := &http.Client{}
	verify := func(data []byte) (string, error) {
		info, err := evidence.Check(data)
		return info.Type, err
	}
	for held < size {
		if progress != nil {
			progress(held, size)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, EvidenceURL(c.cfg.URL, kind, id, hash), nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", held, min(size, held+fetchPiece)-1))
		req.Header.Set("If-Range", `"`+hash+`"`)
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("fetch %s: %w", hash, err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, fetchPiece+1))
		_ = resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusNotFound:
			return fmt.Errorf("fetch %s: %w", hash, ErrNotAtCity)
		case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized:
			return fmt.Errorf("fetch %s: %s: %w", hash, strings.TrimSpace(string(data)), ErrFetchRefused)
		case resp.StatusCode == http.StatusOK && held > 0:
			return fmt.Errorf("fetch %s: the hub sent the whole file for a range", hash)
		case resp.StatusCode != http.StatusPartialContent && resp.StatusCode != http.StatusOK:
			return fmt.Errorf("fetch %s: %s", hash, resp.Status)
		case err != nil:
			return fmt.Errorf("fetch %s: %w", hash, err)
		case len(data) == 0 || len(data) > fetchPiece:
			return fmt.Errorf("fetch %s: %d bytes for a piece", hash, len(data))
		}
		if held, err = c.st.PutEvidenceChunk(ctx, hash, size, held, data, verify); err != nil {
			return fmt.Errorf("fetch %s: %w", hash, err)
		}
	}
	if progress != nil {
		progress(size, size)
	}
	return nil
}
