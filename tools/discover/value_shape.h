#pragma once
// Which values are worth agreeing on, judged from the key they sit under and their shape alone.
// Lexical and cheap: every string of every file parsed goes through here.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/discover/place.h"

namespace seam::discover {

// Whether `key` (a JSON key, a variable, a column) names a secret: one of its words (split at
// `_ - .`, spaces and lower-to-upper case changes: `apiKey`, `API_KEY`, `api-key`) is token,
// secret, password, passwd, pwd, pass, passphrase, key, apikey, credential(s), auth, bearer,
// private, cookie, session, salt, signature, dsn, sha256, digest, hash; and its last word does
// not say it is about one (`key_file`, `password_path`, `auth_type`, `token_ttl`, `auth_username`:
// file, path, dir, type, mode, name, user, url, ttl, timeout, id, ...).
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

// The lexical pre-scan: the words of a file that may be values Judge takes, found without a
// parser, so that only the files whose words are also somewhere else are parsed.
struct LexToken {
  std::string_view text;  // into the bytes lexed
  std::size_t line = 0;   // from 1
  std::string_view key;   // the name written before it on its line ("" none): for siblings
};
struct Lexed {
  // Runs of 20 characters a random value is made of (and a `KEY=value` run's value), and after
  // a secret-naming word on its line, runs of 8 characters that are not spaces, quotes or
  // `,:={}[]` (with their base64 '=' padding). A value under a secret-naming key is thus found
  // only when it has 8 such characters in a row on the key's line.
  std::vector<LexToken> tokens;
  bool pem = false;        // "-----BEGIN " somewhere
  // A value after a secret-naming word holds characters other formats may escape or quote
  // differently (`p@ss"w0rd`): its words tell nothing for sure; parse the file.
  bool uncertain = false;
};
Lexed Lex(std::string_view bytes);

}  // namespace seam::discover
