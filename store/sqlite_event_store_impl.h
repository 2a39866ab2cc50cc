#pragma once
// SqliteEventStore::Impl, private to store/. Split across two files:
//  - sqlite_open.cc: Open, header validation, initialisation, connection settings, statement
//    preparation, and the SQLite error mapping;
//  - sqlite_event_store.cc: appends, reads (with the per-row hash check) and Verify.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_store.h"
#include "store/sqlite_event_store.h"
#include "store/sqlite_rows.h"

namespace seam {

struct SqliteEventStore::Impl {
  // The three things Open reads to tell a seam log from anything else.
  struct Header {
    std::int64_t application_id = 0;
    std::int64_t user_version = 0;
    std::int64_t schema_objects = 0;
    bool Empty() const { return application_id == 0 && user_version == 0 && schema_objects == 0; }
  };

  std::string path;
  int busy_timeout_ms = 0;
  int watch_poll_ms = 1000;
  bool read_only = false;
  bool has_epoch = true;  // false only for a schema-1 log opened read-only (not migrated)
  // Set when a read-only open found the disk full and read the database file alone (see
  // Open and OpenConnection): what the person should be told.
  std::string notice;
  sqlite_internal::Db db;
  // Cached statements; declared after `db` so they are finalized before it closes.
  // The write statements stay null on a read-only store.
  sqlite_internal::Stmt begin, commit, rollback, insert;
  sqlite_internal::Stmt stream_tip, log_head, read_stream, read_all, verify;

  // --- sqlite_open.cc ---
  Status Error(int rc, std::string_view doing) const;
  Result<sqlite_internal::Stmt> Prepare(const char* sql);
  Status Exec(const std::string& sql, std::string_view doing);
  Result<std::int64_t> QueryInt(const char* sql);
  Result<Header> ReadHeader();
  Status Initialize();
  Status CheckOrInitialize(bool create);
  // Brings an older schema to kSeamSchemaVersion in one write transaction.
  Status Migrate();
  Status Configure();
  Status PrepareAll();
  // Opens `path` with SQLITE_OPEN_* `flags`, or as an immutable URI (no locks, no WAL index, the
  // WAL not read), and applies the connection settings.
  Status OpenConnection(int flags, bool immutable);
  // Whether the last failure was the OS's "No space left on device".
  bool DiskFull() const;

  // --- sqlite_event_store.cc ---
  Status StreamTip(const std::string& stream, std::int64_t* version, std::string* actor);
  Result<LogHead> Head();
  Status Malformed(std::int64_t seq) const;
  // Corruption unless e.hash == ComputeEventHash(e): the row was edited behind seam's back.
  Status CheckRowHash(const Event& e) const;
  Status RowHashMismatch(const Event& e) const;  // the Corruption CheckRowHash reports
  Status Insert(const Event& e);
  Result<AppendResult> AppendLocked(const std::string& stream, std::int64_t expected_version,
                                    const std::vector<EventDraft>& drafts, std::int64_t epoch);
  Result<AppendResult> Append(const std::string& stream, std::int64_t expected_version,
                              const std::vector<EventDraft>& drafts, std::int64_t epoch);
  // Steps `s` to the end, decoding and hash-checking every row.
  Result<std::vector<Event>> ReadRows(sqlite3_stmt* s, std::string_view doing);
  Result<VerifyReport> Verify();
};

}  // namespace seam
