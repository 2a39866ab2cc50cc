#pragma once
// What `seamctl discover` finds: one place (a file and where in it) holding a value worth
// agreeing on, known only by keyed MACs of the value, never by the value itself.

#include <cstddef>
#include <optional>
#include <string>

namespace seam::discover {

enum class Format { kJson, kYaml, kToml, kEnv, kPem, kSqlite, kTls };
// "json", "yaml", "toml", "env", "pem", "sqlite", "tls" (a certificate a server presents)
const char* FormatName(Format f);

// Why a value was taken.
enum class Why {
  kKeyName,      // its key, variable or column is named like a secret (token, password, ...)
  kEntropy,      // long and random-looking, whatever its name
  kDigest,       // 64 hex digits: maybe the SHA-256 of a value kept elsewhere
  kPlain,        // a URL or host name (--include-plain)
  kCertificate,  // a PEM certificate (the first of its file: the leaf)
  kPrivateKey,   // a PEM private key
};
const char* WhyName(Why w);  // "key name", "entropy", "digest", "plain", "certificate", "private key"

// A SQLite cell, for a sqlite-row side: the row is the one whose `key_column` holds `key`.
struct SqliteCell {
  std::string table;
  std::string column;
  std::string key_column;  // "" when the table has no one-column primary key (no side can name the row)
  std::string key;
};

struct Place {
  std::string file;      // as the walk reached it: the root given, joined with the path below it;
                         // a TLS server probed: HOST:PORT ([v6]:PORT)
  std::string via_link;  // a symbolic link the walk also reached the file through ("" none): kept
                         // by renewals (certbot's live/), so --toml prefers it
  Format format = Format::kJson;
  // Where in the file, as Side::FilePlaces says it (core/side.h): "/a/b" (json, toml; yaml, with
  // "#N" before it for document N > 0), "VAR" (env), `t.c where k = "v"` (sqlite),
  // "certificate", "private key" (pem), "served certificate" (tls).
  std::string locator;
  std::string key_name;  // the last key, the variable or the column: names the seam
  int yaml_documents = 0;  // yaml: documents in the file (more than one: the side needs `document`)
  int yaml_document = 0;
  std::optional<SqliteCell> cell;
  Why why = Why::kKeyName;
  std::size_t length = 0;  // bytes of the value (the --toml [seam.format])
  std::string alphabet;    // of the value: "hex", "base64url", "alnum", "ascii-printable" or ""
  std::string mac;         // KeyRing::FingerprintMac of the value (certificate: of its DER; key: of its public key)
  // The mac a place keeping a derived form of this value has: the lower-case SHA-256 hex of a
  // value, the public key of a certificate. "" when none.
  std::string link_mac;
  std::string detail;  // certificates: "sha256:… (CN=example.org, not after …)" (public facts)
  bool ca = false;     // certificates: a CA's (trust anchors: a group of CA copies alone is no seam)
  int chain_length = 0;  // certificates: in the file (a side keeps the fullest chain)
  // Filled by the grouping: the configured seam and side that already keep this place.
  std::string covered_seam;
  std::string covered_side;
};

}  // namespace seam::discover
