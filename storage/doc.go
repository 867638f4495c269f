// Package storage keeps a replica's ledger on disk and answers the UI's queries.
//
// Badger is the truth: every record, the change log that sync pushes, the audit trail, the conflict log,
// the training indexes and the per-village tallies. go-memdb holds the in-memory indexes of the small
// tables (villages, advisors, assignments, tallies), rebuilt from Badger on open, and its watch channels
// let a screen refresh itself when a change lands. Trainings, the one table that grows to 100k rows, are
// indexed by Badger keys instead (see keys.go), which keeps open fast and memory flat.
//
// A write opens the memdb write transaction (it serialises writers), runs one Badger transaction that
// writes the record, its change-log entry and its audit entry, and commits memdb only if Badger
// committed. Badger's errors are translated here and never leak upward. This package must never know
// about websockets or the UI.
package storage
