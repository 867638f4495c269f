package assets

import _ "embed"

// Divisions is the real division list of 淄博市 (shared/data/zibo_divisions.csv: 2,931 village-level
// units with their county and township), from which the app's first run offers the offices and writes
// the office's villages, so that a clerk can record trainings before the first sync.
//
//go:embed zibo_divisions.csv
var Divisions []byte
