#pragma once
// SQLite plumbing private to store/: RAII handles, the schema text, and the row codec shared by
// every query that reads events. Not for use outside store/.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/event.h"

namespace seam::sqlite_internal {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Resets a cached statement when the scope ends: a statement left mid-step would keep its read
// snapshot open (blocking WAL checkpoints) until its next use.
class Resetter {
 public:
  explicit Resetter(sqlite3_stmt* s) : s_(s) {}
  ~Resetter() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Resetter(const Resetter&) = delete;
  Resetter& operator=(const Resetter&) = delete;

 private:
  sqlite3_stmt* s_;
};

inline constexpr std::string_view kApplicationName = "seam-event-log";

// The whole schema, created in one transaction with the header PRAGMAs (docs/log-format.md).
std::string SchemaSql();
// What brings a log of schema version `from_version` (< kSeamSchemaVersion) to the next one; run
// inside a write transaction.
std::string MigrationSql(std::int64_t from_version);

// The column list every event-reading query selects, in ReadRow's order. A log of schema
// version 1 (before epochs) has no epoch column; opened read-only it is not migrated, and its
// events read as epoch 0, which is what they are.
std::string EventColumns(bool has_epoch);

// Copy a column into `out`, reusing its capacity. AssignHash is false unless the blob is 32 bytes.
void AssignText(sqlite3_stmt* s, int col, std::string* out);
void AssignBlob(sqlite3_stmt* s, int col, std::string* out);
bool AssignHash(sqlite3_stmt* s, int col, Hash* out);

// SQLITE_STATIC binding (nullptr destructor): the caller keeps `v` alive until the step.
int BindText(sqlite3_stmt* s, int i, const std::string& v);

// Reads an EventColumns row into `e`, reusing its string capacity. False when prev_hash or
// hash is not 32 bytes (only possible in an altered file).
bool ReadRow(sqlite3_stmt* s, Event* e);

}  // namespace seam::sqlite_internal
