#pragma once
// One file of `seamctl discover`, on one worker thread: read once, judged by the lexical
// pre-scan, then parsed at once or put off (its words kept as keyed MACs); a put-off file chosen
// for parsing is read again and parsed. Each worker writes into a Share of its own.

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <ctime>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/crypto.h"
#include "tools/discover/discover.h"
#include "tools/discover/text_extract.h"
#include "tools/discover/value_shape.h"

namespace seam::discover {

// What the pre-scan kept of a file whose parse was put off: the keyed MACs of its words, each
// (line, word) once, and what the file was, to tell it was not replaced before the parse.
struct Deferred {
  std::size_t file = 0;  // into Walk::files
  off_t size = 0;
  struct timespec mtime {};
  std::vector<std::pair<std::string, std::string>> words;  // {mac, mac of its SHA-256 hex}
  std::set<std::string> keys;  // the names written before the words (a near miss is one name in siblings)
};

// One worker's share; merged at the end.
struct Share {
  std::vector<Place> places;
  std::vector<WalkWarning> warnings;
  std::vector<Deferred> deferred;
  DiscoverStats stats;
};

class FileReader {
 public:
  FileReader(const DiscoverOptions& o, const KeyRing& keys, Share& share) : options_(o), keys_(keys), share_(share) {}
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  // `index`: the file's place in the walk. `before`: a file the pre-scan put off, now parsed:
  // it must be the file the pre-scan read.
  void Read(const WalkedFile& f, std::size_t index, const Deferred* before = nullptr);

 private:
  void Warn(const WalkedFile& f, std::string error);
  // `st`: the first read (the pre-scan decides); null: the parse the pre-scan put off.
  void Text(const WalkedFile& f, std::optional<Format> named, std::string_view bytes, const struct stat* st,
            std::size_t index);
  void Defer(std::size_t index, const struct stat& st, const Lexed& lexed);
  Place NewPlace(const WalkedFile& f, Format format) const;
  void Value(const WalkedFile& f, Format format, const Spot& s, int yaml_documents);
  void Fill(Place& p, Why why, std::string_view value) const;
  void Pem(const WalkedFile& f, std::string_view bytes);
  void Database(const WalkedFile& f, std::size_t size);

  const DiscoverOptions& options_;
  const KeyRing& keys_;
  Share& share_;
  std::string buffer_;  // one per reader, grown to the largest file read, wiped after each
};

// Adds one worker's counts to `into`.
void Merge(DiscoverStats& into, const DiscoverStats& s);

}  // namespace seam::discover
