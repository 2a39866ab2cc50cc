#pragma once
// The text cells of another program's SQLite database, opened as the sqlite-row side opens it
// (read-only, never created, defensive, an untrusted schema, every statement under a deadline),
// each with the row a sqlite-row side would name it by.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "tools/discover/place.h"

namespace seam::discover {

inline constexpr std::size_t kSqliteMaxRowsPerTable = 10'000;
inline constexpr std::size_t kSqliteMaxCells = 1'000'000;
inline constexpr std::size_t kSqliteMaxTables = 256;

// `locator` is `table.column where key = "value"` when the table has a one-column primary key
// (cell.key_column set), else `table.column (rowid N)`. `value` is valid during the call only.
using CellFn = std::function<void(const SqliteCell& cell, const std::string& locator, std::string_view value)>;

// Real tables only (views and virtual tables run code of the other program's choosing); the
// primary key column itself is not visited (a sqlite-row side never writes it). Past the caps
// above the rest is left unread; `*truncated` says so. An error (not a database, locked, the
// deadline) is one line naming the file.
Status VisitSqlite(const std::string& path, const CellFn& fn, bool* truncated);

}  // namespace seam::discover
