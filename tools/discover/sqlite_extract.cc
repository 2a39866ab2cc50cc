#include "tools/discover/sqlite_extract.h"

#include <sqlite3.h>

#include <vector>

#include "plugins/sqlite_row/sqlite_row_db.h"

namespace seam::discover {
namespace {

using sqlite_row::Stmt;

std::string Quoted(std::string_view id) {
  std::string out = "\"";
  for (char c : id) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Text(sqlite3_stmt* s, int col) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, col))) : std::string();
}

// A key a message and a config can carry as it is.
bool PrintableKey(std::string_view key) {
  if (key.empty() || key.size() > 200) return false;
  for (char c : key)
    if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\' || c == 0x7f) return false;
  return true;
}

struct Table {
  std::string name;
  std::vector<std::string> columns;
  std::string key_column;  // the one primary-key column, "" when none or several
};

}  // namespace

Status VisitSqlite(const std::string& path, const CellFn& fn, bool* truncated) {
  *truncated = false;
  sqlite_row::Target target;
  target.path = path;
  target.busy_timeout_ms = 1000;
  Result<sqlite_row::Db> db = sqlite_row::Open(target, sqlite_row::OpenMode::kReadOnly);
  if (!db.ok()) return db.status();
  sqlite3* conn = db->get();
  auto prepare = [&](const std::string& sql) -> Result<Stmt> {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(conn, sql.c_str(), -1, &raw, nullptr);
    Stmt s(raw);
    if (rc != SQLITE_OK) return sqlite_row::SqlError(target, conn, rc);
    return s;
  };
  // One read transaction: the tables and their rows as of one moment.
  SEAM_RETURN_IF_ERROR(sqlite_row::Exec(target, conn, "BEGIN"));
  std::vector<Table> tables;
  {
    Result<Stmt> s = prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name");
    if (!s.ok()) return s.status();
    int rc;
    while ((rc = sqlite3_step(s->get())) == SQLITE_ROW) {
      if (tables.size() == kSqliteMaxTables) {
        *truncated = true;
        break;
      }
      tables.push_back(Table{Text(s->get(), 0), {}, {}});
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_row::SqlError(target, conn, rc);
  }
  std::size_t cells = 0;
  for (Table& t : tables) {
    Result<Stmt> info = prepare("PRAGMA table_info(" + Quoted(t.name) + ")");
    if (!info.ok()) return info.status();
    int keys = 0;
    int rc;
    while ((rc = sqlite3_step(info->get())) == SQLITE_ROW) {
      std::string column = Text(info->get(), 1);
      if (sqlite3_column_int(info->get(), 5) > 0) {
        ++keys;
        t.key_column = column;
      }
      t.columns.push_back(std::move(column));
    }
    if (rc != SQLITE_DONE) return sqlite_row::SqlError(target, conn, rc);
    if (keys != 1) t.key_column.clear();
    std::string sql = "SELECT " + (t.key_column.empty() ? std::string("rowid") : Quoted(t.key_column));
    std::vector<const std::string*> read;
    for (const std::string& c : t.columns)
      if (c != t.key_column) {
        sql += ", " + Quoted(c);
        read.push_back(&c);
      }
    if (read.empty()) continue;
    sql += " FROM " + Quoted(t.name) + " LIMIT " + std::to_string(kSqliteMaxRowsPerTable + 1);
    Result<Stmt> rows = prepare(sql);
    if (!rows.ok()) continue;  // WITHOUT ROWID with a composite key: no row can be named
    std::size_t n = 0;
    while ((rc = sqlite3_step(rows->get())) == SQLITE_ROW) {
      if (++n > kSqliteMaxRowsPerTable || cells >= kSqliteMaxCells) {
        *truncated = true;
        break;
      }
      const std::string key = Text(rows->get(), 0);
      const bool named = !t.key_column.empty() && PrintableKey(key);
      for (std::size_t i = 0; i < read.size(); ++i) {
        const int col = static_cast<int>(i) + 1;
        if (sqlite3_column_type(rows->get(), col) != SQLITE_TEXT) continue;
        ++cells;
        SqliteCell cell{t.name, *read[i], named ? t.key_column : "", named ? key : ""};
        const std::string locator = named ? t.name + "." + *read[i] + " where " + t.key_column + " = \"" + key + "\""
                                          : t.name + "." + *read[i] + " (rowid " + key + ")";
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(rows->get(), col));
        fn(cell, locator, std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(rows->get(), col))));
      }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_row::SqlError(target, conn, rc);
  }
  return Status::Ok();  // the read transaction ends with the connection
}

}  // namespace seam::discover
