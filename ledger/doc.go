// Package ledger is the domain of techaid: the records a township office keeps (villages, advisors,
// trainings, assignments), NBS division codes, validation with Chinese and English messages, the hybrid
// logical clock and the per-field merge that makes replicas converge.
//
// It must never import anything but the standard library, and never do I/O: storage, sync and the UI
// all stand on it.
package ledger
