package memstat

import (
	"runtime"
	"testing"
)

func TestParse(t *testing.T) {
	status := "Name:\ttechaid-city\nVmPeak:\t 2000000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n" +
		"RssAnon:\t   81920 kB\nRssFile:\t   20480 kB\nRssShmem:\t       0 kB\nThreads:\t12\n"
	f, err := Parse([]byte(status))
	if err != nil {
		t.Fatal(err)
	}
	want := Figures{RSS: 100 << 20, Anon: 80 << 20, File: 20 << 20, Peak: 200 << 20}
	if f != want {
		t.Errorf("Parse = %+v, want %+v", f, want)
	}
	if MiB(f.RSS) != 100 {
		t.Errorf("MiB(%d) = %v", f.RSS, MiB(f.RSS))
	}
	for _, bad := range []string{"", "Name:\tx\n", "VmRSS:\t lots kB\n"} {
		if f, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", bad, f)
		}
	}
}

// TestSelf reads this process: on Linux its RSS is some MiB, within its peak.
func TestSelf(t *testing.T) {
	f, err := Self()
	if runtime.GOOS != "linux" {
		if err == nil {
			t.Errorf("Self on %s: %+v, want an error", runtime.GOOS, f)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if f.RSS < 1<<20 || f.RSS > f.Peak || f.Anon+f.File > f.RSS+f.RSS/10 {
		t.Errorf("Self = %+v: want RSS ≥ 1 MiB, ≤ its peak, about anonymous + files", f)
	}
}
