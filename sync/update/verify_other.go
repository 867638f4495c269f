//go:build !windows

package update

import "errors"

// verifySignature, away from Windows, can only see that a signature is there: checking it needs
// Windows' own trust store (WinVerifyTrust). A Linux office never installs a Windows installer; this
// keeps Fetch's rule (a release said to be signed must carry a signature) the same everywhere.
func verifySignature(path string) error {
	ok, err := HasSignature(path)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("no signature")
	}
	return nil
}
