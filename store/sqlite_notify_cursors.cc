#include "store/sqlite_notify_cursors.h"

#include <sqlite3.h>

namespace seam {
namespace {

// A statement finalized on every path.
struct Stmt {
  sqlite3_stmt* st = nullptr;
  ~Stmt() { sqlite3_finalize(st); }
};

}  // namespace

Result<std::unique_ptr<SqliteNotifyCursors>> SqliteNotifyCursors::Open(const std::filesystem::path& file) {
  std::unique_ptr<SqliteNotifyCursors> book(new SqliteNotifyCursors);
  book->file_ = file.string();
  if (sqlite3_open_v2(book->file_.c_str(), &book->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    return book->Error("opening");
  }
  sqlite3_busy_timeout(book->db_, 5000);
  SEAM_RETURN_IF_ERROR(book->Exec("PRAGMA journal_mode=WAL", "opening"));
  SEAM_RETURN_IF_ERROR(book->Exec("PRAGMA synchronous=FULL", "opening"));
  SEAM_RETURN_IF_ERROR(
      book->Exec("CREATE TABLE IF NOT EXISTS notify_cursors (target TEXT PRIMARY KEY, seq INTEGER NOT NULL)", "opening"));
  SEAM_RETURN_IF_ERROR(book->Exec("CREATE TABLE IF NOT EXISTS notify_stream_cursors (target TEXT NOT NULL, stream TEXT "
                                  "NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (target, stream))",
                                  "opening"));
  return book;
}

SqliteNotifyCursors::~SqliteNotifyCursors() { sqlite3_close(db_); }

Result<NotifyCursorBook::Cursors> SqliteNotifyCursors::Load(const std::string& target) {
  Cursors out;
  {
    Stmt s;
    if (sqlite3_prepare_v2(db_, "SELECT seq FROM notify_cursors WHERE target = ?", -1, &s.st, nullptr) != SQLITE_OK) {
      return Error("reading");
    }
    sqlite3_bind_text(s.st, 1, target.c_str(), -1, SQLITE_TRANSIENT);
    const int rc = sqlite3_step(s.st);
    if (rc == SQLITE_ROW) out.start = sqlite3_column_int64(s.st, 0);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Error("reading");
  }
  Stmt s;
  if (sqlite3_prepare_v2(db_, "SELECT stream, seq FROM notify_stream_cursors WHERE target = ?", -1, &s.st, nullptr) !=
      SQLITE_OK) {
    return Error("reading");
  }
  sqlite3_bind_text(s.st, 1, target.c_str(), -1, SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step(s.st)) == SQLITE_ROW) {
    const auto* stream = reinterpret_cast<const char*>(sqlite3_column_text(s.st, 0));
    out.streams[stream != nullptr ? stream : ""] = sqlite3_column_int64(s.st, 1);
  }
  if (rc != SQLITE_DONE) return Error("reading");
  return out;
}

Result<std::int64_t> SqliteNotifyCursors::Begin(const std::string& target, std::int64_t head) {
  {
    Stmt s;
    if (sqlite3_prepare_v2(db_, "INSERT INTO notify_cursors VALUES (?, ?) ON CONFLICT (target) DO NOTHING", -1, &s.st,
                           nullptr) != SQLITE_OK) {
      return Error("writing");
    }
    sqlite3_bind_text(s.st, 1, target.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s.st, 2, head);
    if (sqlite3_step(s.st) != SQLITE_DONE) return Error("writing");
  }
  SEAM_ASSIGN_OR_RETURN(Cursors kept, Load(target));
  if (!kept.start) return Status::IoError("notification cursors " + file_ + ": the start of " + target + " vanished");
  return *kept.start;
}

Status SqliteNotifyCursors::Advance(const std::string& target, const std::map<std::string, std::int64_t>& seqs) {
  if (seqs.empty()) return Status::Ok();
  SEAM_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE", "writing"));
  Status written = [&]() -> Status {
    Stmt s;
    if (sqlite3_prepare_v2(db_,
                           "INSERT INTO notify_stream_cursors VALUES (?, ?, ?) ON CONFLICT (target, stream) "
                           "DO UPDATE SET seq = max(seq, excluded.seq)",
                           -1, &s.st, nullptr) != SQLITE_OK) {
      return Error("writing");
    }
    for (const auto& [stream, seq] : seqs) {
      sqlite3_reset(s.st);
      sqlite3_bind_text(s.st, 1, target.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s.st, 2, stream.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(s.st, 3, seq);
      if (sqlite3_step(s.st) != SQLITE_DONE) return Error("writing");
    }
    return Status::Ok();
  }();
  if (!written.ok()) {
    (void)Exec("ROLLBACK", "writing");
    return written;
  }
  return Exec("COMMIT", "writing");
}

Status SqliteNotifyCursors::Exec(const char* sql, const char* doing) {
  return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK ? Status::Ok() : Error(doing);
}

Status SqliteNotifyCursors::Error(const char* doing) const {
  return Status::IoError("notification cursors " + file_ + ": " + doing + ": " +
                         (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"));
}

}  // namespace seam
