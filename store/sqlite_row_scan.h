#pragma once
// Reading many event rows fast: replay (ScanStream) and Verify step a statement over up to the
// whole log, and each row's hash must be recomputed. Private to store/.

#include <sqlite3.h>

#include <functional>

#include "core/event.h"
#include "core/status.h"

namespace seam::sqlite_internal {

// One row as ScanHashedRows hands it over: the event, whether its hashes were 32 bytes, and the
// hash recomputed from its other columns.
struct HashedRow {
  const Event& event;
  bool well_formed;
  const Hash& computed;
};

// Steps `s` to the end, calling `each` on every row in order on the calling thread, and stops
// at the first non-ok Status (returned). *rc is the final sqlite3_step result (SQLITE_DONE when
// every row was read).
//
// Rows are read in batches of 4096. A first batch that is the last runs on the calling thread
// alone; a longer scan starts one reader thread that owns the statement until the scan ends: it
// reads the next batch while the caller visits this one, then hashes that batch's rows from the
// front until the caller comes for it; the caller hashes the rest just before visiting them.
// So neither thread waits while the other has work, and the SQLite cursor and page cache stay
// on one core (a thread per batch, migrating between cores, read half as fast).
// REQUIRES: `each` does not use the statement's connection (the reader thread does).
Status ScanHashedRows(sqlite3_stmt* s, const std::function<Status(const HashedRow&)>& each, int* rc);

}  // namespace seam::sqlite_internal
