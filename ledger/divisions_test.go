package ledger_test

import (
	"errors"
	"strings"
	"testing"

	"techaid/ledger"
)

func TestReadDivisions(t *testing.T) {
	const header = "county_code,county,township_code,township,village_code,village\n"
	const good = "370323,沂源县,370323102,鲁村镇,370323102201,鲁村一村村委会\n"
	t.Run("good, with a BOM and columns in another order", func(t *testing.T) {
		in := "\ufeffvillage,village_code,township,township_code,county,county_code\n鲁村一村村委会,370323102201,鲁村镇,370323102,沂源县,370323\n"
		ds, err := ledger.ReadDivisions(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		want := ledger.Division{County: "370323", CountyName: "沂源县", Township: "370323102", TownshipName: "鲁村镇",
			Village: "370323102201", VillageName: "鲁村一村村委会"}
		if len(ds) != 1 || ds[0] != want {
			t.Fatalf("got %+v, want %+v", ds, want)
		}
		if v := ds[0].Record(); v.Code != want.Village || v.Name != want.VillageName || v.TownshipName != "鲁村镇" {
			t.Errorf("Record() = %+v", v)
		}
	})
	for _, tc := range []struct {
		name string
		in   string
		line int
		want string
	}{
		{"empty file", "", 1, "empty"},
		{"missing column", "county_code,county,township_code,township,village_code\n", 1, `missing column "village"`},
		{"13-digit code", header + good + good + "370323,沂源县,370323102,鲁村镇,3703231022011,鲁村二村\n", 4, "village_code"},
		{"village outside its township", header + "370323,沂源县,370323102,鲁村镇,370323101201,某村\n", 2, "does not lie in"},
		{"township code too short", header + "370323,沂源县,37032310,鲁村镇,370323102201,某村\n", 2, "township_code"},
		{"too few columns", header + good + "370323,沂源县,370323102\n", 3, "3 columns"},
		{"an extra column", header + "370323,沂源县,370323102,鲁村镇,370323102201,鲁村,一村\n", 2, "7 columns"},
		{"no village name", header + "370323,沂源县,370323102,鲁村镇,370323102201,\n", 2, "no name"},
		{"unclosed quote starts the bad record", header + good + "370323,沂源县,370323102,鲁村镇,370323102202,\"鲁村二村\n" + good, 3, `"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := ledger.ReadDivisions(strings.NewReader(tc.in))
			var le *ledger.LineError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v (%d rows), want a *LineError", err, len(ds))
			}
			if le.Line != tc.line || !strings.Contains(le.Error(), tc.want) {
				t.Errorf("err = %v, want line %d mentioning %q", le, tc.line, tc.want)
			}
			if ds != nil {
				t.Errorf("rows returned with an error: %d", len(ds))
			}
		})
	}
}
