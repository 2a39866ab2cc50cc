#include "store/sqlite_config_index.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <random>
#include <system_error>

#include "store/sqlite_rows.h"

namespace seam {

using namespace sqlite_internal;  // NOLINT(google-build-using-namespace): store-private helpers

namespace {

constexpr int kIndexApplicationId = 0x53454149;  // "SEAI"

// The schema, written by WriteConfigIndex and required verbatim by the reader (sqlite_schema
// keeps each CREATE statement's text as it was given).
constexpr const char* kConfigTextTable = "CREATE TABLE config_text(text_key TEXT NOT NULL)";
constexpr const char* kSeamLinesTable =
    "CREATE TABLE seam_lines(name TEXT PRIMARY KEY, first_line INTEGER NOT NULL, end_line INTEGER NOT NULL) "
    "WITHOUT ROWID";

// Reader limits for a planted file: no value over 64 KiB, no statement over ~1M VM steps.
constexpr int kMaxValueBytes = 64 * 1024;
constexpr int kProgressEvery = 1000;
constexpr int kMaxProgressCalls = 1000;

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

// The first column of the query's one row; an error when it answers no row.
Result<std::int64_t> QueryInt(const std::filesystem::path& file, sqlite3* db, const char* sql) {
  SEAM_ASSIGN_OR_RETURN(Stmt s, Prepare(file, db, sql));
  if (sqlite3_step(s.get()) != SQLITE_ROW) return IndexError(file, db, "reading");
  return sqlite3_column_int64(s.get(), 0);
}

Status NotAnIndex(const std::filesystem::path& file, const std::string& why) {
  return Status::IoError("config index " + file.string() + " is not a seam config index (" + why + ")");
}

// Exactly the writer's two tables (the primary key of a WITHOUT ROWID table has no index row
// of its own): no view, trigger, index or generated column that could make a read loop or
// allocate.
Status CheckSchema(const std::filesystem::path& file, sqlite3* db) {
  SEAM_ASSIGN_OR_RETURN(Stmt s, Prepare(file, db, "SELECT type, name, sql FROM sqlite_schema"));
  int tables = 0;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    std::string type;
    std::string name;
    std::string sql;
    AssignText(s.get(), 0, &type);
    AssignText(s.get(), 1, &name);
    AssignText(s.get(), 2, &sql);
    const bool known = type == "table" && ((name == "config_text" && sql == kConfigTextTable) ||
                                           (name == "seam_lines" && sql == kSeamLinesTable));
    if (!known) return NotAnIndex(file, "unexpected " + type + " `" + name + "` in its schema");
    ++tables;
  }
  if (rc != SQLITE_DONE) return IndexError(file, db, "reading its schema");
  if (tables != 2) return NotAnIndex(file, "its tables are missing");
  return Status::Ok();
}

// An open index for `text_key`; nullptr when there is no file or it is for another key.
Result<Db> OpenIndexFor(const std::filesystem::path& file, const std::string& text_key) {
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
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_limit(raw, SQLITE_LIMIT_LENGTH, kMaxValueBytes);
  sqlite3_limit(raw, SQLITE_LIMIT_SQL_LENGTH, kMaxValueBytes);
  // The counter lives as long as the connection (the handler is cleared when it closes).
  static thread_local int progress_calls = 0;
  progress_calls = 0;
  sqlite3_progress_handler(
      raw, kProgressEvery, [](void*) { return ++progress_calls > kMaxProgressCalls ? 1 : 0; }, nullptr);

  SEAM_ASSIGN_OR_RETURN(std::int64_t app, QueryInt(file, raw, "PRAGMA application_id"));
  if (app != kIndexApplicationId) return NotAnIndex(file, "application_id " + std::to_string(app));
  SEAM_RETURN_IF_ERROR(CheckSchema(file, raw));
  SEAM_ASSIGN_OR_RETURN(Stmt text, Prepare(file, raw, "SELECT text_key FROM config_text"));
  if (sqlite3_step(text.get()) != SQLITE_ROW) return IndexError(file, raw, "reading which text it is for");
  std::string indexed;
  AssignText(text.get(), 0, &indexed);
  if (indexed != text_key) return Db();
  return db;
}

// Temporary files of writers killed before their rename.
void RemoveStaleTemporaries(const std::filesystem::path& file) {
  const std::string prefix = file.filename().string() + ".tmp-";
  const auto too_old = std::filesystem::file_time_type::clock::now() - std::chrono::minutes(10);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(file.parent_path().empty() ? "." : file.parent_path(), ec)) {
    if (!entry.path().filename().string().starts_with(prefix)) continue;
    std::error_code time_ec;
    if (entry.last_write_time(time_ec) < too_old && !time_ec) std::filesystem::remove(entry.path(), time_ec);
  }
}

}  // namespace

Result<bool> IndexIsFor(const std::filesystem::path& file, const std::string& text_key) {
  SEAM_ASSIGN_OR_RETURN(Db db, OpenIndexFor(file, text_key));
  return db != nullptr;
}

Result<std::optional<LineRange>> FindIndexedSeam(const std::filesystem::path& file, const std::string& text_key,
                                                 const std::string& name) {
  SEAM_ASSIGN_OR_RETURN(Db db, OpenIndexFor(file, text_key));
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

Status WriteConfigIndex(const std::filesystem::path& file, const std::string& text_key,
                        const std::vector<SeamLines>& seams) {
  RemoveStaleTemporaries(file);
  // A random suffix: writers in two PID namespaces sharing the state directory do not collide.
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx",
                static_cast<unsigned long long>(std::random_device{}()) << 32 | std::random_device{}());
  const std::filesystem::path temp = file.string() + ".tmp-" + suffix;
  Status written = [&]() -> Status {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(temp.c_str(), &raw,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    Db db(raw);
    if (rc != SQLITE_OK) return IndexError(file, raw, "creating");
    // A cache renamed into place only once complete: no journal and no sync are needed, a torn
    // file after a power cut is a miss.
    const std::string schema = std::string("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;") +
                               kConfigTextTable + ";" + kSeamLinesTable + ";PRAGMA application_id=1397047625;";
    if (sqlite3_exec(raw, schema.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return IndexError(file, raw, "creating");
    SEAM_ASSIGN_OR_RETURN(Stmt text, Prepare(file, raw, "INSERT INTO config_text(text_key) VALUES (?1)"));
    BindText(text.get(), 1, text_key);
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
