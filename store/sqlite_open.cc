// SqliteEventStore::Open: refusing what is not a seam log, initialising a new one, connection
// settings and statement preparation. See docs/log-format.md.

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "store/sqlite_event_store_impl.h"

namespace seam {

using namespace sqlite_internal;  // NOLINT(google-build-using-namespace): store-private helpers

Status SqliteEventStore::Impl::Error(int rc, std::string_view doing) const {
  const std::string msg = db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable("event log " + path + " is locked by another process (busy for " +
                                 std::to_string(busy_timeout_ms) +
                                 " ms); retry when it is done");
    case SQLITE_NOTADB:
      return Status::InvalidArgument(path + " is not a SQLite database; check the event log path");
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
    case SQLITE_PERM: {
      // The OS's own reason, when SQLite has one: "disk I/O error" alone hides a full disk.
      const int sys = db ? sqlite3_system_errno(db.get()) : 0;
      if (sys == ENOSPC || (rc & 0xff) == SQLITE_FULL) {
        return Status::IoError("event log " + path + ": " + std::string(doing) + " failed (" + msg +
                               (sys != 0 ? ": " + std::string(std::strerror(sys)) : std::string()) +
                               "); the disk holding it is full: free space, then run the command again");
      }
      const std::string os = sys != 0 ? ": " + std::string(std::strerror(sys)) : std::string();
      if (read_only) {
        // A WAL reader needs PATH-shm (and PATH-wal): they must exist or be creatable.
        return Status::IoError("event log " + path + ": " + std::string(doing) + " failed (" +
                               msg + os + "); check the file is readable and that " + path +
                               "-shm exists or its directory is writable");
      }
      return Status::IoError("event log " + path + ": " + std::string(doing) + " failed (" + msg + os +
                             "); check the file and its directory are writable");
    }
    default:
      return Status::Internal("event log " + path + ": " + std::string(doing) +
                              " failed (sqlite: " + msg + ")");
  }
}

bool SqliteEventStore::Impl::DiskFull() const { return db && sqlite3_system_errno(db.get()) == ENOSPC; }

namespace {

// "file:" URI of `path` for sqlite3_open_v2 with SQLITE_OPEN_URI: every byte but the unreserved
// ones and '/' percent-encoded, so '?', '#' and '%' in a path stay part of it.
std::string FileUri(const std::string& path, std::string_view query) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = "file:";
  // "file://x" would name a host: "//x" is "/x" to the kernel, so one leading slash is kept.
  std::string_view rest = path;
  while (rest.size() > 1 && rest[0] == '/' && rest[1] == '/') rest.remove_prefix(1);
  for (const char ch : rest) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      uri.push_back(static_cast<char>(c));
    } else {
      uri += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return uri + "?" + std::string(query);
}

// Whether PATH-wal may hold frames the database file lacks: present and not empty. SQLite
// deletes the WAL when the last connection closes cleanly, and a reader finding none (or an
// empty one) reads the database file alone anyway.
bool WalMayHoldFrames(const std::string& path) {
  struct stat st {};
  if (::stat((path + "-wal").c_str(), &st) != 0) return errno != ENOENT;
  return st.st_size > 0;
}

}  // namespace

Status SqliteEventStore::Impl::OpenConnection(int flags, bool immutable) {
  sqlite3* raw = nullptr;
  const std::string name = immutable ? FileUri(path, "immutable=1") : path;
  const int rc = sqlite3_open_v2(name.c_str(), &raw, flags | (immutable ? SQLITE_OPEN_URI : 0), nullptr);
  db.reset(raw);  // SQLite allocates a handle even when opening fails
  if (rc != SQLITE_OK) return Error(rc, "opening");
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  if (read_only) {
    // The main file is opened O_RDONLY, so a checkpoint could not write it anyway; say so
    // explicitly so that closing never even tries to move WAL frames into it.
    sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, static_cast<int*>(nullptr));
  }
  return Status::Ok();
}

Result<Stmt> SqliteEventStore::Impl::Prepare(const char* sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  Stmt s(raw);
  if (rc != SQLITE_OK) return Error(rc, "preparing a query");
  return s;
}

Status SqliteEventStore::Impl::Exec(const std::string& sql, std::string_view doing) {
  const int rc = sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : Error(rc, doing);
}

Result<std::int64_t> SqliteEventStore::Impl::QueryInt(const char* sql) {
  SEAM_ASSIGN_OR_RETURN(Stmt s, Prepare(sql));
  const int rc = sqlite3_step(s.get());
  if (rc != SQLITE_ROW) return Error(rc, "reading the header");
  return sqlite3_column_int64(s.get(), 0);
}

// Reads only: these PRAGMAs without a value query, they never write.
Result<SqliteEventStore::Impl::Header> SqliteEventStore::Impl::ReadHeader() {
  Header h;
  SEAM_ASSIGN_OR_RETURN(h.application_id, QueryInt("PRAGMA application_id"));
  SEAM_ASSIGN_OR_RETURN(h.user_version, QueryInt("PRAGMA user_version"));
  SEAM_ASSIGN_OR_RETURN(h.schema_objects, QueryInt("SELECT count(*) FROM sqlite_schema"));
  return h;
}

Status SqliteEventStore::Impl::Initialize() {
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

Status SqliteEventStore::Impl::CheckOrInitialize(bool create) {
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
  has_epoch = h.user_version >= 2;
  SEAM_ASSIGN_OR_RETURN(Stmt meta, Prepare("SELECT application FROM seam_meta WHERE id = 1"));
  std::string app;
  if (sqlite3_step(meta.get()) == SQLITE_ROW) AssignText(meta.get(), 0, &app);
  if (app != kApplicationName) {
    return Status::InvalidArgument(path + " is not a seam event log (seam_meta.application is '" +
                                   app + "'); check the event log path");
  }
  return Status::Ok();
}

Status SqliteEventStore::Impl::Migrate() {
  SEAM_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE", "starting a schema migration"));
  // Another writer may have migrated between our header check and the lock.
  Status st = Status::Ok();
  for (;;) {
    Result<std::int64_t> version = QueryInt("PRAGMA user_version");
    if (!version.ok()) st = version.status();
    if (!st.ok() || *version >= kSeamSchemaVersion) break;
    const std::string sql = MigrationSql(*version);
    if (sql.empty()) {
      st = Status::Internal("event log " + path + ": no migration from schema version " + std::to_string(*version));
      break;
    }
    st = Exec(sql, "migrating the schema from version " + std::to_string(*version));
    if (!st.ok()) break;
  }
  if (st.ok()) st = Exec("COMMIT", "committing the schema migration");
  if (!st.ok() && sqlite3_get_autocommit(db.get()) == 0) (void)Exec("ROLLBACK", "rollback");
  if (st.ok()) has_epoch = true;
  return st;
}

// Writer connections only: both PRAGMAs may write (journal_mode=WAL rewrites the header when
// the file is not in WAL mode yet).
Status SqliteEventStore::Impl::Configure() {
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

Status SqliteEventStore::Impl::PrepareAll() {
  if (!read_only) {
    SEAM_ASSIGN_OR_RETURN(begin, Prepare("BEGIN IMMEDIATE"));
    SEAM_ASSIGN_OR_RETURN(commit, Prepare("COMMIT"));
    SEAM_ASSIGN_OR_RETURN(rollback, Prepare("ROLLBACK"));
    SEAM_ASSIGN_OR_RETURN(insert, Prepare(("INSERT INTO events(" + EventColumns(true) +
                                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)").c_str()));
  }
  const std::string columns = EventColumns(has_epoch);
  SEAM_ASSIGN_OR_RETURN(stream_tip, Prepare("SELECT version, actor FROM events WHERE stream = ?1 "
                                            "ORDER BY version DESC LIMIT 1"));
  SEAM_ASSIGN_OR_RETURN(log_head, Prepare("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"));
  SEAM_ASSIGN_OR_RETURN(read_stream, Prepare(("SELECT " + columns + " FROM events WHERE "
                                              "stream = ?1 AND version >= ?2 ORDER BY version").c_str()));
  SEAM_ASSIGN_OR_RETURN(read_all, Prepare(("SELECT " + columns + " FROM events WHERE "
                                           "seq >= ?1 ORDER BY seq LIMIT ?2").c_str()));
  SEAM_ASSIGN_OR_RETURN(verify, Prepare(("SELECT " + columns + " FROM events ORDER BY seq").c_str()));
  return Status::Ok();
}

Result<std::unique_ptr<SqliteEventStore>> SqliteEventStore::Open(const std::string& path,
                                                                 const OpenOptions& options) {
  if (options.read_only && options.create_if_missing) {
    return Status::InvalidArgument("event log " + path +
                                   ": read_only and create_if_missing cannot both be set");
  }
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
  impl->watch_poll_ms = options.watch_poll_ms;
  impl->read_only = options.read_only;
  const int flags = SQLITE_OPEN_NOMUTEX |
                    (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                    (options.create_if_missing ? SQLITE_OPEN_CREATE : 0);
  SEAM_RETURN_IF_ERROR(impl->OpenConnection(flags, false));

  Status checked = impl->CheckOrInitialize(options.create_if_missing);
  // A reader of a WAL database must create and size PATH-shm, its shared index, when nothing
  // else has the log open: on a full disk it cannot, and the read-only commands a person needs
  // most then (check, log, verify...) would fail. With no WAL frames to miss, the database file
  // alone is the whole log: read it as an immutable file (no locks, no index). A writer starting
  // meanwhile would need space to append; a checkpoint it managed could be read half done, so
  // the answer could be wrong then (the warning says the log was read without locks).
  if (!checked.ok() && options.read_only && impl->DiskFull() && !WalMayHoldFrames(path)) {
    impl->db.reset();
    SEAM_RETURN_IF_ERROR(impl->OpenConnection(SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READONLY, true));
    checked = impl->CheckOrInitialize(false);
    impl->notice = "event log " + path + ": the disk holding it is full, so nothing can be recorded; read from " +
                   "the database file alone, without locks (its WAL held nothing)";
  }
  SEAM_RETURN_IF_ERROR(checked);
  if (!options.read_only) SEAM_RETURN_IF_ERROR(impl->Configure());
  if (!options.read_only && !impl->has_epoch) SEAM_RETURN_IF_ERROR(impl->Migrate());
  SEAM_RETURN_IF_ERROR(impl->PrepareAll());
  return std::unique_ptr<SqliteEventStore>(new SqliteEventStore(std::move(impl)));
}

}  // namespace seam
