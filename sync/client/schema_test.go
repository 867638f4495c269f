package client_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"techaid/ledger"
	"techaid/storage"
	"techaid/sync/client"
	"techaid/sync/protocol"
	"techaid/sync/synctest"
)

// TestHubOfOlderSchema: an office upgraded before its city's server meets a hub of the previous record
// schema, which answers every hello with upgrade ("schema 2; this hub has schema 1", as such a hub
// writes it). The client stops, pushes nothing, and tells its clerk that the city's server needs the
// new version, not this PC; its records stay pending.
func TestHubOfOlderSchema(t *testing.T) {
	t.Parallel()
	hellos := make(chan protocol.Hello, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		_, frame, err := c.ReadMessage()
		if err != nil {
			return
		}
		m, err := protocol.Decode(frame)
		if h, ok := m.(protocol.Hello); ok && err == nil {
			hellos <- h
		}
		buf, _ := protocol.Encode(protocol.Err(protocol.CodeUpgrade, "schema 2; this hub has schema 1"))
		_ = c.WriteMessage(websocket.TextMessage, buf)
	}))
	t.Cleanup(srv.Close)
	st := synctest.Open(t, t.TempDir(), synctest.Lucun, "王芳", storage.Options{})
	village := synctest.Villages(t, synctest.Lucun)[0]
	if _, err := st.Import(t.Context(), []ledger.Entity{village}, nil); err != nil {
		t.Fatal(err)
	}
	need := ledger.Need{Village: village.Code, Problem: "缺技术", Group: "粮食", State: ledger.NeedWaiting, Raised: "2025-05-01"}
	if _, err := st.Create(t.Context(), need); err != nil {
		t.Fatal(err)
	}
	c := synctest.NewClient(t, st, "ws"+strings.TrimPrefix(srv.URL, "http"), "token")
	_, err := c.Once(t.Context())
	var pe protocol.Error
	if !errors.As(err, &pe) || pe.Code != protocol.CodeUpgrade {
		t.Fatalf("Once: %v, want the hub's upgrade", err)
	}
	if h := <-hellos; h.Schema != protocol.Schema {
		t.Errorf("the client said schema %d", h.Schema)
	}
	if zh := client.Chinese(err); !strings.Contains(zh, "市局服务器的软件版本比本机旧") || !strings.Contains(zh, "记录都保存着") {
		t.Errorf("the clerk reads %q", zh)
	}
	if st.Stats(nil).Pending == 0 {
		t.Error("the need is no longer pending")
	}
	// The other way round the clerk is told to install the new version.
	older := protocol.Err(protocol.CodeUpgrade, "schema 1; this hub has schema 2")
	if zh := client.Chinese(older); !strings.Contains(zh, "请安装新版本") {
		t.Errorf("an office older than its hub reads %q", zh)
	}
}
