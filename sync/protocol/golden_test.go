package protocol

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"techaid/ledger"
)

// The golden frames in testdata/golden are one example of every message, in the canonical form Encode
// writes (indented for people). PROTOCOL.md shows each of them after a `<!-- golden NAME -->` marker, and
// the seed corpus of FuzzDecode in testdata/fuzz/FuzzDecode starts from them.
//
// go test ./sync/protocol -update rewrites the golden files from Encode's output, the
// examples in PROTOCOL.md from the golden files, and the seed corpus files.
var update = flag.Bool("update", false, "rewrite testdata/golden, the examples in PROTOCOL.md and the FuzzDecode seed corpus")

const (
	goldenDir = "testdata/golden"
	specFile  = "PROTOCOL.md"
	corpusDir = "testdata/fuzz/FuzzDecode"
)

// allTypes lists every message type; each must have a golden frame.
var allTypes = []Type{THello, TWelcome, TPush, TAck, TPull, TChanges, TError, TPing, TPong,
	TFileOffer, TFileChunk, TFileAck, TFileRefused}

// goldenFiles returns the golden file paths, sorted.
func goldenFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no golden files in %s", goldenDir)
	}
	slices.Sort(files)
	return files
}

// goldenType is the message type a golden file's name promises: "changes.json" or "changes-live.json"
// hold a changes message.
func goldenType(path string) Type {
	typ, _, _ := strings.Cut(strings.TrimSuffix(filepath.Base(path), ".json"), "-")
	return Type(typ)
}

// canonical is how a golden file holds a message: Encode's output, laid out for people (see pretty),
// with a final newline. Outside strings it differs from Encode's output only in whitespace.
func canonical(m Message) ([]byte, error) {
	frame, err := Encode(m)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pretty(&buf, frame, "", 0); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// prettyWidth is the line length (in characters) up to which pretty keeps a value on one line.
const prettyWidth = 100

// pretty writes the compact JSON value raw, which follows lead characters already on the line: on that
// line as it is if it fits, else an object or array one member per line, indented two spaces.
func pretty(buf *bytes.Buffer, raw []byte, indent string, lead int) error {
	if lead+utf8.RuneCount(raw) <= prettyWidth || (raw[0] != '{' && raw[0] != '[') {
		buf.Write(raw)
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	open, err := d.Token()
	if err != nil {
		return err
	}
	closer := byte('}')
	if open == json.Delim('[') {
		closer = ']'
	}
	buf.WriteByte(raw[0])
	inner := indent + "  "
	for first := true; d.More(); first = false {
		if !first {
			buf.WriteByte(',')
		}
		buf.WriteString("\n" + inner)
		lead := len(inner)
		if closer == '}' {
			key, err := d.Token()
			if err != nil {
				return err
			}
			k, err := json.Marshal(key)
			if err != nil {
				return err
			}
			buf.Write(k)
			buf.WriteString(": ")
			lead += utf8.RuneCount(k) + 2
		}
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return err
		}
		if err := pretty(buf, v, inner, lead+1); err != nil { // +1: the comma after it
			return err
		}
	}
	buf.WriteString("\n" + indent)
	buf.WriteByte(closer)
	return nil
}

func TestGolden(t *testing.T) {
	seen := map[Type]bool{}
	for _, path := range goldenFiles(t) {
		want := goldenType(path)
		seen[want] = true
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// (a) It decodes, to the message its name promises.
			m, err := Decode(data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if m.MessageType() != want {
				t.Fatalf("decoded a %s, want a %s", m.MessageType(), want)
			}
			if reflect.ValueOf(m).FieldByName("T").String() != string(want) {
				t.Errorf("decoded message has T = %q, want %q", reflect.ValueOf(m).FieldByName("T").String(), want)
			}
			// (b) Encoding and decoding again gives the same message.
			frame, err := Encode(m)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			again, err := Decode(frame)
			if err != nil {
				t.Fatalf("Decode(Encode(m)): %v\nframe: %s", err, frame)
			}
			if !reflect.DeepEqual(again, m) {
				t.Errorf("round trip changed the message\nfile:  %#v\nagain: %#v", m, again)
			}
			// (c) The file is what Encode writes (so the examples show the real member order and
			// spelling), or -update makes it so.
			canon, err := canonical(m)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				if !bytes.Equal(canon, data) {
					if err := os.WriteFile(path, canon, 0o644); err != nil {
						t.Fatal(err)
					}
					t.Logf("rewrote %s", path)
				}
			} else if !bytes.Equal(canon, data) {
				t.Errorf("%s is not in the form Encode writes; run go test ./sync/protocol -update\nhave:\n%s\nwant:\n%s", path, data, canon)
			}
		})
	}
	for _, typ := range allTypes {
		if !seen[typ] {
			t.Errorf("no golden file for %s messages", typ)
		}
	}
}

// goldenBlock finds `<!-- golden NAME -->` followed by a json code block in PROTOCOL.md.
var goldenBlock = regexp.MustCompile("(?s)<!-- golden ([A-Za-z0-9_.-]+\\.json) -->\n```json\n(.*?)```\n")

// TestSpecShowsGolden checks that PROTOCOL.md shows every golden frame, exactly, after its marker.
func TestSpecShowsGolden(t *testing.T) {
	spec, err := os.ReadFile(specFile)
	if err != nil {
		t.Fatal(err)
	}
	golden := map[string][]byte{}
	for _, path := range goldenFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		golden[filepath.Base(path)] = data
	}
	shown := map[string]bool{}
	var missing []string
	updated := goldenBlock.ReplaceAllFunc(spec, func(block []byte) []byte {
		sub := goldenBlock.FindSubmatch(block)
		name, body := string(sub[1]), sub[2]
		shown[name] = true
		data, ok := golden[name]
		if !ok {
			missing = append(missing, name)
			return block
		}
		if !bytes.Equal(body, data) {
			if !*update {
				t.Errorf("%s: the example after <!-- golden %s --> differs from %s/%s; run go test ./sync/protocol -update\nshown:\n%s\nfile:\n%s",
					specFile, name, goldenDir, name, body, data)
			}
			return []byte(fmt.Sprintf("<!-- golden %s -->\n```json\n%s```\n", name, data))
		}
		return block
	})
	for _, name := range missing {
		t.Errorf("%s shows <!-- golden %s -->, but there is no such golden file", specFile, name)
	}
	for name := range golden {
		if !shown[name] {
			t.Errorf("%s does not show %s: add <!-- golden %s --> followed by a ```json block", specFile, name, name)
		}
	}
	if *update && !bytes.Equal(updated, spec) {
		if err := os.WriteFile(specFile, updated, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the examples in %s", specFile)
	}
}

// recordBlock is the example record of section 3.1 of PROTOCOL.md.
var recordBlock = regexp.MustCompile("(?s)<!-- record example -->\n```json\n(.*?)```\n")

// TestSpecRecordExample checks that the example record of PROTOCOL.md decodes to the fields its table says
// a receiver rebuilds from it.
func TestSpecRecordExample(t *testing.T) {
	spec, err := os.ReadFile(specFile)
	if err != nil {
		t.Fatal(err)
	}
	block := recordBlock.FindSubmatch(spec)
	if block == nil {
		t.Fatalf("%s: no <!-- record example --> followed by a json block", specFile)
	}
	m, err := Decode([]byte(`{"t":"changes","cursor":1,"records":[` + string(block[1]) + `]}`))
	if err != nil {
		t.Fatalf("the example record does not decode: %v", err)
	}
	wang := func(stamp ledger.Stamp) ledger.Version {
		return ledger.Version{VersionID: ledger.VersionID{Stamp: stamp, Replica: "0196cc4e-3680-7d41-b0e3-6a9c2f1d8e57"}, Author: "王芳", Office: "370323102"}
	}
	created, corrected := wang(0x019e19bf88720000), wang(0x019e19cec2b80000)
	sun := ledger.Version{VersionID: ledger.VersionID{Stamp: 0x019e1a2d5b400000, Replica: "0196a7d0-3c11-7f08-9b2e-47c5a8d3e910"}, Author: "孙丽", Office: "370323"}
	want := ledger.Record{Kind: ledger.KindTraining, ID: "019e19bf-8872-7a3c-8d15-2b7e4f90c6a1", Fields: map[string]ledger.Field{
		"attendees": {Value: "35", Version: corrected},
		"date":      {Value: "2026-05-11", Version: created},
		"kind":      {Value: "技术培训", Version: created},
		"topic":     {Value: "苹果疏花疏果技术要点", Version: sun, Prev: created.VersionID},
		"villages":  {Value: `["370323102201"]`, Version: created},
	}}
	if got := m.(Changes).Records[0]; !reflect.DeepEqual(got, want) {
		t.Errorf("the example record decodes to\n%+v\nwant (the table after it)\n%+v", got, want)
	}
}

// transcriptLine is one frame of an example session in PROTOCOL.md: "→ FRAME" from the office, "← FRAME"
// from the hub. FRAME is a frame as Encode writes it, "(example NAME)" for a golden frame, or a frame
// with records left out ("…").
var transcriptLine = regexp.MustCompile(`(?m)^(→|←) (.*?)\s*$`)

var (
	exampleRef = regexp.MustCompile(`^\(example ([A-Za-z0-9_.-]+\.json)\)$`)
	typeMember = regexp.MustCompile(`^\{"t":"([a-z_]+)"`)
)

// Which side may send which message.
var (
	fromOffice = []Type{THello, TPush, TPull, TPing}
	fromHub    = []Type{TWelcome, TAck, TChanges, TError, TPong}
)

// TestSpecTranscript checks that every frame of the example sessions in PROTOCOL.md decodes and goes
// the right way.
func TestSpecTranscript(t *testing.T) {
	spec, err := os.ReadFile(specFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := transcriptLine.FindAllSubmatch(spec, -1)
	if len(lines) < 20 {
		t.Fatalf("%s: found only %d transcript frames", specFile, len(lines))
	}
	for i, l := range lines {
		dir, frame := string(l[1]), l[2]
		var typ Type
		switch ref := exampleRef.FindSubmatch(frame); {
		case ref != nil:
			data, err := os.ReadFile(filepath.Join(goldenDir, string(ref[1])))
			if err != nil {
				t.Errorf("transcript frame %d: %v", i+1, err)
				continue
			}
			m, err := Decode(data)
			if err != nil {
				t.Errorf("transcript frame %d: %s: %v", i+1, ref[1], err)
				continue
			}
			typ = m.MessageType()
		case bytes.Contains(frame, []byte("…")):
			t := typeMember.FindSubmatch(frame)
			if t != nil {
				typ = Type(t[1])
			}
		default:
			m, err := Decode(frame)
			if err != nil {
				t.Errorf("transcript frame %d (%s): %v\n%s", i+1, dir, err, frame)
				continue
			}
			typ = m.MessageType()
			// The transcript shows frames as Encode writes them, compact.
			enc, err := Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(enc, frame) {
				t.Errorf("transcript frame %d is not in the form Encode writes\nshown: %s\nwant:  %s", i+1, frame, enc)
			}
		}
		allowed := fromOffice
		if dir == "←" {
			allowed = fromHub
		}
		if !slices.Contains(allowed, typ) {
			t.Errorf("transcript frame %d: %s %q: not a message that goes this way", i+1, dir, typ)
		}
	}
}

// TestSeedCorpus writes (with -update) and checks the seed corpus files of FuzzDecode: every golden frame
// and every broken seed, in the format go test reads from testdata/fuzz.
func TestSeedCorpus(t *testing.T) {
	want := map[string][]byte{}
	for _, path := range goldenFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want["golden-"+strings.TrimSuffix(filepath.Base(path), ".json")] = corpusFile(data)
	}
	for name, seed := range brokenSeeds {
		want["broken-"+name] = corpusFile([]byte(seed))
	}
	if *update {
		if err := os.MkdirAll(corpusDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range want {
			if err := os.WriteFile(filepath.Join(corpusDir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for name, data := range want {
		have, err := os.ReadFile(filepath.Join(corpusDir, name))
		if err != nil || !bytes.Equal(have, data) {
			t.Errorf("seed corpus file %s/%s is missing or stale; run go test ./sync/protocol -update", corpusDir, name)
		}
	}
}

// corpusFile is the Go fuzzing corpus encoding of one []byte argument.
func corpusFile(data []byte) []byte {
	return fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", data)
}
