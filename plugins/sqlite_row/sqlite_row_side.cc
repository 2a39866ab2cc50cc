#include "plugins/sqlite_row/sqlite_row_side.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// Runs one UPDATE / INSERT with bound text parameters ?1, ?2, ... (nullopt binds NULL) and
// returns the number of rows it changed.
Result<long long> Change(const Target& t, sqlite3* db, const std::string& sql,
                         const std::vector<std::optional<std::string_view>>& params) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr);
  sqlite_row::Stmt s(raw);
  if (rc != SQLITE_OK) return sqlite_row::SqlError(t, db, rc);
  for (std::size_t i = 0; i < params.size() && rc == SQLITE_OK; ++i) {
    const int index = static_cast<int>(i) + 1;
    // SQLITE_STATIC: the bound bytes outlive the statement.
    rc = params[i] ? sqlite3_bind_text64(s.get(), index, params[i]->data(), params[i]->size(), SQLITE_STATIC,
                                         SQLITE_UTF8)
                   : sqlite3_bind_null(s.get(), index);
  }
  if (rc != SQLITE_OK) return sqlite_row::SqlError(t, db, rc);
  rc = sqlite3_step(s.get());
  if (rc != SQLITE_DONE) return sqlite_row::SqlError(t, db, rc);
  return static_cast<long long>(sqlite3_changes64(db));
}

class SqliteRowSide final : public Side {
 public:
  explicit SqliteRowSide(Target t) : t_(std::move(t)) {}

  using Side::Observe;
  Observation Observe(Deadline deadline) override;
  std::vector<std::string> Fields() const override {
    std::vector<std::string> out;
    for (const auto& c : t_.columns) out.push_back(c.field);
    return out;
  }
  Status Write(const Record& record, const ChangeMarker& expected) override {
    return Modify(&record, expected);
  }
  Status Remove(const ChangeMarker& expected) override { return Modify(nullptr, expected); }
  Status CheckWritable() override;
  std::vector<FilePlace> FilePlaces() const override {
    std::vector<FilePlace> out;
    for (const auto& c : t_.columns) out.push_back({t_.path, t_.Cell(c)});
    return out;
  }
  std::string Describe() const override {
    return "sqlite-row " + t_.path.string() + " " + t_.Columns() + " where " + t_.key_column + " = " + t_.key;
  }

 private:
  // Sets the mapped columns `record` holds, or every mapped column to NULL when it is null.
  Status Modify(const Record* record, const ChangeMarker& expected);
  Status NoRowAndNoInsert() const {
    return Status::FailedPrecondition(t_.path.string() + ": no row of " + t_.table + " has " +
                                      t_.key_column + " = \"" + t_.key +
                                      "\" and insert is false (seam only updates existing rows)");
  }

  Target t_;
};

// The busy wait is cut to the deadline; a failure once it passed (locked past it) is the
// deadline's.
Observation SqliteRowSide::Observe(Deadline deadline) {
  const WaitBudget budget = BudgetFor(std::chrono::milliseconds(t_.busy_timeout_ms), deadline);
  if (budget.cut && budget.Expired()) return Observation::Unreadable(t_.path.string() + ": " + DeadlineReason(budget));
  Target t = t_;
  t.busy_timeout_ms = static_cast<int>(budget.allowed.count());
  auto unreadable = [&](const Status& s) {
    return Observation::Unreadable(budget.Overran() ? t.path.string() + ": " + DeadlineReason(budget) : s.message());
  };
  Result<Db> db = sqlite_row::Open(t, OpenMode::kReadOnly);
  if (!db.ok()) return unreadable(db.status());
  // One read transaction, so the schema check and the row agree; it is rolled back on return.
  Transaction tx(t, db->get());
  if (Status s = tx.Begin("BEGIN"); !s.ok()) return unreadable(s);
  Result<Row> row = sqlite_row::ReadRow(t, db->get());
  if (!row.ok()) return unreadable(row.status());
  // The database and table answered: no row, or NULL cells.
  if (row->values.empty()) return Observation::Absent(std::move(row->marker));
  return Observation::Value(std::move(row->values), std::move(row->marker));
}

Status SqliteRowSide::Modify(const Record* record, const ChangeMarker& expected) {
  Result<Db> db = sqlite_row::Open(t_, OpenMode::kReadWrite);
  if (!db.ok()) return NotWriting(db.status());
  Transaction tx(t_, db->get());
  // IMMEDIATE: the write lock is taken before the re-read, so nothing can change the row
  // between the compare and the swap.
  if (Status s = tx.Begin("BEGIN IMMEDIATE"); !s.ok()) return NotWriting(s);
  Result<Row> row = sqlite_row::ReadRow(t_, db->get());
  if (!row.ok()) return NotWriting(row.status());
  if (row->marker != expected) {
    return Status::FailedPrecondition(t_.path.string() + ": " + t_.Cells() +
                                      " changed since it was observed; not writing");
  }

  // The columns to set and their values (nullopt: NULL), bound as ?1..?n; the key is ?n+1.
  std::vector<const sqlite_row::Column*> columns;
  std::vector<std::optional<std::string_view>> params;
  if (record == nullptr) {
    if (row->values.empty()) return Status::Ok();  // already removed: rolled back
    if (!row->not_null.empty()) {
      return Status::FailedPrecondition(
          t_.path.string() + ": column " + t_.table + "." + row->not_null.front() +
          " is declared NOT NULL, so its value cannot be removed (seam never deletes another "
          "program's row); not writing");
    }
    for (const auto& c : t_.columns) {
      columns.push_back(&c);
      params.emplace_back(std::nullopt);
    }
  } else {
    for (const auto& c : t_.columns) {
      auto it = record->find(c.field);
      if (it == record->end()) continue;  // not in the record: left as it is
      columns.push_back(&c);
      params.emplace_back(it->second.Reveal());
    }
    if (columns.empty()) return Status::Ok();  // nothing this side maps: rolled back
  }

  std::string sql;
  if (record != nullptr && !row->exists) {
    if (!t_.insert) return NotWriting(NoRowAndNoInsert());
    std::string names, values;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      names += Quoted(columns[i]->name) + ", ";
      values += "?" + std::to_string(i + 1) + ", ";
    }
    sql = "INSERT INTO " + Quoted(t_.table) + " (" + names + Quoted(t_.key_column) + ") VALUES (" + values +
          "?" + std::to_string(columns.size() + 1) + ")";
  } else {
    std::string set;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      set += (i == 0 ? "" : ", ") + Quoted(columns[i]->name) + " = ?" + std::to_string(i + 1);
    }
    sql = "UPDATE " + Quoted(t_.table) + " SET " + set + " WHERE " + Quoted(t_.key_column) + " = ?" +
          std::to_string(columns.size() + 1);
  }
  params.emplace_back(t_.key);
  Result<long long> changed = Change(t_, db->get(), sql, params);
  if (!changed.ok()) return NotWriting(changed.status());
  if (*changed != 1) {
    // ReadRow saw exactly this row inside the same write transaction; anything else is a bug.
    return Status::Internal(t_.path.string() + ": " + t_.Cells() + ": expected to change one row, changed " +
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
  if (!row->exists && !t_.insert) return NoRowAndNoInsert();
  return Status::Ok();  // the transaction is rolled back: nothing was written
}

bool SameIdentifier(std::string_view a, std::string_view b) {
  // SQLite compares identifiers without regard to ASCII case.
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

// The string option `key`, checked to be an identifier; names the key's line when not.
Result<std::string> TakeIdentifier(SideOptions& options, const std::string& key) {
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> v, options.TakeString(key, true));
  std::string id = v.value_or(std::string());  // required: always set
  if (!IsIdentifier(id)) {
    return Status::InvalidArgument(options.Where(options.LineOf(key)) + ": key `" + key +
                                   "` must be a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*), got \"" +
                                   id + "\"");
  }
  return id;
}

}  // namespace

Result<std::unique_ptr<Side>> MakeSqliteRowSide(SideOptions& options) {
  Target t;
  SEAM_ASSIGN_OR_RETURN(std::optional<std::filesystem::path> path, options.TakePath("path", true));
  t.path = std::move(*path);
  SEAM_ASSIGN_OR_RETURN(t.table, TakeIdentifier(options, "table"));
  SEAM_ASSIGN_OR_RETURN(t.key_column, TakeIdentifier(options, "key_column"));
  auto bad = [&](const std::string& key, const std::string& why) {
    return Status::InvalidArgument(options.Where(options.LineOf(key)) + ": key `" + key + "` " + why);
  };

  SEAM_ASSIGN_OR_RETURN(std::vector<FieldPlace> places, options.TakeFieldMap("value_column"));
  // Messages name the key the column was given with: `value_column` (the primary field's
  // shorthand) or `fields.<field>`.
  auto key_of = [](const FieldPlace& p) { return p.key; };
  auto bad_place = [&](const FieldPlace& p, const std::string& why) {
    return Status::InvalidArgument(options.Where(p.line) + ": key `" + key_of(p) + "` " + why);
  };
  for (std::size_t i = 0; i < places.size(); ++i) {
    const FieldPlace& p = places[i];
    if (!IsIdentifier(p.place)) {
      return bad_place(p, "must be a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*), got \"" + p.place + "\"");
    }
    if (SameIdentifier(p.place, t.key_column)) return bad_place(p, "names the same column as `key_column`");
    for (std::size_t j = 0; j < i; ++j) {
      if (SameIdentifier(p.place, places[j].place)) {
        return bad_place(p, "names the same column as `" + key_of(places[j]) + "` (line " +
                                std::to_string(places[j].line) + ")");
      }
    }
    t.columns.push_back(sqlite_row::Column{p.field, p.place});
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
