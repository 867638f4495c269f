package app

import (
	"slices"

	"techaid/ledger"
)

// places names the divisions of the city: the office picker and the township filters read it.
type places struct {
	names    map[ledger.Code]string
	counties []ledger.Code
	towns    map[ledger.Code][]ledger.Code // county → its townships, in code order
	villages map[ledger.Code][]ledger.Division
	division map[ledger.Code]ledger.Division // by village code
}

// City is the one city whose divisions the programme covers.
const City ledger.Code = "3703"

func newPlaces(divs []ledger.Division) places {
	p := places{names: map[ledger.Code]string{City: "淄博市"}, towns: map[ledger.Code][]ledger.Code{},
		villages: map[ledger.Code][]ledger.Division{}, division: map[ledger.Code]ledger.Division{}}
	for _, d := range divs {
		if _, ok := p.names[d.County]; !ok {
			p.names[d.County] = d.CountyName
			p.counties = append(p.counties, d.County)
		}
		if _, ok := p.names[d.Township]; !ok {
			p.names[d.Township] = d.TownshipName
			p.towns[d.County] = append(p.towns[d.County], d.Township)
		}
		p.villages[d.Township] = append(p.villages[d.Township], d)
		p.division[d.Village] = d
	}
	slices.Sort(p.counties)
	for _, ts := range p.towns {
		slices.Sort(ts)
	}
	return p
}

// name is a division's name ("淄博市", "沂源县", "鲁村镇"), or its code if unknown.
func (p places) name(c ledger.Code) string {
	if n, ok := p.names[c]; ok {
		return n
	}
	if c == "" {
		return ""
	}
	return string(c)
}

// townships lists the townships under a scope, in code order.
func (p places) townships(scope ledger.Code) []ledger.Code {
	switch scope.Level() {
	case ledger.LevelTownship:
		return []ledger.Code{scope}
	case ledger.LevelCounty:
		return p.towns[scope]
	}
	var out []ledger.Code
	for _, c := range p.counties {
		if scope == "" || scope.Contains(c) {
			out = append(out, p.towns[c]...)
		}
	}
	return out
}

// divisions lists the village-level units under a scope: the villages a new office starts with.
func (p places) divisions(scope ledger.Code) []ledger.Division {
	var out []ledger.Division
	for _, t := range p.townships(scope) {
		out = append(out, p.villages[t]...)
	}
	return out
}
