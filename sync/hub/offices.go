package hub

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"techaid/ledger"
	"techaid/storage"
)

// Office is one office the city registered: a name, the scope its token carries and the token's hash.
// The token itself is shown once, when the office is added, and never stored. The registration (its ID)
// is the office's identity: its PCs' replica ids are bound to it. A revoked office added again with the
// same name and scope keeps its registration and gets a new token (Reissued), so its PCs stay its own;
// the tokens it had before stay revoked (Retired).
type Office struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	Scope     ledger.Code `json:"scope"`
	TokenHash string      `json:"token_hash"`
	Created   time.Time   `json:"created"`
	Revoked   *time.Time  `json:"revoked,omitempty"`
	Reissued  *time.Time  `json:"reissued,omitempty"`
	Retired   []string    `json:"retired,omitempty"` // hashes of the tokens revoked before the current one
}

const officeDocs = "office"

// ErrOfficeExists and ErrNoOffice are the registry's errors, with the sentence the city's staff read.
var (
	ErrOfficeExists = ledger.ClerkError("an office of that name exists", "已有同名单位")
	ErrNoOffice     = ledger.ClerkError("no such office", "没有这个单位")
)

// HashToken is how tokens are kept: SHA-256, hex. Tokens carry 160 random bits, so a plain hash is
// enough (no password stretching is needed for a secret nobody chose).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newToken returns a random token: 20 bytes, base32, lower case, in groups a clerk can read out.
func newToken() string {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	s := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
	return s[:8] + "-" + s[8:16] + "-" + s[16:24] + "-" + s[24:]
}

// AddOffice registers an office and returns it with its token (the only time the token is seen). For a
// revoked office of that name and scope it issues a new token to the same registration (see Office).
func AddOffice(st *storage.Store, name string, scope ledger.Code, now time.Time) (Office, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return Office{}, "", errors.New("office name: 1 to 100 bytes")
	}
	if scope.Level() == ledger.LevelInvalid || scope.Level() == ledger.LevelVillage {
		return Office{}, "", fmt.Errorf("scope %q: a city, county or township code", scope)
	}
	if hub := st.Identity().Scope; !hub.Contains(scope) {
		return Office{}, "", fmt.Errorf("scope %s lies outside the city %s", scope, hub)
	}
	offices, err := ListOffices(st)
	if err != nil {
		return Office{}, "", err
	}
	var again *Office
	for _, o := range offices {
		if o.Name == name && o.Revoked == nil {
			return Office{}, "", fmt.Errorf("%q: %w", name, ErrOfficeExists)
		}
		if o.Name == name && o.Scope == scope {
			again = &o // the latest revoked registration of this office (offices are oldest first)
		}
	}
	token := newToken()
	o := Office{ID: storage.NewID(), Name: name, Scope: scope, TokenHash: HashToken(token), Created: now.UTC()}
	if again != nil {
		t := now.UTC()
		o = *again
		o.Retired = append(slices.Clone(o.Retired), o.TokenHash)
		o.TokenHash, o.Revoked, o.Reissued = HashToken(token), nil, &t
	}
	if err := st.PutDoc(officeDocs, o.ID, o); err != nil {
		return Office{}, "", err
	}
	if err := SaveRegistry(st); err != nil {
		return Office{}, "", err
	}
	return o, token, nil
}

// ListOffices returns every registered office, revoked ones too, oldest first.
func ListOffices(st *storage.Store) ([]Office, error) {
	var out []Office
	err := st.Docs(officeDocs, func(_ string, raw []byte) error {
		var o Office
		if err := json.Unmarshal(raw, &o); err != nil {
			return err
		}
		out = append(out, o)
		return nil
	})
	slices.SortFunc(out, func(a, b Office) int { return a.Created.Compare(b.Created) })
	return out, err
}

// RevokeOffice revokes the token of the office with that name or id.
func RevokeOffice(st *storage.Store, nameOrID string, now time.Time) (Office, error) {
	offices, err := ListOffices(st)
	if err != nil {
		return Office{}, err
	}
	for _, o := range offices {
		if (o.ID == nameOrID || o.Name == nameOrID) && o.Revoked == nil {
			t := now.UTC()
			o.Revoked = &t
			if err := st.PutDoc(officeDocs, o.ID, o); err != nil {
				return o, err
			}
			return o, SaveRegistry(st)
		}
	}
	return Office{}, fmt.Errorf("%q: %w", nameOrID, ErrNoOffice)
}
