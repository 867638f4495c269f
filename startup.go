package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"techaid/internal/memstat"

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
		mem, _ := memstat.Self() // zeros off Linux
		fmt.Printf("startup %s: ready_ms=%.0f rss_mib=%.1f anon_mib=%.1f file_mib=%.1f heap_mib=%.1f\n", what,
			float64(ready.Microseconds())/1000, memstat.MiB(mem.RSS), memstat.MiB(mem.Anon), memstat.MiB(mem.File),
			memstat.MiB(int64(ms.HeapAlloc)))
		if path := os.Getenv("TECHAID_MEMPROFILE"); path != "" {
			if f, err := os.Create(path); err == nil {
				_ = pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
		fyne.Do(a.Quit)
	}()
}
