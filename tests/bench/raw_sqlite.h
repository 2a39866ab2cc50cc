#pragma once
// The raw-SQLite baseline: the same work as the seam store, written directly against the SQLite
// C API with no hashing, no version checks and no Event objects. Every seam figure is printed
// beside the matching figure from this class, measured in the same run.

#include <cstdint>
#include <memory>
#include <string>

#include "core/event.h"

struct sqlite3;
struct sqlite3_stmt;

namespace seam::bench {

// One row of the baseline table. The hashes are precomputed bytes: a fair baseline stores the
// same bytes as seam but does not compute them.
struct RawRow {
  std::int64_t seq = 0;
  std::string stream;
  std::int64_t version = 0;
  std::string type;
  std::int64_t time_us = 0;
  std::string actor;
  std::string payload;
  Hash prev_hash{};
  Hash hash{};
};

class RawDb {
 public:
  // Opens `path` with the seam store's settings (WAL, synchronous=FULL, no SQLite mutex).
  // With `create`, also creates a table of the same shape as seam's `events` table.
  // Returns nullptr and sets *error on failure.
  static std::unique_ptr<RawDb> Open(const std::string& path, bool create, std::string* error);

  ~RawDb();
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // One INSERT in autocommit mode: its own durable transaction.
  bool InsertOne(const RawRow& row, std::string* error);

  // `n` rows in one BEGIN .. COMMIT through the prepared INSERT; seq and version of `row` are
  // advanced by one per row (row ends at the last inserted values).
  bool InsertBatch(RawRow& row, int n, std::string* error);

  // SELECT of every column of every row of `events` in seq order. *rows is the number of rows,
  // *bytes the total size of the text and blob columns read (so nothing is optimised away).
  bool ScanAll(std::int64_t* rows, std::uint64_t* bytes, std::string* error);

  // The same, for one stream's rows in version order through the UNIQUE(stream, version) index:
  // the query a replay runs, so it is the baseline that does the same work as a seam replay.
  bool ScanStream(const std::string& stream, std::int64_t* rows, std::uint64_t* bytes,
                  std::string* error);

 private:
  RawDb() = default;
  bool Prepare(const char* sql, sqlite3_stmt** out, std::string* error);
  bool Exec(const char* sql, std::string* error);
  bool Fail(int rc, const char* doing, std::string* error);
  bool Bind(const RawRow& row, std::string* error);
  bool ReadRows(sqlite3_stmt* s, std::int64_t* rows, std::uint64_t* bytes, std::string* error);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* scan_ = nullptr;
  sqlite3_stmt* scan_stream_ = nullptr;
};

// A baseline row matching what seam stores for an event of kStream with SamplePayload().
RawRow SampleRawRow();

}  // namespace seam::bench
