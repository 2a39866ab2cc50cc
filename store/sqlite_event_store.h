#pragma once
// SqliteEventStore: the embedded EventStore, one SQLite file in WAL mode. The on-disk format
// (tables, triggers, PRAGMAs, hash chain) is documented in docs/log-format.md.
//
// Thread-safety: one object is used from one thread at a time (the connection is opened without
// SQLite's mutex). Several objects, in one or many processes, may open the same file at once:
// Append takes SQLite's write lock (BEGIN IMMEDIATE) so its version check and insert are
// serialised; readers see a consistent snapshot and never block writers.
// Files touched: the database file and SQLite's own "<path>-wal" and "<path>-shm", nothing else.
// A read-only store (SqliteOpenOptions::read_only) never writes the database file nor the WAL;
// like any SQLite WAL reader it creates an empty "<path>-wal" and the "<path>-shm" index when
// they are missing (so it needs them to exist, or a writable directory), and, since it never
// checkpoints, leaves them behind on close (a 0-byte WAL; the next writer reuses or removes it).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/event_store.h"

namespace seam {

// PRAGMA application_id of a seam event log: "SEAM" in ASCII.
inline constexpr std::int32_t kSeamApplicationId = 0x5345414d;
// PRAGMA user_version this code reads and writes. A newer file is refused; an older one is
// migrated when opened for writing (docs/log-format.md "Schema versions"). 2: events.epoch.
inline constexpr std::int32_t kSeamSchemaVersion = 2;

struct SqliteOpenOptions {
  // Create and initialise the log if the file is missing or empty (`seamctl init`). Otherwise a
  // missing file is NotFound ("no event log at PATH; run `seamctl init`").
  bool create_if_missing = false;
  // How long to wait for another process's write lock before returning Unavailable.
  int busy_timeout_ms = 5000;
  // For read commands (`seamctl check`, `log`, `verify`): open with SQLITE_OPEN_READONLY, run
  // no PRAGMA that writes, never checkpoint the WAL into the database file. The header checks
  // (application id, schema version) still apply. Append returns FailedPrecondition
  // ("event log PATH was opened read-only"). Cannot be combined with create_if_missing
  // (InvalidArgument).
  bool read_only = false;
  // How often WatchAppends reads the head (SQLite cannot notify another process).
  int watch_poll_ms = 1000;
};

class SqliteEventStore final : public EventStore {
 public:
  using OpenOptions = SqliteOpenOptions;

  // Opens (or, with create_if_missing, creates) the log at `path`. Refuses, with a one-line
  // message naming the path:
  //  - a missing file (NotFound), unless create_if_missing;
  //  - a file that is not SQLite, or a SQLite file of another application, or an empty file
  //    without create_if_missing (InvalidArgument);
  //  - a schema newer than kSeamSchemaVersion (FailedPrecondition);
  // An older schema is migrated in one transaction, unless read_only (then read as it is).
  //  - a lock held past busy_timeout_ms (Unavailable).
  // Never writes to a file it refuses.
  static Result<std::unique_ptr<SqliteEventStore>> Open(const std::string& path,
                                                        const OpenOptions& options);

  ~SqliteEventStore() override;
  SqliteEventStore(const SqliteEventStore&) = delete;
  SqliteEventStore& operator=(const SqliteEventStore&) = delete;

  // EventStore. Besides the interface's errors: Unavailable when another process holds the
  // write lock past busy_timeout_ms; IoError / Corruption when SQLite reports them.
  // ReadStream, ScanStream and ReadAll recompute every row's hash and return Corruption
  // ("event log PATH: event seq N of stream S fails its hash check (the row was altered); run
  // `seamctl verify`") for a row edited behind seam's back. They do not check prev_hash links
  // (a stream's rows are not consecutive in the chain): that, and gaps, is Verify's job.
  // A checked fence (epoch > 0) is refused: a log on one host keeps no ownership leases.
  using EventStore::Append;
  Result<AppendResult> Append(const std::string& stream, std::int64_t expected_version,
                              const std::vector<EventDraft>& events, const AppendFence& fence) override;
  Result<std::vector<Event>> ReadStream(const std::string& stream,
                                        std::int64_t from_version = 1) override;
  Status ScanStream(const std::string& stream, std::int64_t from_version,
                    const std::function<Status(const Event&)>& visit) override;
  Result<std::vector<Event>> ReadAll(std::int64_t from_seq, std::int64_t limit = 0) override;
  Result<std::int64_t> StreamVersion(const std::string& stream) override;
  Result<LogHead> Head() override;
  // Checks, in seq order: seq runs 1..n without gaps, prev_hash equals the previous row's hash,
  // hash equals ComputeEventHash(row), and each stream's versions run 1..n. Stops at the first
  // bad row; then events_checked and head_* describe the intact prefix before it.
  Result<VerifyReport> Verify() override;
  // Polls the head every watch_poll_ms on a read-only connection of its own
  // (store/sqlite_append_watch.h).
  Result<std::unique_ptr<AppendWatch>> WatchAppends(std::int64_t after_seq,
                                                    std::function<void(std::int64_t)> on_append) override;

  const std::string& path() const;
  bool read_only() const;
  // "" normally. When a read-only open found the disk full (SQLite could not create the
  // shared-memory index a reader of a WAL database needs) and nothing was in the WAL, the log
  // is read from the database file alone, without locks, and this says so for the person.
  const std::string& notice() const;

 private:
  struct Impl;
  explicit SqliteEventStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace seam
