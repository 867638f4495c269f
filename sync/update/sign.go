package update

import (
	"debug/pe"
	"errors"
)

// HasSignature reports whether the Windows program or installer at path carries an Authenticode
// signature (a certificate table): techaid-city release add marks such a release signed, and every
// office then requires the signature to check (verifySignature) before it installs.
func HasSignature(path string) (bool, error) {
	f, err := pe.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	dir, err := securityDir(f)
	if err != nil {
		return false, err
	}
	return dir.Size > 0 && dir.VirtualAddress > 0, nil
}

func securityDir(f *pe.File) (pe.DataDirectory, error) {
	const security = 4 // IMAGE_DIRECTORY_ENTRY_SECURITY
	switch h := f.OptionalHeader.(type) {
	case *pe.OptionalHeader64:
		if h.NumberOfRvaAndSizes > security {
			return h.DataDirectory[security], nil
		}
	case *pe.OptionalHeader32:
		if h.NumberOfRvaAndSizes > security {
			return h.DataDirectory[security], nil
		}
	default:
		return pe.DataDirectory{}, errors.New("not a Windows program")
	}
	return pe.DataDirectory{}, nil
}
