package hub_test

import (
	"os"
	"path/filepath"
	"testing"

	"techaid/storage"
	"techaid/sync/hub"
	"techaid/sync/protocol"
	"techaid/sync/synctest"
)

// An office too old for the hub (an older record schema) is told to upgrade together with the release
// it can install, for its platform, before its token is checked; a hello without a platform gets none;
// the welcome of a current office names it too.
func TestUpgradeErrorNamesRelease(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st := synctest.Open(t, dir, synctest.City, "市局", storage.Options{})
	t.Cleanup(func() { st.Close() })
	rels := filepath.Join(t.TempDir(), "releases")
	src := filepath.Join(t.TempDir(), "techaid-setup-9.0.0-windows-amd64.exe")
	if err := os.WriteFile(src, []byte("MZ installer"), 0o644); err != nil {
		t.Fatal(err)
	}
	rel, err := hub.AddRelease(rels, src, "9.0.0", "windows-amd64", false)
	if err != nil {
		t.Fatal(err)
	}
	h := synctest.ServeConfig(t, hub.Config{Store: st, Releases: rels}, dir)
	token := h.Office("鲁村镇", synctest.Lucun)

	old := hello("not even a token", "r1")
	old.Schema, old.Platform = protocol.Schema-1, "windows-amd64"
	c := dial(t, h)
	send(t, c, old)
	e, ok := recv(t, c).(protocol.Error)
	if !ok || e.Code != protocol.CodeUpgrade || e.Release == nil || *e.Release != rel {
		t.Fatalf("an old office got %+v, want upgrade with %+v", e, rel)
	}

	old.Platform = ""
	c = dial(t, h)
	send(t, c, old)
	if e, ok := recv(t, c).(protocol.Error); !ok || e.Code != protocol.CodeUpgrade || e.Release != nil {
		t.Fatalf("an old office without a platform got %+v", e)
	}

	cur := hello(token, "r2")
	cur.Platform = "windows-amd64"
	c = dial(t, h)
	send(t, c, cur)
	if w := welcome(t, c); w.Release == nil || *w.Release != rel {
		t.Fatalf("welcome named %+v, want %+v", w.Release, rel)
	}
}
