package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/layout"
)

func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }

// reportWhenSettled prints how long start-up took (to the window showing its data), then, after the
// app has settled for two seconds, its resident memory, and quits: scripts/bench-startup.sh runs the
// app and an empty window this way and compares them.
func reportWhenSettled(a fyne.App, start time.Time, what string) {
	ready := time.Since(start)
	go func() {
		time.Sleep(2 * time.Second)
		runtime.GC()
		time.Sleep(500 * time.Millisecond)
		fmt.Printf("startup %s: ready_ms=%.0f rss_mib=%.1f\n", what, float64(ready.Microseconds())/1000, rssMiB())
		fyne.Do(a.Quit)
	}()
}

// rssMiB is the process's resident set size (Linux; 0 elsewhere).
func rssMiB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb / 1024
		}
	}
	return 0
}
