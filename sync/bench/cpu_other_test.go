//go:build !unix

package bench

import "time"

// cpuTime is not measured here: the figure it feeds is then infinite.
func cpuTime() time.Duration { return 0 }
