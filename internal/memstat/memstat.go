// Package memstat reads a process's memory figures from /proc/PID/status, as the start-up report, the
// bench command and the load test print them. It is Linux only: elsewhere every read fails and the
// figures are zero. It never writes and needs nothing beyond the standard library.
package memstat

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Figures are a process's memory in bytes.
type Figures struct {
	RSS  int64 // VmRSS: resident now
	Anon int64 // RssAnon: of that, the process's own memory
	File int64 // RssFile: of that, mapped files (Badger's tables: page cache the kernel can take back)
	Peak int64 // VmHWM: the highest RSS so far
}

// Self reads this process's figures.
func Self() (Figures, error) { return read("/proc/self/status") }

// Of reads the figures of process pid.
func Of(pid int) (Figures, error) { return read(fmt.Sprintf("/proc/%d/status", pid)) }

func read(path string) (Figures, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Figures{}, err
	}
	return Parse(raw)
}

// Parse reads the figures out of the text of a /proc/PID/status file ("VmRSS:\t  1234 kB" lines).
func Parse(status []byte) (Figures, error) {
	var f Figures
	fields := map[string]*int64{"VmRSS": &f.RSS, "RssAnon": &f.Anon, "RssFile": &f.File, "VmHWM": &f.Peak}
	sc := bufio.NewScanner(bytes.NewReader(status))
	found := 0
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		dst := fields[name]
		if !ok || dst == nil {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil {
			return f, fmt.Errorf("memstat: %s: %w", name, err)
		}
		*dst = kb << 10
		found++
	}
	if found == 0 {
		return f, fmt.Errorf("memstat: no memory figures in the status text")
	}
	return f, sc.Err()
}

// MiB is n bytes in MiB.
func MiB(n int64) float64 { return float64(n) / (1 << 20) }
