#include "store/sqlite_config_index.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "store/sqlite_rows.h"

namespace seam {

using namespace sqlite_internal;  // NOLINT(google-build-using-namespace): store-private helpers

namespace {

constexpr int kIndexApplicationId = 0x53454149;  // "SEAI"

Status IndexError(const std::filesystem::path& file, sqlite3* db, std::string_view doing) {
  return Status::IoError("config index " + file.string() + ": " + std::string(doing) + " failed (" +
                         (db != nullptr ? sqlite3_errmsg(db) : "out of memory") + ")");
}

Result<Stmt> Prepare(const std::filesystem::path& file, sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  Stmt s(raw);
  if (rc != SQLITE_OK) return IndexError(file, db, "preparing a query");
  return s;
}

// The single integer or text a query answers; error when it answers no row.
Result<std::int64_t> QueryInt(const std::filesystem::path& file, sqlite3* db, const char* sql) {
  SEAM_ASSIGN_OR_RETURN(Stmt s, Prepare(file, db, sql));
  if (sqlite3_step(s.get()) != SQLITE_ROW) return IndexError(file, db, "reading");
  return sqlite3_column_int64(s.get(), 0);
}

}  // namespace

namespace {

// An open index whose text is `text_sha256`; nullptr when there is no file or it is for
// another text.
Result<Db> OpenIndexFor(const std::filesystem::path& file, const std::string& text_sha256) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    if (errno == ENOENT) return Db();
    return Status::IoError("config index " + file.string() + ": " + std::generic_category().message(errno));
  }
  // Not a FIFO or a directory: SQLite would block on the one and fail obscurely on the other.
  if (!S_ISREG(st.st_mode)) return Status::IoError("config index " + file.string() + " is not a regular file");
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return IndexError(file, raw, "opening");
  SEAM_ASSIGN_OR_RETURN(std::int64_t app, QueryInt(file, raw, "PRAGMA application_id"));
  if (app != kIndexApplicationId) return Status::IoError("config index " + file.string() + " is another file");
  SEAM_ASSIGN_OR_RETURN(Stmt text, Prepare(file, raw, "SELECT sha256 FROM config_text"));
  if (sqlite3_step(text.get()) != SQLITE_ROW) return IndexError(file, raw, "reading the text's hash");
  std::string indexed;
  AssignText(text.get(), 0, &indexed);
  if (indexed != text_sha256) return Db();
  return db;
}

}  // namespace

Result<bool> IndexIsFor(const std::filesystem::path& file, const std::string& text_sha256) {
  SEAM_ASSIGN_OR_RETURN(Db db, OpenIndexFor(file, text_sha256));
  return db != nullptr;
}

Result<std::optional<LineRange>> FindIndexedSeam(const std::filesystem::path& file,
                                                 const std::string& text_sha256,
                                                 const std::string& name) {
  SEAM_ASSIGN_OR_RETURN(Db db, OpenIndexFor(file, text_sha256));
  if (db == nullptr) return std::optional<LineRange>();
  sqlite3* raw = db.get();
  SEAM_ASSIGN_OR_RETURN(Stmt seam, Prepare(file, raw, "SELECT first_line, end_line FROM seam_lines WHERE name = ?1"));
  BindText(seam.get(), 1, name);
  const int step = sqlite3_step(seam.get());
  if (step == SQLITE_DONE) return std::optional<LineRange>();
  if (step != SQLITE_ROW) return IndexError(file, raw, "reading a seam's lines");
  const std::int64_t first = sqlite3_column_int64(seam.get(), 0);
  const std::int64_t end = sqlite3_column_int64(seam.get(), 1);
  constexpr std::int64_t kMaxLine = std::int64_t{1} << 30;
  if (first < 1 || end <= first || end > kMaxLine) {
    return Status::IoError("config index " + file.string() + ": seam `" + name + "` has lines " +
                           std::to_string(first) + "-" + std::to_string(end) + ", which no text has");
  }
  return std::optional<LineRange>(LineRange{static_cast<int>(first), static_cast<int>(end)});
}

Status WriteConfigIndex(const std::filesystem::path& file, const std::string& text_sha256,
                        const std::vector<SeamLines>& seams) {
  const std::filesystem::path temp = file.string() + ".tmp-" + std::to_string(::getpid());
  ::unlink(temp.c_str());
  Status written = [&]() -> Status {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(temp.c_str(), &raw,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    Db db(raw);
    if (rc != SQLITE_OK) return IndexError(file, raw, "creating");
    // A cache renamed into place only once complete: no journal and no sync are needed, a torn
    // file after a power cut is a miss.
    const char* schema =
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;"
        "CREATE TABLE config_text(sha256 TEXT NOT NULL);"
        "CREATE TABLE seam_lines(name TEXT PRIMARY KEY, first_line INTEGER NOT NULL, "
        "end_line INTEGER NOT NULL) WITHOUT ROWID;"
        "PRAGMA application_id=1397047625;";
    if (sqlite3_exec(raw, schema, nullptr, nullptr, nullptr) != SQLITE_OK) return IndexError(file, raw, "creating");
    SEAM_ASSIGN_OR_RETURN(Stmt text, Prepare(file, raw, "INSERT INTO config_text(sha256) VALUES (?1)"));
    BindText(text.get(), 1, text_sha256);
    if (sqlite3_step(text.get()) != SQLITE_DONE) return IndexError(file, raw, "writing");
    SEAM_ASSIGN_OR_RETURN(Stmt insert,
                          Prepare(file, raw, "INSERT INTO seam_lines(name, first_line, end_line) VALUES (?1, ?2, ?3)"));
    for (const SeamLines& seam : seams) {
      Resetter reset(insert.get());
      BindText(insert.get(), 1, seam.name);
      sqlite3_bind_int64(insert.get(), 2, seam.lines.first);
      sqlite3_bind_int64(insert.get(), 3, seam.lines.end);
      if (sqlite3_step(insert.get()) != SQLITE_DONE) return IndexError(file, raw, "writing");
    }
    if (sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return IndexError(file, raw, "writing");
    return Status::Ok();
  }();
  if (written.ok() && ::rename(temp.c_str(), file.c_str()) != 0) {
    written = Status::IoError("config index " + file.string() + ": " + std::generic_category().message(errno));
  }
  if (!written.ok()) ::unlink(temp.c_str());
  return written;
}

}  // namespace seam
