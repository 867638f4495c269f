package main

// The clock command: what time this PC believes it is, and why. A township PC's clock is often wrong (a
// dead CMOS battery says 2000-01-01); this is what the office and the city's IT look at, and what the
// wrong-clock tests read to see that the clock they set reached the process.

import (
	"context"
	"flag"
	"fmt"
	"time"

	"techaid/ledger"
	"techaid/storage"
)

// clockReport is the clock as the store sees it.
type clockReport struct {
	Wall      time.Time   `json:"wall"`      // the PC's own clock
	Corrected time.Time   `json:"corrected"` // corrected by the offset the city measured (the PC's own if never measured)
	Known     bool        `json:"known"`     // an offset was measured by a sync
	OffsetMS  int64       `json:"offset_ms"` // the city's clock minus the PC's
	Reset     bool        `json:"reset"`     // the PC's clock was set right since: the offset was dropped
	Doubtful  bool        `json:"doubtful"`  // never synced, and the PC's clock cannot be right
	Today     ledger.Date `json:"today"`     // the date records are checked against
	Warning   string      `json:"warning"`   // what the clerk is told, "" if nothing
}

func cmdClock(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("clock", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "JSON output")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	return c.withStore(func(s *storage.Store) error {
		ck := s.Clock()
		wall := ck.Wall()
		off := ck.Offset()
		r := clockReport{Wall: wall, Corrected: wall.Add(off), Known: ck.Known(), OffsetMS: off.Milliseconds(),
			Reset: ck.Reset(), Doubtful: ck.Doubtful(), Today: ledger.DateOf(ck.Today()), Warning: ck.Warning()}
		if *asJSON {
			return c.printJSON(r)
		}
		const layout = "2006-01-02 15:04:05"
		fmt.Fprintf(c.stdout, "本机时间 %s\n", wall.In(ledger.China).Format(layout))
		switch {
		case r.Reset:
			fmt.Fprintln(c.stdout, "本机时间已校准过，按本机时间记录；下次同步时再与市局核对")
		case !r.Known:
			fmt.Fprintln(c.stdout, "尚未与市局同步，无法核对时间")
		case off != 0:
			fmt.Fprintf(c.stdout, "按市局时间 %s（与市局相差%s）\n", r.Corrected.In(ledger.China).Format(layout), ledger.Roughly(off))
		}
		fmt.Fprintf(c.stdout, "今天 %s\n", r.Today)
		if r.Warning != "" {
			fmt.Fprintln(c.stdout, "注意："+r.Warning)
		}
		return nil
	})
}
