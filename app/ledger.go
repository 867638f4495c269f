package app

import (
	"context"
	"time"

	"techaid/ledger"
	"techaid/query"
)

// Ledger is what the UI needs of the office's store, in the plain terms of package query. main.go hands
// it a *storage.Store; the UI never imports storage, Badger or go-memdb itself.
type Ledger interface {
	Identity() query.Identity
	Init(scope ledger.Code, clerk string) error
	SetClerk(clerk string) error
	Wall() time.Time
	Clock() *ledger.Clock

	Villages(q query.Villages, ws query.WatchSet) ([]ledger.Village, int)
	VillagesByName(prefix string, limit int) []ledger.Village
	Village(code ledger.Code) (ledger.Village, error)
	Advisors(q query.Advisors, ws query.WatchSet) []ledger.Advisor
	Advisor(id string) (ledger.Advisor, error)
	AdvisorsByName(prefix string, limit int) []ledger.Advisor
	Assignments(village ledger.Code, advisor string, on ledger.Date, ws query.WatchSet) []ledger.Assignment
	Trainings(q query.Trainings, ws query.WatchSet) (query.TrainingPage, error)
	CountTrainings(q query.Trainings) (int, error)
	ServiceDays(advisor string, from, to ledger.Date) (int, error)
	Progress(year int, under ledger.Code, on ledger.Date, ws query.WatchSet) query.Progress
	Stats(ws query.WatchSet) query.Stats

	// The programme's kinds beyond trainings (needs, projects, the registries, …): lists newest first
	// with the total matching, the registries by name.
	Needs(q query.Needs, ws query.WatchSet) ([]ledger.Need, int)
	Projects(q query.Projects, ws query.WatchSet) ([]ledger.Project, int)
	Varieties(q query.Varieties, ws query.WatchSet) []ledger.Variety
	Introductions(q query.Introductions, ws query.WatchSet) ([]ledger.Introduction, int)
	Leaders(q query.Leaders, ws query.WatchSet) ([]ledger.Leader, int)
	PublicityList(q query.Publicity, ws query.WatchSet) ([]ledger.Publicity, int)
	Parks(under ledger.Code, ws query.WatchSet) []ledger.Park
	ParkPairings(q query.ParkPairings, ws query.WatchSet) []ledger.ParkPairing
	Platforms(q query.Platforms, ws query.WatchSet) ([]ledger.Platform, int)
	VarietiesByName(prefix string, limit int) []ledger.Variety
	MatchVariety(text string) query.VarietyMatch
	Unlinked(year int, under ledger.Code) []query.Unlinked // the reports' 未登记的品种技术
	YearTarget(year int) (ledger.Target, bool)
	Record(id string) (ledger.Record, error)
	History(id string) ([]query.Audit, error)
	Conflicts(open bool) ([]query.Conflict, error)

	Create(ctx context.Context, e ledger.Entity) (string, error)
	Update(ctx context.Context, before, after ledger.Entity) error
	Delete(ctx context.Context, id string) error
	Import(ctx context.Context, records []ledger.Entity, progress func(done int)) (query.ImportResult, error)
	ImportReference(ctx context.Context, records []ledger.Entity, progress func(done int)) (query.ImportResult, error)
	ResolveConflict(ctx context.Context, seq uint64, restore bool) error

	// Evidence (佐证材料): files kept with a training, a need, a project or a park pairing.
	Attach(ctx context.Context, id string, files ...query.Attachment) ([]ledger.Evidence, error)
	Detach(ctx context.Context, id, hash string) error
	EvidenceOf(id string) ([]query.EvidenceItem, error)
	ReadEvidence(hash string) ([]byte, error)

	GetDoc(collection, key string, v any) error
	PutDoc(collection, key string, v any) error
	BackupFile(path string) error
	Dir() string
}
