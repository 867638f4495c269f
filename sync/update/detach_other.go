//go:build !windows

package update

import (
	"os/exec"
	"syscall"
)

// detach starts cmd in a session of its own, so that it outlives this program.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
