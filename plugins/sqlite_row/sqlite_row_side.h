#pragma once
// sqlite-row: a side whose record is text cells of one row in ANOTHER program's SQLite
// database, e.g. the token digest (and device id, gateway url) a gateway keeps in its
// `pairings` table.
//
// Config keys (a `[seam.sides.NAME]` table with plugin = "sqlite-row"):
//   path             required; the database file, relative to the config file's directory.
//   table            required; identifiers must match [A-Za-z_][A-Za-z0-9_]* (checked at config
//   key_column       required;   time, naming the key's line) and are always double-quoted in
//                                SQL.
//   value_column     the column of the kind's primary field (shorthand for `fields.<primary>`).
//   [...fields]      `field = "column"` for each field of the kind the row holds (a pairing:
//                    `token = "token_sha256"`, `device_id = "device_id"`, ...). At least one
//                    field must be placed, one way or the other. Columns are identifiers as
//                    above; no column may be given twice, nor equal key_column (ASCII case is
//                    ignored, as SQLite does); errors name the offending line.
//   key              required; the key_column value selecting the row (not secret: it appears in
//                    Describe and in messages). Never put in SQL text: always a bound parameter.
//   insert           optional "true" | "false" (default "false"): whether Write may INSERT the row
//                    when it is missing. A string, not a TOML boolean, because SideOptions only
//                    offers strings today.
//   busy_timeout_ms  optional string of digits, 0..600000 (default "2000"): how long to wait for
//                    another program's lock before giving up.
// Fields() lists the mapped fields in the kind's order.
//
// Observe: opens the database read-only (never created), then in one read transaction checks
// the table, the key column and every mapped column exist and runs one
// SELECT col1, col2, ... FROM table WHERE key_column = ?. A NULL cell is an absent field;
// Missing when the row does not exist or every mapped cell is NULL. Unreadable (one line, never
// a value) when the database does not exist ("<path>: database does not exist": seam must never
// create another program's database, so this is not a `missing` side that repair would try to
// fill), the file is not a database, the table or a column does not exist ("<path>: table
// \"pairings\" has no column \"token_sha256\""), the database is locked past the busy timeout
// ("<path> is locked by another process (busy for 2000 ms)"), several rows have the key, or a
// mapped cell is not text ("<path>: pairings.token where device_id = \"d-42\" is an integer,
// not text").
// Mapped columns should have TEXT (or no) affinity: SQLite stores an all-digit value written to
// an INTEGER, REAL or NUMERIC column as a number, which the next Observe reports as unreadable.
// Change marker: a digest over (row exists, and per mapped column: NULL or a digest of its
// text), so compare-and-swap sees exactly the changes of this row's mapped cells. changed_at_us
// is 0 (unknown).
//
// Write / Remove: open read-write without SQLITE_OPEN_CREATE, BEGIN IMMEDIATE, re-read the row
// inside the transaction and refuse (FailedPrecondition "...changed since it was observed; not
// writing") unless its marker equals `expected`; then, in the same transaction, ONE statement:
//   Write:  UPDATE table SET col1 = ?, col2 = ? ... WHERE key_column = ? for the mapped fields
//           present in the record (the others are left as they are; a record holding none of
//           them writes nothing), or when the row is missing INSERT (those columns, key_column)
//           if insert = "true" (otherwise FailedPrecondition: the row does not exist and insert
//           is false). Other columns of an inserted row get their defaults; a NOT NULL column
//           without one refuses the insert.
//   Remove: UPDATE table SET every mapped column = NULL for an existing row (a missing row or
//           all-NULL cells are already removed: nothing is written). The row itself is never
//           deleted: it belongs to the other program and may hold more than our values. A
//           mapped column declared NOT NULL refuses the removal with a FailedPrecondition
//           naming it.
// COMMIT; nothing is written when any step fails. Locked past the busy timeout is Unavailable.
//
// CheckWritable: writes nothing. The database exists and this user can write it, the directory
// is writable when the database uses a rollback journal (SQLite creates the journal there), the
// table and columns exist, the row holds text or NULL, BEGIN IMMEDIATE succeeds within the busy
// timeout (then ROLLBACK), and the row exists or insert = "true". FailedPrecondition with the
// reason, Unavailable when locked. It cannot know whether a Remove will come, so a NOT NULL
// mapped column is only refused by Remove itself.
//
// Hostile schemas: the table must be a real table; a view of that name (which would run the
// other program's SQL on every read) is unreadable / refused ("<path>: \"pairings\" is a view,
// not a table"). Connections are DEFENSIVE with TRUSTED_SCHEMA off, so the other program's
// triggers may only call innocuous functions: SQLite's ordinary built-ins work, an
// application-defined function without SQLITE_INNOCUOUS does not (seam registers none). Every
// operation must finish executing SQL within busy_timeout_ms + 2000 ms of opening the database
// (a progress handler interrupts it otherwise, e.g. a trigger that never ends): unreadable /
// FailedPrecondition "<path>: query took longer than N ms", and nothing is written. COMMIT and
// ROLLBACK are never interrupted.
//
// Describe: "sqlite-row <path> <table>.<column> where <key_column> = <key>", with
// "<table>.(<col1>, <col2>)" when several columns are mapped.
// No I/O happens in the factory; the side holds no connection between calls.

#include <memory>

#include "core/side.h"
#include "core/side_options.h"
#include "core/status.h"

namespace seam {

// SideFactory for "sqlite-row". Takes the keys above, then rejects unknown keys.
Result<std::unique_ptr<Side>> MakeSqliteRowSide(SideOptions& options);

}  // namespace seam
