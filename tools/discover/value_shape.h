#pragma once
// Which values are worth agreeing on, judged from the key they sit under and their shape alone.
// Lexical and cheap: every string of every file parsed goes through here.

#include <optional>
#include <string>
#include <string_view>

#include "tools/discover/place.h"

namespace seam::discover {

// Whether `key` (a JSON key, a variable, a column) names a secret: one of its words (split at
// `_ - .`, spaces and lower-to-upper case changes: `apiKey`, `API_KEY`, `api-key`) is token,
// secret, password, passwd, pwd, passphrase, key, apikey, credential(s), auth, bearer,
// private, cookie, session, salt, signature, dsn.
bool KeyNamesSecret(std::string_view key);

// Why `value` under `key` is worth agreeing on, or nullopt:
//  - a key naming a secret, a value of 8 to 8192 bytes without a line break that is not a
//    placeholder (changeme, ${VAR}, <...>, one repeated character, a path, a number, true/false);
//  - 64 hex digits (kDigest);
//  - 20 to 8192 bytes of [A-Za-z0-9+/=_.~-] with letters and digits and at least 3.5 bits of
//    entropy per character (kEntropy);
//  - with `include_plain`: a URL (scheme://host...) or a dotted host name (kPlain).
std::optional<Why> Judge(std::string_view key, std::string_view value, bool include_plain);

// The alphabet of `value` as [seam.format] names them ("hex" lower-case only, "alnum",
// "base64url", "ascii-printable"), "" when it has other bytes.
std::string AlphabetOf(std::string_view value);

// Whether `bytes` (a whole file) may hold anything Judge takes: "-----BEGIN " (PEM), or a line
// with a run of 20 characters a random value is made of, or a secret-naming word followed on its
// line by 8 characters in a row that are not spaces, quotes or `,:={}[]`. False means: not
// worth parsing. (So a value under a secret-naming key is found only when it has 8 characters in
// a row without a space, and on the key's line.)
bool WorthParsing(std::string_view bytes, bool include_plain);

}  // namespace seam::discover
