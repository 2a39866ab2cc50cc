#include "store/sqlite_confirmation_book.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include "store/sqlite_rows.h"

namespace seam {

using namespace sqlite_internal;  // NOLINT(google-build-using-namespace): store-private helpers

namespace {

constexpr int kBookApplicationId = 0x53454143;  // "SEAC"

struct Entry {
  std::int64_t at_us = 0;
  bool dirty = false;
};

}  // namespace

struct SqliteConfirmationBook::Impl {
  std::string path;
  Db db;
  Stmt select;
  Stmt upsert;
  std::map<std::pair<std::string, std::string>, Entry> cache;
  std::string read_error;  // the first failed read since the last Flush, reported by Flush
  std::size_t dirty = 0;   // entries Confirm changed since the last Flush (an idle Flush is free)

  Status Error(std::string_view doing) const {
    return Status::IoError("confirmation book " + path + ": " + std::string(doing) + " failed (" +
                           sqlite3_errmsg(db.get()) + ")");
  }
  Status Exec(const char* sql, std::string_view doing) {
    return sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr) == SQLITE_OK ? Status::Ok() : Error(doing);
  }
  Result<Stmt> Prepare(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    Stmt s(raw);
    if (rc != SQLITE_OK) return Error("preparing a query");
    return s;
  }
  Result<std::int64_t> QueryInt(const char* sql) {
    SEAM_ASSIGN_OR_RETURN(Stmt s, Prepare(sql));
    if (sqlite3_step(s.get()) != SQLITE_ROW) return Error("reading the header");
    return sqlite3_column_int64(s.get(), 0);
  }

  // A new (empty) file gets the schema; anything else must already be a book.
  Status CheckOrCreate() {
    SEAM_ASSIGN_OR_RETURN(std::int64_t app, QueryInt("PRAGMA application_id"));
    SEAM_ASSIGN_OR_RETURN(std::int64_t objects, QueryInt("SELECT count(*) FROM sqlite_schema"));
    if (app == 0 && objects == 0) {
      SEAM_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL", "switching to WAL mode"));
      SEAM_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE;"
                                "CREATE TABLE IF NOT EXISTS side_confirmations(stream TEXT NOT NULL, "
                                "side TEXT NOT NULL, confirmed_at_us INTEGER NOT NULL, "
                                "PRIMARY KEY (stream, side)) WITHOUT ROWID;"
                                "PRAGMA application_id=1397047619;"
                                "COMMIT;",
                                "creating the book"));
      SEAM_ASSIGN_OR_RETURN(app, QueryInt("PRAGMA application_id"));
    }
    if (app != kBookApplicationId) {
      return Status::InvalidArgument(path + " is not a seam confirmation book (another SQLite file); move it away");
    }
    SEAM_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL", "switching to WAL mode"));
    return Exec("PRAGMA synchronous=NORMAL", "setting synchronous");
  }
};

Result<std::unique_ptr<SqliteConfirmationBook>> SqliteConfirmationBook::Open(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    return Status::InvalidArgument("confirmation book " + path + " is not a regular file; move it away");
  }
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  impl->db.reset(raw);
  if (rc != SQLITE_OK) return impl->Error("opening");
  sqlite3_busy_timeout(raw, 1000);
  Status checked = impl->CheckOrCreate();
  if (!checked.ok()) {
    // "file is not a database" (garbage) reads as the same refusal as another SQLite file.
    if (sqlite3_errcode(raw) == SQLITE_NOTADB) {
      return Status::InvalidArgument(path + " is not a seam confirmation book (not SQLite); move it away");
    }
    return checked;
  }
  SEAM_ASSIGN_OR_RETURN(impl->select, impl->Prepare("SELECT confirmed_at_us FROM side_confirmations "
                                                    "WHERE stream = ?1 AND side = ?2"));
  SEAM_ASSIGN_OR_RETURN(impl->upsert,
                        impl->Prepare("INSERT INTO side_confirmations(stream, side, confirmed_at_us) "
                                      "VALUES (?1, ?2, ?3) ON CONFLICT(stream, side) DO UPDATE SET "
                                      "confirmed_at_us = max(confirmed_at_us, excluded.confirmed_at_us)"));
  return std::unique_ptr<SqliteConfirmationBook>(new SqliteConfirmationBook(std::move(impl)));
}

SqliteConfirmationBook::SqliteConfirmationBook(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteConfirmationBook::~SqliteConfirmationBook() = default;

std::int64_t SqliteConfirmationBook::LastInSync(const std::string& stream, const std::string& side) {
  auto key = std::make_pair(stream, side);
  if (auto it = impl_->cache.find(key); it != impl_->cache.end()) return it->second.at_us;
  sqlite3_stmt* s = impl_->select.get();
  Resetter reset(s);
  BindText(s, 1, stream);
  BindText(s, 2, side);
  const int rc = sqlite3_step(s);
  std::int64_t at = 0;
  if (rc == SQLITE_ROW) {
    at = sqlite3_column_int64(s, 0);
  } else if (rc != SQLITE_DONE) {
    if (impl_->read_error.empty()) impl_->read_error = impl_->Error("reading").message();
    return 0;  // not cached: the next call tries again
  }
  impl_->cache.emplace(std::move(key), Entry{at, false});
  return at;
}

void SqliteConfirmationBook::Confirm(const std::string& stream, const std::string& side, std::int64_t at_us) {
  Entry& e = impl_->cache[std::make_pair(stream, side)];
  if (at_us <= e.at_us) return;
  e.at_us = at_us;
  if (!e.dirty) ++impl_->dirty;
  e.dirty = true;
}

Status SqliteConfirmationBook::Flush() {
  if (!impl_->read_error.empty()) return Status::IoError(std::exchange(impl_->read_error, ""));
  if (impl_->dirty == 0) return Status::Ok();
  SEAM_RETURN_IF_ERROR(impl_->Exec("BEGIN IMMEDIATE", "starting a flush"));
  sqlite3_stmt* s = impl_->upsert.get();
  for (const auto& [key, e] : impl_->cache) {
    if (!e.dirty) continue;
    Resetter reset(s);
    BindText(s, 1, key.first);
    BindText(s, 2, key.second);
    sqlite3_bind_int64(s, 3, e.at_us);
    if (sqlite3_step(s) != SQLITE_DONE) {
      Status failed = impl_->Error("writing");
      (void)impl_->Exec("ROLLBACK", "rollback");
      return failed;
    }
  }
  if (Status committed = impl_->Exec("COMMIT", "committing a flush"); !committed.ok()) {
    (void)impl_->Exec("ROLLBACK", "rollback");
    return committed;
  }
  for (auto& [key, e] : impl_->cache) e.dirty = false;
  impl_->dirty = 0;
  return Status::Ok();
}

}  // namespace seam
