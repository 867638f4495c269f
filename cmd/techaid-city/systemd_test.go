package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"techaid/sync/synctest"
)

// readmeBlock is the fenced block of the README that opens with fence (```ini, ```) after the first line
// holding marker.
func readmeBlock(t *testing.T, marker, fence string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	i := strings.Index(s, marker)
	if i < 0 {
		t.Fatalf("README.md has no %q", marker)
	}
	j := strings.Index(s[i:], "\n"+fence+"\n")
	if j < 0 {
		t.Fatalf("README.md has no %s block after %q", fence, marker)
	}
	body := s[i+j+len(fence)+2:]
	return body[:strings.Index(body, "\n```")+1]
}

// unitValue is the value of key in a unit file ("" if absent).
func unitValue(unit, key string) string {
	for _, l := range strings.Split(unit, "\n") {
		if v, ok := strings.CutPrefix(l, key+"="); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// The README's systemd unit and nightly backup work as written. systemd-analyze verifies the unit (with
// ExecStart pointing at the binary under test); then the server runs as the unit confines it, with
// ProtectSystem=strict and ReadWritePaths reproduced in a mount namespace (every mount read-only, the
// data folder alone writable), and the command of the README's cron line, run as cron runs it, writes
// the night's backup, which restores into a store holding the city's offices. The server, which could
// not write the backup folder, writes none: before, it wrote the backup itself and failed there.
func TestSystemdUnit(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("systemd and mount namespaces: Linux")
	}
	t.Parallel()
	unit := readmeBlock(t, "A systemd unit", "```ini")
	const bin, data, backups = "/usr/local/bin/techaid-city", "/var/lib/techaid-city", "/backup/techaid-city/"
	if !strings.Contains(unit, "ExecStart="+bin+" --data "+data+" serve") || unitValue(unit, "ProtectSystem") != "strict" ||
		unitValue(unit, "ReadWritePaths") != data || unitValue(unit, "User") != "techaid" {
		t.Fatalf("the README's unit is not the one this test knows how to check:\n%s", unit)
	}

	t.Run("verify", func(t *testing.T) {
		analyze, err := exec.LookPath("systemd-analyze")
		if err != nil {
			t.Skip("systemd-analyze is not installed (scripts/setup.sh installs systemd)")
		}
		file := filepath.Join(t.TempDir(), "techaid-city.service")
		if err := os.WriteFile(file, []byte(strings.ReplaceAll(unit, bin, cityBin)), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(analyze, "verify", file).CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("systemd-analyze verify of the README's unit: %v\n%s", err, out)
		}
		// It can fail: a misspelt key is reported.
		bad := filepath.Join(t.TempDir(), "bad.service")
		os.WriteFile(bad, []byte(strings.Replace(strings.ReplaceAll(unit, bin, cityBin), "ProtectSystem=", "ProtectSytem=", 1)), 0o600)
		if out, _ := exec.Command(analyze, "verify", bad).CombinedOutput(); !strings.Contains(string(out), "ProtectSytem") {
			t.Errorf("systemd-analyze verify does not report a misspelt key: %s", out)
		}
	})

	t.Run("sandbox and backup", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("a mount namespace needs root")
		}
		cron := readmeBlock(t, "/etc/cron.d/techaid-city", "```")
		var line string
		for _, l := range strings.Split(cron, "\n") {
			if strings.Contains(l, bin+" --data "+data+" backup "+backups) {
				line = l
			}
		}
		fields := strings.Fields(line)
		if len(fields) < 7 || fields[5] != "techaid" {
			t.Fatalf("no cron line backing up into %s in the README:\n%s", backups, cron)
		}
		root := t.TempDir()
		dataDir, backupDir := filepath.Join(root, "var-lib-techaid-city"), filepath.Join(root, "backup")
		if err := os.MkdirAll(backupDir, 0o700); err != nil {
			t.Fatal(err)
		}
		addOffice(t, dataDir, "370323102", "鲁村镇")

		// ProtectSystem=strict: every mount read-only but the API file systems; ReadWritePaths: the data
		// folder writable again. The probe proves the backup folder is out of the server's reach.
		script := `set -u
for m in $(awk '{print $5}' /proc/self/mountinfo | sort -u); do
	case $m in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac
	mount -o remount,bind,ro "$m" 2>/dev/null
done
mount --bind "$DATA" "$DATA" && mount -o remount,bind,rw "$DATA" || exit 98
touch "$DATA/probe" && rm "$DATA/probe" || exit 98
if touch "$BACKUPS/probe" 2>/dev/null; then exit 97; fi
exec "$BIN" --data "$DATA" serve --listen 127.0.0.1:0`
		cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c", script)
		cmd.Env = append(testEnv(), "DATA="+dataDir, "BACKUPS="+backupDir, "BIN="+cityBin)
		var log bytes.Buffer
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Skipf("unshare: %v", err)
		}
		// exited is closed once the server is gone (waitErr then says how), so that both the wait for
		// serve.json and the clean-up can see it.
		exited := make(chan struct{})
		var waitErr error
		go func() { waitErr = cmd.Wait(); close(exited) }()
		t.Cleanup(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
		})
		synctest.Eventually(t, "the sandboxed server's serve.json", func() bool {
			select {
			case <-exited:
				err := waitErr
				code := cmd.ProcessState.ExitCode()
				switch code {
				case 98:
					t.Skipf("cannot reproduce ProtectSystem here (no writable mount namespace): %s", log.String())
				case 97:
					t.Fatalf("the reproduced sandbox lets the server write the backup folder: the test would prove nothing")
				}
				t.Fatalf("the sandboxed server exited (%v):\n%s", err, log.String())
			default:
			}
			var sf serveFile
			raw, err := os.ReadFile(filepath.Join(dataDir, "serve.json"))
			return err == nil && json.Unmarshal(raw, &sf) == nil && sf.URL != ""
		})

		// The cron line's command, as cron runs it (outside the server's sandbox), with this test's paths.
		args := strings.Fields(strings.NewReplacer(bin, cityBin, data, dataDir, backups, backupDir+"/").Replace(strings.Join(fields[6:], " ")))
		backup := exec.Command(args[0], args[1:]...)
		backup.Env = testEnv()
		out, err := backup.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s\nserver:\n%s", strings.Join(args, " "), err, out, log.String())
		}
		file := filepath.Join(backupDir, "city-"+time.Now().Format("2006-01-02")+".bak")
		fi, err := os.Stat(file)
		if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
			t.Fatalf("the night's backup %s: %v, %v; want a non-empty 0600 file\n%s", file, fi, err, out)
		}
		restored := filepath.Join(root, "restored")
		succeeded(t, cityRun(t, restored, "restore", file))
		if offices := listOffices(t, restored); offices["鲁村镇"].ID == "" {
			t.Errorf("the restored backup holds %+v, want 鲁村镇", offices)
		}
	})
}
