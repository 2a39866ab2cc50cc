#include "plugins/sqlite_row/sqlite_row_side.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "plugins/sqlite_row/sqlite_row_db.h"

namespace seam {
namespace {

using sqlite_row::Db;
using sqlite_row::OpenMode;
using sqlite_row::Row;
using sqlite_row::Target;
using sqlite_row::Transaction;

constexpr int kMaxBusyTimeoutMs = 600'000;

std::string Quoted(const std::string& identifier) { return "\"" + identifier + "\""; }

bool IsIdentifier(std::string_view s) {
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (s.empty() || !alpha(s.front())) return false;
  for (char c : s) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

Status NotWriting(const Status& s) { return Status(s.code(), s.message() + "; not writing"); }

// CheckWritable reports FailedPrecondition (the Side contract), except for a lock, which is
// Unavailable: retrying may help.
Status AsRefusal(const Status& s) {
  if (s.ok() || s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kFailedPrecondition) return s;
  return Status::FailedPrecondition(s.message());
}

// Runs one UPDATE / INSERT with up to two bound text parameters (nullopt binds NULL) and returns
// the number of rows it changed.
Result<long long> Change(const Target& t, sqlite3* db, const std::string& sql,
                         std::optional<std::string_view> first, std::string_view second) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr);
  sqlite_row::Stmt s(raw);
  if (rc != SQLITE_OK) return sqlite_row::SqlError(t, db, rc);
  // SQLITE_STATIC: `first` and `second` outlive the statement.
  rc = first ? sqlite3_bind_text64(s.get(), 1, first->data(), first->size(), SQLITE_STATIC, SQLITE_UTF8)
             : sqlite3_bind_null(s.get(), 1);
  if (rc == SQLITE_OK) {
    rc = sqlite3_bind_text64(s.get(), 2, second.data(), second.size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  if (rc != SQLITE_OK) return sqlite_row::SqlError(t, db, rc);
  rc = sqlite3_step(s.get());
  if (rc != SQLITE_DONE) return sqlite_row::SqlError(t, db, rc);
  return static_cast<long long>(sqlite3_changes64(db));
}

class SqliteRowSide final : public Side {
 public:
  explicit SqliteRowSide(Target t) : t_(std::move(t)) {}

  Observation Observe() override;
  Status Write(const Secret& value, const ChangeMarker& expected) override {
    return Modify(value.Reveal(), expected);
  }
  Status Remove(const ChangeMarker& expected) override { return Modify(std::nullopt, expected); }
  Status CheckWritable() override;
  std::string Describe() const override {
    return "sqlite-row " + t_.path.string() + " " + t_.table + "." + t_.value_column + " where " +
           t_.key_column + " = " + t_.key;
  }

 private:
  // Sets the value, or sets it to NULL when `value` is nullopt.
  Status Modify(std::optional<std::string_view> value, const ChangeMarker& expected);
  Status NoRowAndNoInsert() const {
    return Status::FailedPrecondition(t_.path.string() + ": no row of " + t_.table + " has " +
                                      t_.key_column + " = \"" + t_.key +
                                      "\" and insert is false (seam only updates existing rows)");
  }

  Target t_;
};

Observation SqliteRowSide::Observe() {
  Result<Db> db = sqlite_row::Open(t_, OpenMode::kReadOnly);
  if (!db.ok()) return Observation::Unreadable(db.status().message());
  // One read transaction, so the schema check and the row agree; it is rolled back on return.
  Transaction tx(t_, db->get());
  if (Status s = tx.Begin("BEGIN"); !s.ok()) return Observation::Unreadable(s.message());
  Result<Row> row = sqlite_row::ReadRow(t_, db->get());
  if (!row.ok()) return Observation::Unreadable(row.status().message());
  if (row->state != Row::State::kText) return Observation::Missing(std::move(row->marker));
  return Observation::Value(std::move(row->value), std::move(row->marker));
}

Status SqliteRowSide::Modify(std::optional<std::string_view> value, const ChangeMarker& expected) {
  Result<Db> db = sqlite_row::Open(t_, OpenMode::kReadWrite);
  if (!db.ok()) return NotWriting(db.status());
  Transaction tx(t_, db->get());
  // IMMEDIATE: the write lock is taken before the re-read, so nothing can change the row
  // between the compare and the swap.
  if (Status s = tx.Begin("BEGIN IMMEDIATE"); !s.ok()) return NotWriting(s);
  Result<Row> row = sqlite_row::ReadRow(t_, db->get());
  if (!row.ok()) return NotWriting(row.status());
  if (row->marker != expected) {
    return Status::FailedPrecondition(t_.path.string() + ": " + t_.Cell() +
                                      " changed since it was observed; not writing");
  }

  const std::string where = " WHERE " + Quoted(t_.key_column) + " = ?2";
  std::string sql;
  if (!value) {
    if (row->state != Row::State::kText) return Status::Ok();  // already removed: rolled back
    if (row->value_not_null) {
      return Status::FailedPrecondition(
          t_.path.string() + ": column " + t_.table + "." + t_.value_column +
          " is declared NOT NULL, so its value cannot be removed (seam never deletes another "
          "program's row); not writing");
    }
    sql = "UPDATE " + Quoted(t_.table) + " SET " + Quoted(t_.value_column) + " = ?1" + where;
  } else if (row->state == Row::State::kAbsent) {
    if (!t_.insert) return NotWriting(NoRowAndNoInsert());
    sql = "INSERT INTO " + Quoted(t_.table) + " (" + Quoted(t_.value_column) + ", " +
          Quoted(t_.key_column) + ") VALUES (?1, ?2)";
  } else {
    sql = "UPDATE " + Quoted(t_.table) + " SET " + Quoted(t_.value_column) + " = ?1" + where;
  }
  Result<long long> changed = Change(t_, db->get(), sql, value, t_.key);
  if (!changed.ok()) return NotWriting(changed.status());
  if (*changed != 1) {
    // ReadRow saw exactly this row inside the same write transaction; anything else is a bug.
    return Status::Internal(t_.path.string() + ": " + t_.Cell() + ": expected to change one row, changed " +
                            std::to_string(*changed) + "; not writing");
  }
  if (Status s = tx.Commit(); !s.ok()) return NotWriting(s);
  return Status::Ok();
}

Status SqliteRowSide::CheckWritable() {
  Result<Db> db = sqlite_row::Open(t_, OpenMode::kReadWrite);
  if (!db.ok()) return AsRefusal(db.status());
  {
    // A rollback journal is created beside the database on the first write; WAL files exist
    // already once the database is open. (Read-only PRAGMA: it changes nothing.)
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db->get(), "PRAGMA journal_mode", -1, &raw, nullptr);
    sqlite_row::Stmt s(raw);
    if (rc == SQLITE_OK) rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) return AsRefusal(sqlite_row::SqlError(t_, db->get(), rc));
    const unsigned char* mode = sqlite3_column_text(s.get(), 0);
    if (mode == nullptr || std::string_view(reinterpret_cast<const char*>(mode)) != "wal") {
      const std::filesystem::path dir = t_.path.parent_path().empty() ? "." : t_.path.parent_path();
      if (::faccessat(AT_FDCWD, dir.c_str(), W_OK | X_OK, AT_EACCESS) != 0) {
        return Status::FailedPrecondition(dir.string() + ": directory is not writable, so SQLite "
                                          "cannot create the rollback journal of " + t_.path.string());
      }
    }
  }
  Transaction tx(t_, db->get());
  if (Status s = tx.Begin("BEGIN IMMEDIATE"); !s.ok()) return AsRefusal(s);
  Result<Row> row = sqlite_row::ReadRow(t_, db->get());
  if (!row.ok()) return AsRefusal(row.status());
  if (row->state == Row::State::kAbsent && !t_.insert) return NoRowAndNoInsert();
  return Status::Ok();  // the transaction is rolled back: nothing was written
}

// The string option `key`, checked to be an identifier; names the key's line when not.
Result<std::string> TakeIdentifier(SideOptions& options, const std::string& key) {
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> v, options.TakeString(key, true));
  if (!IsIdentifier(*v)) {
    return Status::InvalidArgument(options.Where(options.LineOf(key)) + ": key `" + key +
                                   "` must be a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*), got \"" +
                                   *v + "\"");
  }
  return std::move(*v);
}

}  // namespace

Result<std::unique_ptr<Side>> MakeSqliteRowSide(SideOptions& options) {
  Target t;
  SEAM_ASSIGN_OR_RETURN(std::optional<std::filesystem::path> path, options.TakePath("path", true));
  t.path = std::move(*path);
  SEAM_ASSIGN_OR_RETURN(t.table, TakeIdentifier(options, "table"));
  SEAM_ASSIGN_OR_RETURN(t.key_column, TakeIdentifier(options, "key_column"));
  SEAM_ASSIGN_OR_RETURN(t.value_column, TakeIdentifier(options, "value_column"));
  auto bad = [&](const std::string& key, const std::string& why) {
    return Status::InvalidArgument(options.Where(options.LineOf(key)) + ": key `" + key + "` " + why);
  };
  // SQLite compares identifiers without regard to ASCII case.
  if (t.key_column.size() == t.value_column.size() &&
      std::equal(t.key_column.begin(), t.key_column.end(), t.value_column.begin(),
                 [](char a, char b) { return (a | 0x20) == (b | 0x20); })) {
    return bad("value_column", "names the same column as `key_column`");
  }

  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> key, options.TakeString("key", true));
  if (key->empty()) return bad("key", "is empty");
  for (const char c : *key) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return bad("key", "contains a control character");
  }
  t.key = std::move(*key);

  // `insert` is the string "true" or "false": SideOptions has no boolean accessor yet.
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> insert, options.TakeString("insert", false));
  if (insert && *insert != "true" && *insert != "false") {
    return bad("insert", "must be the string \"true\" or \"false\", got \"" + *insert + "\"");
  }
  t.insert = insert && *insert == "true";

  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> busy, options.TakeString("busy_timeout_ms", false));
  if (busy) {
    const bool digits = !busy->empty() && busy->size() <= 6 &&
                        busy->find_first_not_of("0123456789") == std::string::npos;
    const int ms = digits ? std::stoi(*busy) : -1;
    if (ms < 0 || ms > kMaxBusyTimeoutMs) {
      return bad("busy_timeout_ms", "must be a string of digits from \"0\" to \"600000\" (milliseconds), got \"" +
                                        *busy + "\"");
    }
    t.busy_timeout_ms = ms;
  }
  SEAM_RETURN_IF_ERROR(options.RejectUnknown());
  return std::unique_ptr<Side>(std::make_unique<SqliteRowSide>(std::move(t)));
}

}  // namespace seam
