#include "store/sqlite_event_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/hash_chain.h"
#include "store/sqlite_rows.h"

namespace seam {
namespace {

using namespace sqlite_internal;  // NOLINT(google-build-using-namespace): store-private helpers

struct Header {
  std::int64_t application_id = 0;
  std::int64_t user_version = 0;
  std::int64_t schema_objects = 0;
  bool Empty() const { return application_id == 0 && user_version == 0 && schema_objects == 0; }
};

}  // namespace

struct SqliteEventStore::Impl {
  std::string path;
  int busy_timeout_ms = 0;
  Db db;
  // Cached statements; declared after `db` so they are finalized before it closes.
  Stmt begin, commit, rollback, stream_tip, log_head, insert, read_stream, read_all, verify;

  Status Error(int rc, std::string_view doing) const {
    const std::string msg = db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        return Status::Unavailable("event log " + path +
                                   " is locked by another process (busy for " +
                                   std::to_string(busy_timeout_ms) + " ms); retry when it is done");
      case SQLITE_NOTADB:
        return Status::InvalidArgument(path +
                                       " is not a SQLite database; check the event log path");
      case SQLITE_CORRUPT:
        return Status::Corruption("event log " + path + " is damaged (" + msg +
                                  "); restore it from a backup");
      case SQLITE_CONSTRAINT:
        return Status::Corruption("event log " + path + " refused " + std::string(doing) + " (" +
                                  msg + "); its schema was altered, restore it from a backup");
      case SQLITE_FULL:
      case SQLITE_IOERR:
      case SQLITE_CANTOPEN:
      case SQLITE_READONLY:
      case SQLITE_PERM:
        return Status::IoError("event log " + path + ": " + std::string(doing) + " failed (" + msg +
                               "); check the file and its directory are writable");
      default:
        return Status::Internal("event log " + path + ": " + std::string(doing) +
                                " failed (sqlite: " + msg + ")");
    }
  }

  Result<Stmt> Prepare(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    Stmt s(raw);
    if (rc != SQLITE_OK) return Error(rc, "preparing a query");
    return s;
  }

  Status Exec(const std::string& sql, std::string_view doing) {
    const int rc = sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::Ok() : Error(rc, doing);
  }

  // Steps a statement that returns no rows (BEGIN, COMMIT, ...); SQLITE_DONE on success.
  static int StepDone(sqlite3_stmt* s) {
    Resetter reset(s);
    return sqlite3_step(s);
  }

  Result<std::int64_t> QueryInt(const char* sql) {
    SEAM_ASSIGN_OR_RETURN(Stmt s, Prepare(sql));
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) return Error(rc, "reading the header");
    return sqlite3_column_int64(s.get(), 0);
  }

  Result<Header> ReadHeader() {
    Header h;
    SEAM_ASSIGN_OR_RETURN(h.application_id, QueryInt("PRAGMA application_id"));
    SEAM_ASSIGN_OR_RETURN(h.user_version, QueryInt("PRAGMA user_version"));
    SEAM_ASSIGN_OR_RETURN(h.schema_objects, QueryInt("SELECT count(*) FROM sqlite_schema"));
    return h;
  }

  Status Initialize() {
    SEAM_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL", "switching to WAL mode"));
    SEAM_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE", "starting initialisation"));
    // Another `seamctl init` may have won the race between our check and the lock.
    Result<Header> h = ReadHeader();
    Status st = h.ok() ? Status::Ok() : h.status();
    if (st.ok() && h->Empty()) st = Exec(SchemaSql(), "creating the schema");
    if (st.ok()) st = Exec("COMMIT", "committing the schema");
    if (!st.ok() && sqlite3_get_autocommit(db.get()) == 0) (void)Exec("ROLLBACK", "rollback");
    return st;
  }

  Status CheckOrInitialize(bool create) {
    SEAM_ASSIGN_OR_RETURN(Header h, ReadHeader());
    if (h.Empty()) {
      if (!create) {
        return Status::InvalidArgument(path + " is not a seam event log (empty database); run " +
                                       "`seamctl init` to create one");
      }
      SEAM_RETURN_IF_ERROR(Initialize());
      SEAM_ASSIGN_OR_RETURN(h, ReadHeader());
    }
    if (h.application_id != kSeamApplicationId) {
      char id[32];
      std::snprintf(id, sizeof id, "0x%08x", static_cast<unsigned>(h.application_id));
      return Status::InvalidArgument(path + " is not a seam event log (application_id " + id +
                                     ", expected 0x5345414d); check the event log path");
    }
    if (h.user_version > kSeamSchemaVersion) {
      return Status::FailedPrecondition(
          "event log " + path + " has schema version " + std::to_string(h.user_version) +
          ", newer than this seamctl understands (" + std::to_string(kSeamSchemaVersion) +
          "); upgrade seam");
    }
    if (h.user_version < 1) {
      return Status::Corruption("event log " + path + " has schema version " +
                                std::to_string(h.user_version) +
                                ", which seam never writes; restore it from a backup");
    }
    SEAM_ASSIGN_OR_RETURN(Stmt meta, Prepare("SELECT application FROM seam_meta WHERE id = 1"));
    std::string app;
    if (sqlite3_step(meta.get()) == SQLITE_ROW) AssignText(meta.get(), 0, &app);
    if (app != kApplicationName) {
      return Status::InvalidArgument(path + " is not a seam event log (seam_meta.application is '" +
                                     app + "'); check the event log path");
    }
    return Status::Ok();
  }

  Status Configure() {
    SEAM_ASSIGN_OR_RETURN(Stmt s, Prepare("PRAGMA journal_mode=WAL"));
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) return Error(rc, "switching to WAL mode");
    std::string mode;
    AssignText(s.get(), 0, &mode);
    if (mode != "wal") {
      return Status::IoError("event log " + path + " cannot use WAL mode (journal_mode is " + mode +
                             "); keep it on a local filesystem");
    }
    // FULL: in WAL mode every commit fsyncs the WAL, so a returned Append survives power loss.
    return Exec("PRAGMA synchronous=FULL", "setting synchronous=FULL");
  }

  Status PrepareAll() {
    SEAM_ASSIGN_OR_RETURN(begin, Prepare("BEGIN IMMEDIATE"));
    SEAM_ASSIGN_OR_RETURN(commit, Prepare("COMMIT"));
    SEAM_ASSIGN_OR_RETURN(rollback, Prepare("ROLLBACK"));
    SEAM_ASSIGN_OR_RETURN(stream_tip, Prepare("SELECT version, actor FROM events WHERE stream = ?1 "
                                              "ORDER BY version DESC LIMIT 1"));
    SEAM_ASSIGN_OR_RETURN(log_head,
                          Prepare("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"));
    SEAM_ASSIGN_OR_RETURN(insert, Prepare("INSERT INTO events(" SEAM_EVENT_COLUMNS
                                          ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    SEAM_ASSIGN_OR_RETURN(read_stream, Prepare("SELECT " SEAM_EVENT_COLUMNS " FROM events WHERE "
                                               "stream = ?1 AND version >= ?2 ORDER BY version"));
    SEAM_ASSIGN_OR_RETURN(read_all, Prepare("SELECT " SEAM_EVENT_COLUMNS " FROM events WHERE "
                                            "seq >= ?1 ORDER BY seq LIMIT ?2"));
    SEAM_ASSIGN_OR_RETURN(verify,
                          Prepare("SELECT " SEAM_EVENT_COLUMNS " FROM events ORDER BY seq"));
    return Status::Ok();
  }

  // The stream's version and the actor of its last event (0 and "" for a new stream).
  Status StreamTip(const std::string& stream, std::int64_t* version, std::string* actor) {
    sqlite3_stmt* s = stream_tip.get();
    Resetter reset(s);
    BindText(s, 1, stream);
    const int rc = sqlite3_step(s);
    *version = 0;
    if (rc == SQLITE_DONE) return Status::Ok();
    if (rc != SQLITE_ROW) return Error(rc, "reading stream " + stream);
    *version = sqlite3_column_int64(s, 0);
    if (actor != nullptr) AssignText(s, 1, actor);
    return Status::Ok();
  }

  Result<LogHead> Head() {
    sqlite3_stmt* s = log_head.get();
    Resetter reset(s);
    LogHead head{0, kGenesisHash};
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return head;
    if (rc != SQLITE_ROW) return Error(rc, "reading the head");
    head.seq = sqlite3_column_int64(s, 0);
    if (!AssignHash(s, 1, &head.hash)) return Malformed(head.seq);
    return head;
  }

  Status Malformed(std::int64_t seq) const {
    return Status::Corruption("event log " + path + ": seq " + std::to_string(seq) +
                              " has a malformed hash; run verify and restore from a backup");
  }

  Status Insert(const Event& e) {
    sqlite3_stmt* s = insert.get();
    Resetter reset(s);
    // Bindings are SQLITE_STATIC (nullptr): `e` outlives the step.
    const int binds[] = {
        sqlite3_bind_int64(s, 1, e.seq),
        BindText(s, 2, e.stream),
        sqlite3_bind_int64(s, 3, e.version),
        BindText(s, 4, e.type),
        sqlite3_bind_int64(s, 5, e.time_us),
        BindText(s, 6, e.actor),
        sqlite3_bind_blob64(s, 7, e.payload.data(), e.payload.size(), nullptr),
        sqlite3_bind_blob64(s, 8, e.prev_hash.data(), e.prev_hash.size(), nullptr),
        sqlite3_bind_blob64(s, 9, e.hash.data(), e.hash.size(), nullptr),
    };
    int rc = SQLITE_OK;
    for (const int b : binds) rc = rc == SQLITE_OK ? b : rc;
    if (rc == SQLITE_OK) rc = sqlite3_step(s);
    return rc == SQLITE_DONE ? Status::Ok() : Error(rc, "appending to stream " + e.stream);
  }

  // REQUIRES: inside BEGIN IMMEDIATE.
  Result<AppendResult> AppendLocked(const std::string& stream, std::int64_t expected_version,
                                    const std::vector<EventDraft>& drafts) {
    std::int64_t version = 0;
    std::string last_actor;
    SEAM_RETURN_IF_ERROR(StreamTip(stream, &version, &last_actor));
    if (version != expected_version) {
      const std::string who = version == 0 ? "no events yet" : "last written by " + last_actor;
      return Status::Conflict("stream " + stream + " is at version " + std::to_string(version) +
                              " (" + who + "), expected " + std::to_string(expected_version));
    }
    SEAM_ASSIGN_OR_RETURN(LogHead head, Head());
    AppendResult result{head.seq + 1, 0, 0};
    Event e;
    e.stream = stream;
    e.seq = head.seq;
    e.version = version;
    e.hash = head.hash;
    for (const EventDraft& d : drafts) {
      ++e.seq;
      ++e.version;
      e.type = d.type;
      e.time_us = d.time_us;
      e.actor = d.actor;
      e.payload = d.payload;
      e.prev_hash = e.hash;
      e.hash = ComputeEventHash(e);
      SEAM_RETURN_IF_ERROR(Insert(e));
    }
    result.last_seq = e.seq;
    result.last_version = e.version;
    return result;
  }

  Result<AppendResult> Append(const std::string& stream, std::int64_t expected_version,
                              const std::vector<EventDraft>& drafts) {
    if (const int rc = StepDone(begin.get()); rc != SQLITE_DONE) {
      return Error(rc, "starting an append");
    }
    Result<AppendResult> result = AppendLocked(stream, expected_version, drafts);
    if (result.ok()) {
      const int rc = StepDone(commit.get());
      if (rc == SQLITE_DONE) return result;
      result = Error(rc, "committing an append");
    }
    // Nothing of a failed append may stay behind. SQLite may already have rolled back.
    if (sqlite3_get_autocommit(db.get()) == 0) (void)StepDone(rollback.get());
    return result;
  }

  Result<std::vector<Event>> ReadRows(sqlite3_stmt* s, std::string_view doing) {
    std::vector<Event> out;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      Event& e = out.emplace_back();
      if (!ReadRow(s, &e)) return Malformed(e.seq);
    }
    if (rc != SQLITE_DONE) return Error(rc, doing);
    return out;
  }

  Result<VerifyReport> Verify() {
    sqlite3_stmt* s = verify.get();
    Resetter reset(s);
    VerifyReport report;
    report.head_hash = kGenesisHash;
    std::unordered_map<std::string, std::int64_t> versions;  // stream -> last version seen
    Event e;  // reused across rows: assign() keeps capacity, so rows cost no allocations
    auto bad = [&](std::string reason) {
      report.intact = false;
      report.first_bad_seq = e.seq;
      report.reason = std::move(reason);
      return report;
    };
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      const bool hashes_ok = ReadRow(s, &e);
      const std::int64_t want_seq = report.head_seq + 1;
      if (e.seq != want_seq) {
        return bad("seq gap: expected seq " + std::to_string(want_seq) + ", found " +
                   std::to_string(e.seq));
      }
      if (!hashes_ok) return bad("prev_hash or hash is not 32 bytes");
      if (e.prev_hash != report.head_hash) {
        return bad("prev_hash does not match the hash of seq " + std::to_string(report.head_seq));
      }
      if (ComputeEventHash(e) != e.hash) return bad("hash mismatch: the row was altered");
      auto [it, inserted] = versions.try_emplace(e.stream, 0);
      if (e.version != it->second + 1) {
        return bad("stream " + e.stream + " has version " + std::to_string(e.version) +
                   ", expected " + std::to_string(it->second + 1));
      }
      it->second = e.version;
      ++report.events_checked;
      report.head_seq = e.seq;
      report.head_hash = e.hash;
    }
    if (rc != SQLITE_DONE) return Error(rc, "verifying");
    return report;
  }
};

Result<std::unique_ptr<SqliteEventStore>> SqliteEventStore::Open(const std::string& path,
                                                                 const OpenOptions& options) {
  // Checked before SQLite sees the path, so a refused file is never created or written.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err != ENOENT) {
      return Status::IoError("cannot open event log " + path + ": " + std::strerror(err));
    }
    if (!options.create_if_missing) {
      return Status::NotFound("no event log at " + path + "; run `seamctl init`");
    }
  } else if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(path + " is not a regular file; check the event log path");
  } else if (st.st_size == 0 && !options.create_if_missing) {
    return Status::InvalidArgument(path + " is not a seam event log (empty file); run " +
                                   "`seamctl init` to create one");
  }

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->busy_timeout_ms = options.busy_timeout_ms;
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                    (options.create_if_missing ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  impl->db.reset(raw);  // SQLite allocates a handle even when opening fails
  if (rc != SQLITE_OK) return impl->Error(rc, "opening");
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);

  SEAM_RETURN_IF_ERROR(impl->CheckOrInitialize(options.create_if_missing));
  SEAM_RETURN_IF_ERROR(impl->Configure());
  SEAM_RETURN_IF_ERROR(impl->PrepareAll());
  return std::unique_ptr<SqliteEventStore>(new SqliteEventStore(std::move(impl)));
}

SqliteEventStore::SqliteEventStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteEventStore::~SqliteEventStore() = default;

const std::string& SqliteEventStore::path() const { return impl_->path; }

Result<AppendResult> SqliteEventStore::Append(const std::string& stream,
                                              std::int64_t expected_version,
                                              const std::vector<EventDraft>& events) {
  if (events.empty() || expected_version < 0 || stream.empty()) {
    return Status::InvalidArgument("append to stream '" + stream + "' needs events and " +
                                   "expected_version >= 0 (got " + std::to_string(events.size()) +
                                   " events, expected_version " +
                                   std::to_string(expected_version) + ")");
  }
  return impl_->Append(stream, expected_version, events);
}

Result<std::vector<Event>> SqliteEventStore::ReadStream(const std::string& stream,
                                                        std::int64_t from_version) {
  sqlite3_stmt* s = impl_->read_stream.get();
  Resetter reset(s);
  BindText(s, 1, stream);
  sqlite3_bind_int64(s, 2, from_version);
  return impl_->ReadRows(s, "reading stream " + stream);
}

Status SqliteEventStore::ScanStream(const std::string& stream, std::int64_t from_version,
                                    const std::function<Status(const Event&)>& visit) {
  sqlite3_stmt* s = impl_->read_stream.get();
  Resetter reset(s);
  BindText(s, 1, stream);
  sqlite3_bind_int64(s, 2, from_version);
  Event e;  // reused: assign() keeps string capacity, so rows cost no allocations
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (!ReadRow(s, &e)) return impl_->Malformed(e.seq);
    SEAM_RETURN_IF_ERROR(visit(e));
  }
  if (rc != SQLITE_DONE) return impl_->Error(rc, "reading stream " + stream);
  return Status::Ok();
}

Result<std::vector<Event>> SqliteEventStore::ReadAll(std::int64_t from_seq, std::int64_t limit) {
  sqlite3_stmt* s = impl_->read_all.get();
  Resetter reset(s);
  sqlite3_bind_int64(s, 1, from_seq);
  sqlite3_bind_int64(s, 2, limit > 0 ? limit : -1);  // LIMIT -1: no limit
  return impl_->ReadRows(s, "reading the log");
}

Result<std::int64_t> SqliteEventStore::StreamVersion(const std::string& stream) {
  std::int64_t version = 0;
  SEAM_RETURN_IF_ERROR(impl_->StreamTip(stream, &version, nullptr));
  return version;
}

Result<LogHead> SqliteEventStore::Head() { return impl_->Head(); }

Result<VerifyReport> SqliteEventStore::Verify() { return impl_->Verify(); }

}  // namespace seam
