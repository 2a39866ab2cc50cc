#include "tools/seamd/notify_cursors.h"

#include <sqlite3.h>

namespace seam::seamd {

Result<std::unique_ptr<NotifyCursors>> NotifyCursors::Open(const std::filesystem::path& file) {
  std::unique_ptr<NotifyCursors> book(new NotifyCursors);
  book->file_ = file.string();
  if (sqlite3_open_v2(book->file_.c_str(), &book->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    return Status::IoError("notification cursors " + book->file_ + ": " + sqlite3_errmsg(book->db_));
  }
  sqlite3_busy_timeout(book->db_, 5000);
  SEAM_RETURN_IF_ERROR(book->Exec("PRAGMA journal_mode=WAL"));
  SEAM_RETURN_IF_ERROR(book->Exec("PRAGMA synchronous=FULL"));
  SEAM_RETURN_IF_ERROR(
      book->Exec("CREATE TABLE IF NOT EXISTS notify_cursors (target TEXT PRIMARY KEY, seq INTEGER NOT NULL)"));
  return book;
}

NotifyCursors::~NotifyCursors() { sqlite3_close(db_); }

Result<std::optional<std::int64_t>> NotifyCursors::Get(const std::string& target) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT seq FROM notify_cursors WHERE target = ?", -1, &st, nullptr) != SQLITE_OK) {
    return Error("reading");
  }
  sqlite3_bind_text(st, 1, target.c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(st);
  std::optional<std::int64_t> seq;
  if (rc == SQLITE_ROW) seq = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Error("reading");
  return seq;
}

Status NotifyCursors::Set(const std::string& target, std::int64_t seq) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO notify_cursors VALUES (?, ?) ON CONFLICT (target) DO UPDATE SET seq = excluded.seq",
                         -1, &st, nullptr) != SQLITE_OK) {
    return Error("writing");
  }
  sqlite3_bind_text(st, 1, target.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, seq);
  const int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? Status::Ok() : Error("writing");
}

Status NotifyCursors::Exec(const char* sql) {
  return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK ? Status::Ok() : Error("opening");
}

Status NotifyCursors::Error(const char* doing) const {
  return Status::IoError("notification cursors " + file_ + ": " + doing + ": " + sqlite3_errmsg(db_));
}

}  // namespace seam::seamd
