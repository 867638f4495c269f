package hub_test

import (
	"context"
	"image"
	"image/png"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"techaid/storage"
	"techaid/sync/synctest"
)

// chromium finds a Chromium to drive headless: scripts/setup.sh installs Debian's.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium on this machine (scripts/setup.sh installs Debian's chromium): the status page is not checked in a browser")
	return ""
}

// runChromium runs headless Chromium on url with args and returns what it printed.
func runChromium(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	profile := t.TempDir()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
		"--user-data-dir=" + profile, "--lang=zh-CN", "--virtual-time-budget=10000"}, args...)
	cmd := exec.CommandContext(ctx, bin, all...)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v", args, err)
	}
	return string(out)
}

// The city's status page in a real browser (headless Chromium): it loads, its script draws the table
// again from /status.json (refresh without reload), lists a connected office as 在线 with its PCs'
// app version, and shows an office never heard from first and in red.
func TestStatusPageInChromium(t *testing.T) {
	bin := chromium(t)
	t.Parallel()
	h := synctest.StartHub(t)
	lu := synctest.NewReplica(t, h.URL, h.Office("沂源县鲁村镇", synctest.Lucun), synctest.Lucun, "张敏", storage.Options{})
	h.Office("张店区车站街道", synctest.Chezhan) // never connects: stale
	lu.Sync()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = lu.Client.Run(ctx) // stays connected while the browser looks
	}()
	defer func() { cancel(); <-done }()
	synctest.Eventually(t, "the office connected", func() bool {
		st, _ := h.Status()
		for _, o := range st.Offices {
			if o.Name == "沂源县鲁村镇" && o.Connected == 1 {
				return true
			}
		}
		return false
	})
	page := httptest.NewServer(h.StatusHandler())
	defer page.Close()

	dom := runChromium(t, bin, "--dump-dom", page.URL+"/status")
	rows := regexp.MustCompile(`(?s)<tr class="([^"]*)"[^>]*>(.*?)</tr>`).FindAllStringSubmatch(dom, -1)
	if len(rows) != 2 {
		t.Fatalf("the page lists %d offices, want 2:\n%s", len(rows), dom)
	}
	if !strings.Contains(dom, "已刷新") {
		t.Errorf("the page's script did not draw the table from /status.json:\n%s", dom)
	}
	first, second := rows[0], rows[1]
	if first[1] != "stale" || !strings.Contains(first[2], "张店区车站街道") || !strings.Contains(first[2], "久未联系") {
		t.Errorf("first row: class %q, %s; want the stale office, marked", first[1], first[2])
	}
	if second[1] != "" || !strings.Contains(second[2], "沂源县鲁村镇") || !strings.Contains(second[2], "在线") || !strings.Contains(second[2], "test") {
		t.Errorf("second row: class %q, %s; want the live office, 在线, its app version", second[1], second[2])
	}
	if !strings.Contains(dom, `<option value="370323">沂源县</option>`) {
		t.Errorf("the county filter does not offer 沂源县")
	}

	// What the browser shows: the stale row in red (its name in #c62828 on a pale red row).
	shot := filepath.Join(t.TempDir(), "status.png")
	runChromium(t, bin, "--window-size=1280,600", "--screenshot="+shot, page.URL+"/status")
	if out := os.Getenv("TECHAID_STATUS_SHOT"); out != "" { // to look at it
		b, _ := os.ReadFile(shot)
		_ = os.WriteFile(out, b, 0o644)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(img, func(r, g, b uint32) bool { return r > 0xb0 && g < 0x50 && b < 0x50 }); n < 200 {
		t.Errorf("the screenshot has %d red pixels: the stale office is not shown in red", n)
	}
	if n := count(img, func(r, g, b uint32) bool { return r > 0xf8 && g > 0xe4 && g < 0xf2 && b > 0xe4 && b < 0xf0 }); n < 2000 {
		t.Errorf("the screenshot has %d pixels of the stale row's background", n)
	}
}

func count(img image.Image, match func(r, g, b uint32) bool) int {
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if match(r>>8, g>>8, b>>8) {
				n++
			}
		}
	}
	return n
}
