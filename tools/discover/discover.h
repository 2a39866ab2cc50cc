#pragma once
// `seamctl discover`: the places under some paths that hold a value worth agreeing on (a secret,
// a certificate and its key, with --include-plain a URL or host name), known only by keyed MACs.
// Writes nothing anywhere.
//
// Two phases, each on a few threads. 1: every file is read once and passed over when binary, too
// large or holding no word the lexical pre-scan (value_shape.h Lex) takes; PEM files, SQLite
// databases and files whose words are not sure are parsed at once; of the others only the MACs of
// their words are kept. 2: the files with a word that is somewhere else too (or a sibling with a
// word under the same name) are read again and parsed with the sides' own parsers
// (text_extract.h); the rest hold no seam. So parsing, the costly part (yaml-cpp reads a few MB/s),
// is spent on the few files that can be in a group.

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "core/status.h"
#include "tools/discover/file_walk.h"
#include "tools/discover/place.h"

namespace seam::discover {

inline constexpr std::size_t kMaxTextFileBytes = 4u << 20;     // a config file is far smaller
inline constexpr std::size_t kMaxDatabaseBytes = 1024u << 20;  // read by SQLite, row caps apply
// More words than a config file has (a data file, a dump): passed over, memory stays bounded.
inline constexpr std::size_t kMaxWordsPerFile = 10'000;

struct DiscoverOptions {
  WalkOptions walk;
  bool include_plain = false;
  // --probe-tls HOST:PORT: the certificate each server presents joins the certificates found in
  // files (2 s to connect and shake hands; a failure is a warning). SNI: HOST when it is a name.
  std::vector<std::string> probe_tls;
  unsigned threads = 0;  // 0: one per core, at most 4
};

struct DiscoverStats {
  WalkStats walk;
  std::size_t files = 0;          // regular files listed by the walk
  std::size_t bytes_read = 0;
  std::size_t binary = 0;         // a NUL byte in the first 8 KiB, not a SQLite database
  std::size_t too_large = 0;
  std::size_t not_worth = 0;      // nothing the pre-scan looks for
  std::size_t too_many_words = 0; // over kMaxWordsPerFile: a data file, passed over
  std::size_t lone = 0;           // words the pre-scan found nowhere else and no sibling: not parsed
  std::size_t unknown_format = 0; // text in no format discover reads
  std::map<std::string, std::size_t> parsed;        // by format name
  std::map<std::string, std::size_t> parse_errors;  // by format name: sniffed as it, but not valid
  std::size_t unreadable = 0;     // warnings
  std::size_t truncated_databases = 0;
  double seconds = 0;
};

struct Findings {
  std::vector<Place> places;  // every candidate place, sorted by file then locator
  std::vector<WalkWarning> warnings;  // files and folders that could not be read
  DiscoverStats stats;
};

// InvalidArgument for a root that does not exist or a --probe-tls that is not HOST:PORT; everything below a root that cannot be read
// is a warning. `keys` keys every MAC (the state's key, or an ephemeral one); FingerprintMac is
// safe to call from several threads.
Result<Findings> Discover(const DiscoverOptions& options, const KeyRing& keys);

}  // namespace seam::discover
