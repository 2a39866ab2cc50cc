#pragma once
// The PostgreSQL log's schema (docs/log-format.md "PostgreSQL"), versioned in seam_meta:
//   seam_meta   (key, value): application = "seam", schema_version = "3", and key_check: the
//               fingerprint of the sealing key the log's secrets are sealed with (PgStore)
//   seam_head   one row: the last event's seq and hash (the row every append locks)
//   seam_events one row per event, the columns of the SQLite log (epoch since version 2);
//               UNIQUE (stream, version);
//               triggers refuse UPDATE, DELETE and TRUNCATE (append-only in the database, not
//               only in seam's code)
//   seam_locks  one row per locked stream: holder, token, lease expiry by the server's clock
//               (store/postgres/pg_lease_lock.h)
//   seam_confirmations (stream, side, confirmed_at_us): the confirmation book
//   seam_owners one row per owned stream: agent, epoch, lease expiry by the server's clock
//               (store/postgres/pg_ownership.h; since version 2)
//   seam_agents one row per agent: its last heartbeat and config hash (since version 2)
//   seam_observations one row per (stream, side): the last observation of the agent acting on
//               it (since version 3)
//   seam_append(...) the one server-side call an append is (pg_event_store.cc)

#include <string>

#include "core/status.h"
#include "store/postgres/pg_conn.h"

namespace seam::pg {

inline constexpr int kPgSchemaVersion = 4;

// Creates the schema, or migrates an older one, in one transaction (idempotent: an existing
// schema of this version is left as it is). A database holding tables of another application
// named seam_*, or seam's schema of a newer version, is refused with one line and nothing changed.
// `version` stops at an older version (tests of the migrations start from one).
Status CreateSchema(Connection& conn, int version = kPgSchemaVersion);

// Checks that the database holds seam's schema of this version: NotFound ("run `seamctl
// init`") when it holds none, FailedPrecondition for another version (an older one: run `seamctl
// init` to migrate it).
Status CheckSchema(Connection& conn);

}  // namespace seam::pg
