package main

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// Issue 14, item 12: a restore from a backup must not silently disable the offices registered after it
// (their tokens were lost with the data), nor bring back a token revoked after it. The registry is kept
// in a file beside the store and carried across the restore; the status page says what happened.
func TestRestoreKeepsOffices(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGTERM")
	}
	t.Parallel()
	divisions := zibo(t)
	dir := filepath.Join(t.TempDir(), "city")
	luTok := addOffice(t, dir, "370323102", "鲁村镇")
	gone := addOffice(t, dir, "370323104", "悦庄镇")
	succeeded(t, cityRun(t, dir, "import", "villages", divisions))
	srv := startServe(t, dir)
	backup := filepath.Join(t.TempDir(), "city.bak")
	succeeded(t, cityRun(t, dir, "backup", backup))

	// After the backup: an office registered, another's token revoked, while the server runs.
	dlTok := addOffice(t, dir, "370323103", "东里镇")
	succeeded(t, cityRun(t, dir, "office", "revoke", "悦庄镇"))
	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, srv.output(t))
	}

	out := succeeded(t, cityRun(t, dir, "restore", backup))
	contains(t, "restore", out, "东里镇", "悦庄镇", "单位登记按")
	srv = startServe(t, dir)
	ws := "ws://" + strings.TrimPrefix(srv.sf.URL, "http://")

	// The office registered after the backup syncs with its token; the revoked one stays refused.
	east := filepath.Join(t.TempDir(), "dongli")
	succeeded(t, officeRun(t, east, "init", "--scope", "370323103", "--clerk", "李强"))
	succeeded(t, officeRun(t, east, "import", "villages", "--reference", "--quiet", divisions))
	succeeded(t, officeRun(t, east, "training", "add", "--village", "370323103201", "--date", "2026-11-20",
		"--kind", "技术培训", "--topic", "设施蔬菜管理", "--attendees", "25"))
	out = succeeded(t, officeRun(t, east, "sync", "--city", ws, "--token-file", tokenFile(t, dlTok), "--once"))
	contains(t, "东里镇's sync after the restore", out, "已同步", "东里镇")
	south := filepath.Join(t.TempDir(), "nanlushan")
	succeeded(t, officeRun(t, south, "init", "--scope", "370323104", "--clerk", "赵敏"))
	line := failedOnce(t, officeRun(t, south, "sync", "--city", ws, "--token-file", tokenFile(t, gone), "--once"))
	contains(t, "a token revoked after the backup, after the restore", line, "停用")

	// The status page says what the restore did.
	st := srv.status(t)
	if st.Restore == nil || st.Restore.Registry == "" || !slices.Equal(st.Restore.Recovered, []string{"东里镇"}) ||
		!slices.Equal(st.Restore.Updated, []string{"悦庄镇"}) || st.Restore.Taken.IsZero() || !st.Restore.Taken.Before(st.Restore.At) {
		t.Errorf("/status.json after the restore: %+v", st.Restore)
	}
	if o := officeStatus(t, st, "东里镇"); !o.FromRegistry || o.Behind {
		t.Errorf("东里镇 after the restore and its sync: %+v, want from the registry and not behind", o)
	}
	if o := officeStatus(t, st, "鲁村镇"); o.FromRegistry || !o.Behind {
		t.Errorf("鲁村镇 after the restore, before its sync: %+v, want behind", o)
	}
	_, page := srv.get(t, "/", srv.sf.Secret)
	contains(t, "the status page after the restore", string(page), "从备份恢复", "东里镇", "恢复后未同步")

	// 鲁村镇, registered before the backup, syncs as before and is no longer behind.
	lucun := filepath.Join(t.TempDir(), "lucun")
	succeeded(t, officeRun(t, lucun, "init", "--scope", "370323102", "--clerk", "张敏"))
	succeeded(t, officeRun(t, lucun, "sync", "--city", ws, "--token-file", tokenFile(t, luTok), "--once"))
	if o := officeStatus(t, srv.status(t), "鲁村镇"); o.Behind {
		t.Errorf("鲁村镇 after its sync: %+v", o)
	}
	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, srv.output(t))
	}

	// Without the registry file (the data folder lost with it) the restore says so, loudly.
	if err := os.Remove(filepath.Join(dir, "offices.json")); err != nil {
		t.Fatal(err)
	}
	out = succeeded(t, cityRun(t, dir, "restore", backup))
	contains(t, "restore without a registry", out, "没有找到单位登记文件")
}
