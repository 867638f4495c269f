package report

import (
	"context"
	"fmt"
	"strings"

	"techaid/query"
)

// Imports are the lists an office can import, by the name techaid-cli and the app use.
var Imports = []string{"keyvillages", "advisors", "projects", "leaders"}

// Plan is a previewed import: a line per row for the clerk, a summary, and what applying it writes.
// Nothing is written until Apply.
type Plan interface {
	Lines() []PlanLine
	Summary() string
	Writes() int
	Apply(ctx context.Context, st Store, progress func(done, total int)) (query.ImportResult, error)
}

// PlanLine is one line of a preview: its text and how it should catch the eye.
type PlanLine struct {
	Text string
	Mark Mark
}

// Mark is how a preview line should be shown.
type Mark int

const (
	MarkOK      Mark = iota // matched or valid: written as it says
	MarkCheck               // matched loosely: written, but the clerk should look
	MarkRefused             // not matched or wrong: not written
	MarkNote                // about the store, not a row: nothing written
)

// PlanImport reads an import of kind (one of Imports) against the store.
func PlanImport(st Store, kind string, sheets []Sheet) (Plan, error) {
	switch kind {
	case "keyvillages":
		return PlanKeyVillages(st, sheets)
	case "advisors":
		return PlanAdvisors(st, sheets)
	case "projects":
		return PlanProjects(st, sheets)
	case "leaders":
		return PlanLeaders(st, sheets)
	}
	return nil, fmt.Errorf("没有「%s」这种导入，可选：%s (unknown import)", kind, strings.Join(Imports, "、"))
}

// Lines are the rows' verdicts, then the key villages the list leaves out.
func (p KeyVillagePlan) Lines() []PlanLine {
	var out []PlanLine
	for _, r := range p.Rows {
		mark := MarkOK
		switch r.Match {
		case MatchNone:
			mark = MarkRefused
		case MatchLoose:
			mark = MarkCheck
		}
		out = append(out, PlanLine{fmt.Sprintf("第 %d 行 %s：%s", r.Line, r.Input, r.Verdict()), mark})
	}
	for _, v := range p.Unlisted {
		out = append(out, PlanLine{fmt.Sprintf("不在表中：%s%s%s（%s）已是重点村，不改动", v.CountyName, v.TownshipName, v.Name, v.Code), MarkNote})
	}
	return out
}

// Lines are the rows' verdicts.
func (p AdvisorPlan) Lines() []PlanLine {
	var out []PlanLine
	for _, r := range p.Rows {
		mark := MarkOK
		if r.Action == AdvisorError {
			mark = MarkRefused
		}
		out = append(out, PlanLine{fmt.Sprintf("第 %d 行 %s：%s", r.Line, r.Name, r.Verdict()), mark})
	}
	return out
}
