package app

import (
	"encoding/json"
	"go/ast"
	"go/token"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2/widget"

	"techaid/assets"
	"techaid/ledger"
)

// readCatalog parses one translation file as LoadTranslations does.
func readCatalog(t *testing.T, lang string) map[string]string {
	t.Helper()
	data, err := fs.ReadFile(assets.Translations, "translations/"+lang+".json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s.json does not parse: %v", lang, err)
	}
	return m
}

// uiTexts are the texts the non-test sources of this package pass to T as constants ("a" or "a" + "b"),
// with where each first appears. The sources are parsed rather than grepped, so that a literal split
// over two lines with + is read whole and a T in a comment is not read at all.
func uiTexts(t *testing.T) map[string]string {
	t.Helper()
	fset, files := goSources(t)
	out := map[string]string{}
	var constant func(e ast.Expr) (string, bool)
	constant = func(e ast.Expr) (string, bool) {
		switch x := e.(type) {
		case *ast.BasicLit:
			if x.Kind != token.STRING {
				return "", false
			}
			s, err := strconv.Unquote(x.Value)
			return s, err == nil
		case *ast.BinaryExpr:
			if x.Op != token.ADD {
				return "", false
			}
			a, ok1 := constant(x.X)
			b, ok2 := constant(x.Y)
			return a + b, ok1 && ok2
		case *ast.ParenExpr:
			return constant(x.X)
		}
		return "", false
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "T" {
				return true
			}
			if s, ok := constant(call.Args[0]); ok {
				if _, seen := out[s]; !seen {
					out[s] = fset.Position(call.Pos()).String()
				}
			}
			return true
		})
	}
	if len(out) < 100 {
		t.Fatalf("found only %d texts passed to T: the scan is broken", len(out))
	}
	return out
}

// dynamicTexts are the values the UI passes to T at run time: the ledger's kinds, groups and statuses,
// the history's operation names and the record kinds' names.
func dynamicTexts() map[string]string {
	out := map[string]string{}
	for _, list := range [][]string{ledger.TrainingKinds, ledger.Groups, ledger.Statuses, ledger.NeedStates,
		ledger.ProjectSources, ledger.ProjectStates, ledger.VarietyKinds, ledger.LeaderKinds, ledger.PublicityForms,
		ledger.PlatformKinds, ledger.PlatformLevels, ledger.PlatformStates} {
		for _, s := range list {
			out[s] = "ledger"
		}
	}
	for _, s := range opNames {
		out[s] = "history.go opNames"
	}
	for _, k := range ledger.Kinds {
		out[ledger.KindName(k)] = "ledger.KindName"
	}
	return out
}

var (
	verbRE  = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[a-zA-Z%]`)
	indexRE = regexp.MustCompile(`\[\d+\]`)
)

// verbs are the fmt verbs of a format, sorted (a translation may reorder them with %[n]).
func verbs(s string) []string {
	vs := verbRE.FindAllString(s, -1)
	for i, v := range vs {
		vs[i] = indexRE.ReplaceAllString(v, "")
	}
	slices.Sort(vs)
	return vs
}

// TestTranslationCoverage: both catalogues parse, and every UI text has an English translation that
// takes the same fmt arguments. It lists everything missing in one failure.
func TestTranslationCoverage(t *testing.T) {
	readCatalog(t, LangChinese)
	en := readCatalog(t, LangEnglish)
	texts := uiTexts(t)
	for s, where := range dynamicTexts() {
		if _, ok := texts[s]; !ok {
			texts[s] = where
		}
	}
	t.Logf("%d UI texts (constants passed to T and run-time values)", len(texts))
	var missing, badVerbs []string
	for _, s := range slices.Sorted(maps.Keys(texts)) {
		tr, ok := en[s]
		switch {
		case !ok || strings.TrimSpace(tr) == "":
			missing = append(missing, strconv.Quote(s)+"  ("+texts[s]+")")
		case !slices.Equal(verbs(s), verbs(tr)):
			badVerbs = append(badVerbs, strconv.Quote(s)+" → "+strconv.Quote(tr)+"  ("+texts[s]+")")
		}
	}
	if len(missing) > 0 {
		t.Errorf("en.json lacks %d of the %d UI texts:\n%s", len(missing), len(texts), strings.Join(missing, "\n"))
	}
	if len(badVerbs) > 0 {
		t.Errorf("%d English texts take other fmt arguments than their Chinese:\n%s", len(badVerbs), strings.Join(badVerbs, "\n"))
	}
	var unused []string
	for s := range en {
		if _, ok := texts[s]; !ok {
			unused = append(unused, strconv.Quote(s))
		}
	}
	if len(unused) > 0 {
		slices.Sort(unused)
		t.Logf("%d en.json entries no source text uses (stale, or passed to T at run time):\n%s", len(unused), strings.Join(unused, "\n"))
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// TestLanguageSwitch: choosing English in 设置 rebuilds the window in English (the tab titles as en.json
// has them), stays on 设置, and is remembered in the store; Chinese comes back the same way.
func TestLanguageSwitch(t *testing.T) {
	t.Cleanup(func() { SetLanguage(LangChinese) })
	en := readCatalog(t, LangEnglish)
	st := townStore(t, baseWall)
	h := newHarness(t, st)
	u := h.u
	titles := []string{"培训与服务记录", "需求与成果", "名册与园区", "目标进度", "报表与导入", "同步与冲突", "设置"}
	u.Show("设置")
	lang := find(u.tabs.Selected().Content, func(r *widget.RadioGroup) bool { return slices.Contains(r.Options, "English") })
	if lang == nil {
		t.Fatal("设置 has no language choice")
	}
	lang.SetSelected("English")
	if Language() != LangEnglish {
		t.Fatalf("language is %q after choosing English", Language())
	}
	h.eventually("the choice is saved", func() bool { return SavedLanguage(st) == LangEnglish })
	if len(u.tabs.Items) != len(titles) {
		t.Fatalf("%d tabs", len(u.tabs.Items))
	}
	for i, zh := range titles {
		got := u.tabs.Items[i].Text
		if want, ok := en[zh]; ok && want != "" {
			if got != want {
				t.Errorf("tab %s reads %q in English, want %q", zh, got, want)
			}
		} else {
			t.Logf("en.json has no %q yet (TestTranslationCoverage lists it)", zh)
		}
	}
	if want := en["设置"]; want != "" && u.tabs.Selected().Text != want {
		t.Errorf("after the switch the window shows %q, want the settings tab", u.tabs.Selected().Text)
	}
	// The rebuilt views still work: their lists fill in.
	h.eventually("the rebuilt lists show", func() bool { return len(u.villages.rows) == 68 && u.trainings.count.Text != "" })
	if want := en["%s · 录入人：%s"]; want != "" {
		h.eventually("the status bar speaks English", func() bool { return !strings.Contains(u.status.who.Text, "录入人") })
	}
	if want := en["保存（回车）"]; want != "" && hasHan(u.trainings.save.Text) {
		t.Errorf("save button reads %q in English", u.trainings.save.Text)
	}

	lang = find(u.tabs.Selected().Content, func(r *widget.RadioGroup) bool { return slices.Contains(r.Options, "English") })
	if lang == nil || lang.Selected != "English" {
		t.Fatal("the rebuilt 设置 does not show English chosen")
	}
	lang.SetSelected("中文")
	h.eventually("中文 is saved", func() bool { return SavedLanguage(st) == LangChinese })
	for i, zh := range titles {
		if got := u.tabs.Items[i].Text; got != zh {
			t.Errorf("tab %d reads %q back in Chinese, want %q", i, got, zh)
		}
	}
}
