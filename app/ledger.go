package app

import (
	"context"
	"time"

	"github.com/hashicorp/go-memdb"

	"techaid/ledger"
	"techaid/storage"
)

// Ledger is what the UI needs of the office's store. *storage.Store provides it; the UI uses the
// storage package only for its query and result types, never Badger itself.
type Ledger interface {
	Identity() storage.Identity
	Init(scope ledger.Code, clerk string) error
	SetClerk(clerk string) error
	Wall() time.Time
	Clock() *ledger.Clock

	Villages(q storage.VillageQuery, ws memdb.WatchSet) ([]ledger.Village, int)
	VillagesByName(prefix string, limit int) []ledger.Village
	Village(code ledger.Code) (ledger.Village, error)
	Advisors(q storage.AdvisorQuery, ws memdb.WatchSet) []ledger.Advisor
	Advisor(id string) (ledger.Advisor, error)
	AdvisorsByName(prefix string, limit int) []ledger.Advisor
	Assignments(village ledger.Code, advisor string, on ledger.Date, ws memdb.WatchSet) []ledger.Assignment
	Trainings(q storage.TrainingQuery, ws memdb.WatchSet) (storage.TrainingPage, error)
	CountTrainings(q storage.TrainingQuery) (int, error)
	ServiceDays(advisor string, from, to ledger.Date) (int, error)
	Progress(year int, under ledger.Code, on ledger.Date, ws memdb.WatchSet) storage.Progress
	Stats(ws memdb.WatchSet) storage.Stats
	Record(id string) (ledger.Record, error)
	History(id string) ([]storage.Audit, error)
	Conflicts(open bool) ([]storage.Conflict, error)

	Create(ctx context.Context, e ledger.Entity) (string, error)
	Update(ctx context.Context, before, after ledger.Entity) error
	Delete(ctx context.Context, id string) error
	Import(ctx context.Context, records []ledger.Entity, progress func(done int)) (storage.ImportResult, error)
	ImportReference(ctx context.Context, records []ledger.Entity, progress func(done int)) (storage.ImportResult, error)
	ResolveConflict(ctx context.Context, seq uint64, restore bool) error

	GetDoc(collection, key string, v any) error
	PutDoc(collection, key string, v any) error
	BackupFile(path string) error
	Dir() string
}
