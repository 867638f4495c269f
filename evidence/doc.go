// Package evidence turns a file a clerk attaches to a record into what the store keeps: it tells what
// the file is from its bytes (never from its name), proves it by decoding it, shrinks a photo to a long
// side of at most 1600 px upright as its EXIF orientation says, keeps the EXIF date and GPS place as
// fields and drops the rest of the metadata, and names the result by its SHA-256.
//
// The same checks guard the city: a hub calls Check on every file an office sends. The package knows
// nothing of storage or sync; it must never trust a file's name or extension, and never panic on
// hostile bytes.
package evidence
