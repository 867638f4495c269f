//go:build windows

package client

import (
	"fmt"
	"slices"
	"unsafe"

	"golang.org/x/sys/windows"
)

// keeper names how a token was sealed, so that a store carried to another system says why it cannot
// be unsealed.
const keeper = "dpapi"

func blob(b []byte) *windows.DataBlob {
	if len(b) == 0 {
		return &windows.DataBlob{}
	}
	return &windows.DataBlob{Size: uint32(len(b)), Data: &b[0]}
}

// seal protects plain with DPAPI for the current Windows user.
func seal(plain []byte) ([]byte, error) {
	var out windows.DataBlob
	err := windows.CryptProtectData(blob(plain), nil, blob(tokenAAD), 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out)
	if err != nil {
		return nil, fmt.Errorf("DPAPI: %w", err)
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return slices.Clone(unsafe.Slice(out.Data, out.Size)), nil
}

// unseal reverses seal; it fails for another user or another PC.
func unseal(sealed []byte, how string) ([]byte, error) {
	if how != keeper {
		return nil, fmt.Errorf("%w: sealed with %s, this is Windows", ErrTokenUnreadable, how)
	}
	var out windows.DataBlob
	err := windows.CryptUnprotectData(blob(sealed), nil, blob(tokenAAD), 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out)
	if err != nil {
		return nil, fmt.Errorf("%w: DPAPI: %v", ErrTokenUnreadable, err)
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return slices.Clone(unsafe.Slice(out.Data, out.Size)), nil
}
