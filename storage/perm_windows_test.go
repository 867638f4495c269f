//go:build windows

package storage

import "testing"

// On Windows the data folder is private when it lies in the user's profile; one elsewhere is reported.
// This file builds for Windows only: it was run under wine (see RELIABILITY.md), not in make test.
func TestOutsideProfile(t *testing.T) {
	profile, local := `C:\Users\wang`, `C:\Users\wang\AppData\Local`
	for dir, want := range map[string]bool{
		`C:\Users\wang\AppData\Local\techaid\data`: false,
		`c:\users\WANG\Desktop\台账`:                 false,
		`C:\Users\wang`:                            false,
		`C:\Users\wangfang\data`:                   true,
		`D:\科技帮扶台账\data`:                           true,
		`C:\ProgramData\techaid`:                   true,
	} {
		if got := outsideProfile(dir, profile, local); got != want {
			t.Errorf("outsideProfile(%s) = %v, want %v", dir, got, want)
		}
	}
	if outsideProfile(`D:\data`, "", "") {
		t.Error("with no profile known, a folder is reported")
	}
}
