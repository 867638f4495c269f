package client

import "errors"

// An office's token lets whoever holds it write the office's records at the city, so it is not kept in
// the store's plain bytes, where every copy of the data folder and every backup would carry it. It is
// sealed with a key that belongs to the user of this PC, not to the store:
//
//   - Windows: DPAPI (CryptProtectData), tied to the Windows account; no key file, works offline.
//   - elsewhere: AES-256-GCM with a random key kept in token.key in the user's configuration folder
//     ($XDG_CONFIG_HOME/techaid or ~/.config/techaid, 0600 in a 0700 folder), outside the data folder.
//
// The OS keyrings were weighed: the Secret Service that Linux keyring libraries talk to is missing on
// headless PCs and servers and locked or absent on many office desktops, and whatever runs as the
// same user can read it as it can read token.key; DPAPI is Windows' own and always there.
//
// What this protects: a copy of the data folder or a backup taken to another PC or read by another user
// does not reveal the token. What it does not: anyone who runs programs as this user on this PC (the
// shared account of a shared PC, malware) or as the administrator can unseal it, as the app itself does.

// ErrTokenUnreadable is returned when the remembered token was sealed by another user or on another
// PC (the data folder was copied or restored there), or its key is gone: it must be given again.
var ErrTokenUnreadable = errors.New("the remembered token cannot be unsealed by this user on this PC")

// tokenAAD binds a sealed blob to its purpose.
var tokenAAD = []byte("techaid office token v1")
