package storage

import (
	"encoding/binary"

	"techaid/ledger"
)

// Every key starts with one byte naming what it holds, so a kind of thing is one range scan.
// Sequence numbers and stamps are big-endian, so keys sort in numeric order.
//
//	m <name>                                   meta value (scope, clerk, replica id, counters)
//	r <kind> <id>                              a record: all its fields with their versions
//	c <seq:8>                                  change log: the local change with that sequence number
//	h <id> 0x00 <stamp:8>                      audit (history) of one record, oldest first
//	x <seq:8>                                  conflict log entry
//	y <id> 0x00 <field> 0x00 <stamp:8> <replica>  a losing version already in the conflict log
//	t v <village:12> <date:10> <id>            training index by every listed village, then date
//	t a <advisor> 0x00 <date:10> <id>          training index by every listed advisor, then date
//	t d <date:10> <village:12> <id>            training index by date, then primary village
//	t w <township:9> <date:10> <id>            training index by the primary village's township
//	t k <kind> 0x00 <date:10> <id>             training index by kind (服务形式), then date (format 2)
//	g <year:4> <village:12>                    tally of one village's trainings in one year
//	p <kind> <id>                              on a hub: a record kept aside until it is whole (parkedKey)
//	k <year:2> <metric> 0x00 <code> [0x00 <member>]  a yearly figure of a place, or a member of a set
//	                                           figure with its reference count (format 3, counts.go)
//	e <m|b|r|q|z> <hash:32> ...                evidence files, by content hash (format 4, evidence.go)
const (
	prefixMeta         byte = 'm'
	prefixRecord       byte = 'r'
	prefixChange       byte = 'c'
	prefixHistory      byte = 'h'
	prefixConflict     byte = 'x'
	prefixConflictSeen byte = 'y'
	prefixTraining     byte = 't'
	prefixTally        byte = 'g'
	prefixDoc          byte = 'n'
	prefixParked       byte = 'p'
	prefixCount        byte = 'k'
	prefixEvidence     byte = 'e' // evidence files (evidence.go)

	trainingByVillage byte = 'v'
	trainingByAdvisor byte = 'a'
	trainingByDate    byte = 'd'
	trainingByKind    byte = 'k'
	trainingByTown    byte = 'w'
)

var kindByte = map[ledger.Kind]byte{
	ledger.KindVillage:    'v',
	ledger.KindAdvisor:    'a',
	ledger.KindTraining:   't',
	ledger.KindAssignment: 's',
	ledger.KindTarget:     'y',
	// Format 3: the rest of the programme.
	ledger.KindNeed:         'n',
	ledger.KindProject:      'p',
	ledger.KindVariety:      'e',
	ledger.KindIntroduction: 'i',
	ledger.KindLeader:       'l',
	ledger.KindPublicity:    'b',
	ledger.KindPark:         'k',
	ledger.KindParkPairing:  'q',
	ledger.KindPlatform:     'f',
}

func metaKey(name string) []byte { return append([]byte{prefixMeta}, name...) }

func recordPrefix(k ledger.Kind) []byte { return []byte{prefixRecord, kindByte[k]} }

func recordKey(k ledger.Kind, id string) []byte { return append(recordPrefix(k), id...) }

func parkedKey(k ledger.Kind, id string) []byte {
	return append([]byte{prefixParked, kindByte[k]}, id...)
}

func seqKey(prefix byte, seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefix}, seq)
}

func keySeq(key []byte) uint64 { return binary.BigEndian.Uint64(key[1:]) }

func historyPrefix(id string) []byte {
	return append(append([]byte{prefixHistory}, id...), 0)
}

func historyKey(id string, s ledger.Stamp) []byte {
	return binary.BigEndian.AppendUint64(historyPrefix(id), uint64(s))
}

func villageIndexPrefix(v ledger.Code) []byte {
	return append([]byte{prefixTraining, trainingByVillage}, v...)
}

func advisorIndexPrefix(advisor string) []byte {
	return append(append([]byte{prefixTraining, trainingByAdvisor}, advisor...), 0)
}

func dateIndexPrefix() []byte { return []byte{prefixTraining, trainingByDate} }

func kindIndexPrefix(kind string) []byte {
	return append(append([]byte{prefixTraining, trainingByKind}, kind...), 0)
}

func townIndexPrefix(township ledger.Code) []byte {
	return append([]byte{prefixTraining, trainingByTown}, township...)
}

// trainingIndexKeys lists the index keys of a live training.
func trainingIndexKeys(t ledger.Training) [][]byte {
	if t.Deleted || !t.Date.Valid() {
		return nil
	}
	keys := make([][]byte, 0, len(t.Villages)+len(t.Advisors)+3)
	for _, v := range t.Villages {
		keys = append(keys, append(append(villageIndexPrefix(fixedCode(v)), t.Date...), t.ID...))
	}
	for _, a := range t.Advisors {
		keys = append(keys, append(append(advisorIndexPrefix(a), t.Date...), t.ID...))
	}
	primary := fixedCode(t.Village())
	keys = append(keys, append(append(append(dateIndexPrefix(), t.Date...), primary...), t.ID...))
	keys = append(keys, append(append(townIndexPrefix(primary.Township()), t.Date...), t.ID...))
	keys = append(keys, append(append(kindIndexPrefix(t.Kind), t.Date...), t.ID...))
	return keys
}

// fixedCode keeps index keys parseable even for a malformed village code that came over the wire:
// validation refuses such codes locally, but a replica stores what it is sent.
func fixedCode(c ledger.Code) ledger.Code {
	if c.Level() == ledger.LevelVillage {
		return c
	}
	return "000000000000"
}

func tallyKey(year int, v ledger.Code) []byte {
	return append(binary.BigEndian.AppendUint32([]byte{prefixTally}, uint32(year)), v...)
}
