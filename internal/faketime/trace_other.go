//go:build !(linux && amd64)

package faketime

import (
	"fmt"
	"runtime"
	"time"
)

// Run is only written for Linux on amd64 (it rewrites x86-64 registers under ptrace).
func Run(offset time.Duration, argv, env []string) (int, error) {
	return 0, fmt.Errorf("%w: written for linux/amd64, this is %s/%s", ErrUnavailable, runtime.GOOS, runtime.GOARCH)
}
