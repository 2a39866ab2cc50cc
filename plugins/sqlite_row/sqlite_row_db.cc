#include "plugins/sqlite_row/sqlite_row_db.h"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <utility>
#include <string_view>
#include <system_error>

#include "core/crypto.h"

namespace seam::sqlite_row {
namespace {

constexpr int kStatementBudgetMs = 2000;
// The progress handler is called every this many virtual machine instructions.
constexpr int kProgressInstructions = 1000;

int PastDeadline(void* deadline) {
  return std::chrono::steady_clock::now() >= static_cast<const Db::Deadline*>(deadline)->at ? 1 : 0;
}

std::string Quoted(const std::string& identifier) { return "\"" + identifier + "\""; }

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

Result<Stmt> Prepare(const Target& t, sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr);
  Stmt s(raw);
  if (rc != SQLITE_OK) return SqlError(t, db, rc);
  return s;
}

// SQLITE_STATIC: the caller keeps `v` alive until the statement is finalized.
int BindText(sqlite3_stmt* s, int i, std::string_view v) {
  return sqlite3_bind_text64(s, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
}

const char* TypeName(int type) {
  switch (type) {
    case SQLITE_INTEGER: return "an integer";
    case SQLITE_FLOAT: return "a real number";
    case SQLITE_BLOB: return "a blob";
    default: return "not text";
  }
}

// Markers never carry a value itself, nor a plain digest of one that could equal what a
// `sha256-hex` side stores: each text is digested, and the marker is a digest of those
// labelled digests.
ChangeMarker MarkerFor(const Target& t, const Row& row) {
  if (!row.exists) return ChangeMarker{"row:absent"};
  std::string cells = "seam sqlite-row marker\n";
  for (const Column& c : t.columns) {
    auto it = row.values.find(c.field);
    cells += c.name + (it == row.values.end() ? std::string(" null") : " text " + Sha256Hex(it->second.Reveal()));
    cells += "\n";
  }
  return ChangeMarker{"row:" + Sha256Hex(cells)};
}

Result<std::vector<std::string>> CheckSchema(const Target& t, sqlite3* db) {
  {
    // pragma_table_info also describes views, and a view runs the other program's SQL (an
    // unbounded recursive CTE, say) on every read: only a real table is accepted.
    SEAM_ASSIGN_OR_RETURN(Stmt s, Prepare(t, db, "SELECT type FROM sqlite_master WHERE name = ?1 COLLATE NOCASE "
                                                 "AND type IN ('table', 'view')"));
    if (int rc = BindText(s.get(), 1, t.table); rc != SQLITE_OK) return SqlError(t, db, rc);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) {
      const unsigned char* type = sqlite3_column_text(s.get(), 0);
      if (type != nullptr && std::string_view(reinterpret_cast<const char*>(type)) == "view") {
        return Status::FailedPrecondition(t.path.string() + ": " + Quoted(t.table) + " is a view, not a table");
      }
    } else if (rc != SQLITE_DONE) {
      return SqlError(t, db, rc);
    }
  }
  SEAM_ASSIGN_OR_RETURN(Stmt s, Prepare(t, db, "SELECT name, \"notnull\" FROM pragma_table_info(?1)"));
  if (int rc = BindText(s.get(), 1, t.table); rc != SQLITE_OK) return SqlError(t, db, rc);
  bool any = false, key = false;
  std::vector<bool> found(t.columns.size(), false);
  std::vector<std::string> not_null;
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    any = true;
    const unsigned char* raw = sqlite3_column_text(s.get(), 0);
    std::string_view name = raw ? std::string_view(reinterpret_cast<const char*>(raw)) : "";
    if (EqualsIgnoringAsciiCase(name, t.key_column)) key = true;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      if (!EqualsIgnoringAsciiCase(name, t.columns[i].name)) continue;
      found[i] = true;
      if (sqlite3_column_int(s.get(), 1) != 0) not_null.push_back(t.columns[i].name);
    }
  }
  if (rc != SQLITE_DONE) return SqlError(t, db, rc);
  const std::string shown = t.path.string();
  if (!any) return Status::FailedPrecondition(shown + ": database has no table " + Quoted(t.table));
  auto no_column = [&](const std::string& column) {
    return Status::FailedPrecondition(shown + ": table " + Quoted(t.table) + " has no column " + Quoted(column));
  };
  if (!key) return no_column(t.key_column);
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    if (!found[i]) return no_column(t.columns[i].name);
  }
  return not_null;
}

}  // namespace

std::string Target::Columns() const {
  if (columns.size() == 1) return table + "." + columns.front().name;
  std::string list;
  for (const Column& c : columns) list += (list.empty() ? "" : ", ") + c.name;
  return table + ".(" + list + ")";
}

std::string Target::Cells() const { return Columns() + " where " + key_column + " = \"" + key + "\""; }

std::string Target::Cell(const Column& c) const {
  return table + "." + c.name + " where " + key_column + " = \"" + key + "\"";
}

Status SqlError(const Target& t, sqlite3* db, int rc) {
  const std::string shown = t.path.string();
  const std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(shown + " is locked by another process (busy for " +
                                 std::to_string(t.busy_timeout_ms) + " ms)");
    case SQLITE_INTERRUPT:  // only the progress handler interrupts
      return Status::FailedPrecondition(shown + ": query took longer than " +
                                        std::to_string(ExecutionLimitMs(t)) + " ms");
    case SQLITE_NOTADB:
      return Status::FailedPrecondition(shown + ": file is not a SQLite database");
    case SQLITE_READONLY:
      return Status::FailedPrecondition(shown + ": cannot be written (" + msg + ")");
    case SQLITE_CONSTRAINT:
      return Status::FailedPrecondition(shown + ": the database refused the change (" + msg + ")");
    default:
      return Status::IoError(shown + ": " + msg);
  }
}

int ExecutionLimitMs(const Target& t) { return t.busy_timeout_ms + kStatementBudgetMs; }

Result<Db> Open(const Target& t, OpenMode mode) {
  const std::string shown = t.path.string();
  // Checked first for a clear message; the open below has no SQLITE_OPEN_CREATE anyway, so a
  // file removed in between is an error too, never a new empty database.
  struct stat st {};
  if (::stat(t.path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) return Status::FailedPrecondition(shown + ": database does not exist");
    return Status::IoError(shown + ": " + std::error_code(err, std::generic_category()).message());
  }
  if (S_ISDIR(st.st_mode)) return Status::FailedPrecondition(shown + " is a directory");
  if (!S_ISREG(st.st_mode)) return Status::FailedPrecondition(shown + " is not a regular file");

  const int flags = (mode == OpenMode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                    SQLITE_OPEN_NOMUTEX;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(t.path.c_str(), &raw, flags, nullptr);
  Db db;
  db.conn_.reset(raw);
  if (rc != SQLITE_OK) {
    return Status::FailedPrecondition(shown + ": cannot be opened (" +
                                      (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)) + ")");
  }
  // SQLite opens a file it may not write read-only without saying so.
  if (mode == OpenMode::kReadWrite && sqlite3_db_readonly(db.get(), "main") == 1) {
    return Status::FailedPrecondition(shown + " is not writable by this user");
  }
  sqlite3_busy_timeout(db.get(), t.busy_timeout_ms);
  sqlite3_extended_result_codes(db.get(), 1);
  // The schema is another program's: its triggers and views must not call functions with side
  // effects, nor may anything here corrupt the file on purpose.
  for (const auto& [option, on] : {std::pair{SQLITE_DBCONFIG_DEFENSIVE, 1}, std::pair{SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0}}) {
    if (int crc = sqlite3_db_config(db.get(), option, on, nullptr); crc != SQLITE_OK) {
      return Status::IoError(shown + ": cannot configure the connection (" + sqlite3_errstr(crc) + ")");
    }
  }
  db.deadline_ = std::make_unique<Db::Deadline>(
      Db::Deadline{std::chrono::steady_clock::now() + std::chrono::milliseconds(ExecutionLimitMs(t))});
  sqlite3_progress_handler(db.get(), kProgressInstructions, PastDeadline, db.deadline_.get());
  return db;
}

Status Exec(const Target& t, sqlite3* db, const char* sql) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : SqlError(t, db, rc);
}

Result<Row> ReadRow(const Target& t, sqlite3* db) {
  Row row;
  SEAM_ASSIGN_OR_RETURN(row.not_null, CheckSchema(t, db));
  // One SELECT of every mapped column, so they are read together. LIMIT 2: enough to tell one
  // row from several.
  std::string list;
  for (const Column& c : t.columns) list += (list.empty() ? "" : ", ") + Quoted(c.name);
  SEAM_ASSIGN_OR_RETURN(Stmt s, Prepare(t, db, "SELECT " + list + " FROM " + Quoted(t.table) + " WHERE " +
                                                   Quoted(t.key_column) + " = ?1 LIMIT 2"));
  if (int rc = BindText(s.get(), 1, t.key); rc != SQLITE_OK) return SqlError(t, db, rc);
  int rc = sqlite3_step(s.get());
  if (rc == SQLITE_ROW) {
    row.exists = true;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      const int col = static_cast<int>(i);
      const int type = sqlite3_column_type(s.get(), col);
      if (type == SQLITE_NULL) continue;
      if (type != SQLITE_TEXT) {
        return Status::FailedPrecondition(t.path.string() + ": " + t.Cell(t.columns[i]) + " is " +
                                          TypeName(type) + ", not text");
      }
      const unsigned char* text = sqlite3_column_text(s.get(), col);
      const auto len = static_cast<std::size_t>(sqlite3_column_bytes(s.get(), col));
      row.values.emplace(t.columns[i].field, Secret(std::string_view(reinterpret_cast<const char*>(text), len)));
    }
    rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) {
      return Status::FailedPrecondition(t.path.string() + ": more than one row of " + t.table +
                                        " has " + t.key_column + " = \"" + t.key + "\"");
    }
  }
  if (rc != SQLITE_DONE) return SqlError(t, db, rc);
  row.marker = MarkerFor(t, row);
  return row;
}

Transaction::~Transaction() {
  if (!open_) return;
  sqlite3_progress_handler(db_, 0, nullptr, nullptr);
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Transaction::Begin(const char* sql) {
  SEAM_RETURN_IF_ERROR(Exec(t_, db_, sql));
  open_ = true;
  return Status::Ok();
}

Status Transaction::Commit() {
  // A failed COMMIT (busy: readers still hold the file) leaves the transaction open; the
  // destructor rolls it back.
  sqlite3_progress_handler(db_, 0, nullptr, nullptr);
  SEAM_RETURN_IF_ERROR(Exec(t_, db_, "COMMIT"));
  open_ = false;
  return Status::Ok();
}

}  // namespace seam::sqlite_row
