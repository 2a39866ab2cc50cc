#pragma once
// SQLite plumbing private to the sqlite-row plugin: opening another program's database without
// ever creating it, turning SQLite result codes into one-line Statuses, checking the table and
// columns exist, and reading the mapped columns of the one row the side is about. Outside this
// folder only `seamctl discover` (tools/discover) uses it, to open other programs' databases
// exactly as this side does.

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/secret.h"
#include "core/side.h"
#include "core/status.h"

namespace seam::sqlite_row {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};


struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// One mapped field and the column that holds it.
struct Column {
  std::string field;  // the kind's field name ("token", "device_id", ...)
  std::string name;   // the column, a validated identifier
};

// Where the values live. Identifiers are validated by the factory ([A-Za-z_][A-Za-z0-9_]*), so
// they can be double-quoted into SQL as they are; `key` and values are only ever bound.
struct Target {
  std::filesystem::path path;
  std::string table;
  std::string key_column;
  std::string key;
  std::vector<Column> columns;  // never empty; in the kind's field order; names distinct
  bool insert = false;
  int busy_timeout_ms = 2000;

  // "pairings.token_sha256" for one column, "pairings.(token, device_id)" for several.
  std::string Columns() const;
  // "<Columns()> where device_id = \"device-42\"": the cells, for messages.
  std::string Cells() const;
  // "pairings.token where device_id = \"device-42\"": one cell, for messages.
  std::string Cell(const Column& c) const;
};

// A Status for a failed SQLite call: locked past the busy timeout is Unavailable ("<path> is
// locked by another process (busy for 2000 ms)"); a file that is not a database, a read-only
// database, a refused constraint or a statement interrupted by the progress handler ("<path>:
// query took longer than N ms") is FailedPrecondition; anything else IoError. The message
// names the path and SQLite's error text (which names tables and columns, never bound values).
Status SqlError(const Target& t, sqlite3* db, int rc);

// How long one connection (one Observe, Write, Remove or CheckWritable) may execute SQL:
// busy_timeout_ms for waiting on a lock plus 2000 ms for the statements themselves.
int ExecutionLimitMs(const Target& t);

// Opens the database read-only or read-write, never with SQLITE_OPEN_CREATE: a missing file is
// FailedPrecondition "<path>: database does not exist". Read-write also refuses a database this
// user cannot write (SQLite would silently fall back to read-only). Sets the busy timeout, turns
// on SQLITE_DBCONFIG_DEFENSIVE and off SQLITE_DBCONFIG_TRUSTED_SCHEMA (the other program's
// triggers and views cannot call functions with side effects), and installs a progress handler
// that interrupts any statement still running ExecutionLimitMs(t) after the open: the database
// belongs to another program, and its triggers could otherwise run forever. An interrupted
// statement is FailedPrecondition "<path>: query took longer than N ms" (see SqlError).
enum class OpenMode { kReadOnly, kReadWrite };
// A connection made by Open, with the execution deadline its progress handler checks.
class Db {
 public:
  struct Deadline {
    std::chrono::steady_clock::time_point at;
  };
  Db() = default;
  sqlite3* get() const { return conn_.get(); }

 private:
  friend Result<Db> Open(const Target& t, OpenMode mode);
  // Declared first so it is destroyed last: the connection's progress handler points at it.
  std::unique_ptr<Deadline> deadline_;
  std::unique_ptr<sqlite3, DbCloser> conn_;
};
Result<Db> Open(const Target& t, OpenMode mode);

// Runs one statement without results (BEGIN, COMMIT, ...).
Status Exec(const Target& t, sqlite3* db, const char* sql);

// The row as read inside the caller's transaction, with the change marker describing it: a
// digest over (row exists, and for each mapped column: NULL or the digest of its text), so two
// reads of an unchanged row have equal markers whatever happens to other rows or to columns
// the side does not map.
struct Row {
  bool exists = false;
  Record values;  // field -> text of each mapped column that is not NULL
  ChangeMarker marker;
  std::vector<std::string> not_null;  // mapped columns declared NOT NULL
};

// Checks the table exists and is a real table, not a view ("<path>: \"pairings\" is a view, not
// a table": a view runs arbitrary SQL on every read), and the key column and every mapped column
// exist (FailedPrecondition naming the first missing one), then reads all mapped columns of the
// row in one SELECT. More than one row with the key, or a value that is not text (integer,
// real, blob), is FailedPrecondition naming the cell and the type, never the value.
Result<Row> ReadRow(const Target& t, sqlite3* db);

// Rolls back on destruction unless committed. The connection must outlive it. Commit and the
// rollback remove the progress handler first: COMMIT may wait up to busy_timeout_ms for readers,
// and must not be interrupted past the deadline once the change is ready.
class Transaction {
 public:
  Transaction(const Target& t, sqlite3* db) : t_(t), db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status Begin(const char* sql);  // "BEGIN" (read) or "BEGIN IMMEDIATE" (write)
  Status Commit();

 private:
  const Target& t_;
  sqlite3* db_;
  bool open_ = false;
};

}  // namespace seam::sqlite_row
