package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"fyne.io/fyne/v2"
)

// reportWhenSettled prints how long start-up took (to the window showing its data), then, after the
// app has settled for two seconds (and returned its start-up garbage, as it always does), its resident
// memory, and quits: scripts/bench-startup.sh runs the
// app and an empty window this way and compares them.
func reportWhenSettled(a fyne.App, start time.Time, what string) {
	ready := time.Since(start)
	go func() {
		time.Sleep(2 * time.Second)
		runtime.GC()
		time.Sleep(500 * time.Millisecond)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Printf("startup %s: ready_ms=%.0f rss_mib=%.1f anon_mib=%.1f file_mib=%.1f heap_mib=%.1f\n", what,
			float64(ready.Microseconds())/1000, status("VmRSS:"), status("RssAnon:"), status("RssFile:"),
			float64(ms.HeapAlloc)/(1<<20))
		if path := os.Getenv("TECHAID_MEMPROFILE"); path != "" {
			if f, err := os.Create(path); err == nil {
				_ = pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
		fyne.Do(a.Quit)
	}()
}

// status reads a memory figure of this process in MiB from /proc/self/status (Linux; 0 elsewhere).
func status(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			var kb float64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb / 1024
		}
	}
	return 0
}
