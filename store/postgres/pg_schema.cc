#include "store/postgres/pg_schema.h"

#include <algorithm>
#include <iterator>

namespace seam::pg {
namespace {

// Run once, in one transaction, by CreateSchema. seam_append runs with its owner's rights
// (SECURITY DEFINER, its search_path pinned to the schema's): a least-privilege role for seam's
// agents needs only EXECUTE on it and SELECT on the log, never INSERT, UPDATE or DELETE on
// seam_events or seam_head (docs/log-format.md "PostgreSQL" has the GRANTs). The append function takes rows the client
// hashed (the hash input stays in one place, core/hash_chain.cc) and checks under the head row's
// lock that they follow the head the client hashed them on; a head that moved meanwhile returns
// 'moved' with the new head, and the client hashes again. The expected stream version is
// checked under the same lock. One round trip while the lock is held; seq is gap-free and in
// commit order, because the next append cannot read the head before this one commits.
//
// A new database gets version 1 and then every migration, so the path an existing database
// takes is the path every test's database took.
constexpr char kSchemaV1[] = R"sql(
CREATE TABLE seam_meta (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO seam_meta VALUES ('application', 'seam'), ('schema_version', '1');
CREATE TABLE seam_head (
  id integer PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash bytea NOT NULL
);
INSERT INTO seam_head VALUES (1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');
CREATE TABLE seam_events (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  stream text NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  type text NOT NULL,
  time_us bigint NOT NULL,
  actor text NOT NULL,
  payload bytea NOT NULL,
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL,
  UNIQUE (stream, version)
);
CREATE TABLE seam_locks (
  stream text PRIMARY KEY,
  holder text NOT NULL,
  token text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE TABLE seam_confirmations (
  stream text NOT NULL,
  side text NOT NULL,
  confirmed_at_us bigint NOT NULL,
  PRIMARY KEY (stream, side)
);
CREATE FUNCTION seam_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'seam_events is append-only: % refused', TG_OP;
END $$;
CREATE TRIGGER seam_events_no_update BEFORE UPDATE OR DELETE ON seam_events
  FOR EACH ROW EXECUTE FUNCTION seam_refuse_change();
CREATE TRIGGER seam_events_no_truncate BEFORE TRUNCATE ON seam_events
  FOR EACH STATEMENT EXECUTE FUNCTION seam_refuse_change();
CREATE FUNCTION seam_append(p_stream text, p_expected bigint, p_head_seq bigint, p_head_hash bytea,
                            p_types text[], p_times bigint[], p_actors text[], p_payloads bytea[],
                            p_hashes bytea[])
RETURNS TABLE (outcome text, stream_version bigint, last_actor text, head_seq bigint, head_hash bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  h_seq bigint;
  h_hash bytea;
  v bigint;
  a text;
  n integer := array_length(p_types, 1);
BEGIN
  SELECT s.seq, s.hash INTO h_seq, h_hash FROM seam_head s WHERE s.id = 1 FOR UPDATE;
  SELECT e.version, e.actor INTO v, a FROM seam_events e WHERE e.stream = p_stream
    ORDER BY e.version DESC LIMIT 1;
  v := coalesce(v, 0);
  IF v <> p_expected THEN
    RETURN QUERY SELECT 'conflict'::text, v, a, h_seq, h_hash;
    RETURN;
  END IF;
  IF h_seq <> p_head_seq OR h_hash <> p_head_hash THEN
    RETURN QUERY SELECT 'moved'::text, v, a, h_seq, h_hash;
    RETURN;
  END IF;
  INSERT INTO seam_events (seq, stream, version, type, time_us, actor, payload, prev_hash, hash)
    SELECT p_head_seq + i, p_stream, p_expected + i, p_types[i], p_times[i], p_actors[i], p_payloads[i],
           CASE WHEN i = 1 THEN p_head_hash ELSE p_hashes[i - 1] END, p_hashes[i]
    FROM generate_subscripts(p_types, 1) AS i;
  UPDATE seam_head SET seq = p_head_seq + n, hash = p_hashes[n] WHERE id = 1;
  PERFORM pg_notify('seam_appends', (p_head_seq + n)::text);
  RETURN QUERY SELECT 'ok'::text, p_expected + n, NULL::text, p_head_seq + n, p_hashes[n];
END $$;
)sql";

// Version 2: the fencing epoch (core/ownership.h). Events carry the epoch their writer's lease
// had (0 for the rows before: they hash as they did, nothing is rehashed); seam_owners holds the
// leases; seam_append records the epoch and, when asked, refuses an append whose epoch is not
// the stream's current lease's, or whose lease has expired by this server's clock. It reads the
// lease row FOR SHARE under the head lock, so a takeover waits for an append that passed the
// check to commit: the append is ordered before the takeover, never after it.
constexpr char kMigrateTo2[] = R"sql(
ALTER TABLE seam_events ADD COLUMN epoch bigint NOT NULL DEFAULT 0 CHECK (epoch >= 0);
CREATE TABLE seam_owners (
  stream text PRIMARY KEY,
  agent text NOT NULL,
  instance text NOT NULL,
  epoch bigint NOT NULL CHECK (epoch > 0),
  expires_at timestamptz NOT NULL
);
DROP FUNCTION seam_append(text, bigint, bigint, bytea, text[], bigint[], text[], bytea[], bytea[]);
CREATE FUNCTION seam_append(p_stream text, p_expected bigint, p_head_seq bigint, p_head_hash bytea,
                            p_epoch bigint, p_check_epoch boolean,
                            p_types text[], p_times bigint[], p_actors text[], p_payloads bytea[],
                            p_hashes bytea[])
RETURNS TABLE (outcome text, stream_version bigint, last_actor text, head_seq bigint, head_hash bytea,
               owner text, owner_epoch bigint, owner_live boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  h_seq bigint;
  h_hash bytea;
  v bigint;
  a text;
  o_agent text;
  o_epoch bigint;
  o_live boolean;
  n integer := array_length(p_types, 1);
BEGIN
  SELECT s.seq, s.hash INTO h_seq, h_hash FROM seam_head s WHERE s.id = 1 FOR UPDATE;
  IF p_check_epoch AND p_epoch > 0 THEN
    SELECT o.agent, o.epoch, o.expires_at > clock_timestamp() INTO o_agent, o_epoch, o_live
      FROM seam_owners o WHERE o.stream = p_stream FOR SHARE;
    IF o_epoch IS DISTINCT FROM p_epoch OR NOT o_live THEN
      RETURN QUERY SELECT 'fenced'::text, NULL::bigint, NULL::text, h_seq, h_hash, o_agent, o_epoch, o_live;
      RETURN;
    END IF;
  END IF;
  SELECT e.version, e.actor INTO v, a FROM seam_events e WHERE e.stream = p_stream
    ORDER BY e.version DESC LIMIT 1;
  v := coalesce(v, 0);
  IF v <> p_expected THEN
    RETURN QUERY SELECT 'conflict'::text, v, a, h_seq, h_hash, NULL::text, NULL::bigint, NULL::boolean;
    RETURN;
  END IF;
  IF h_seq <> p_head_seq OR h_hash <> p_head_hash THEN
    RETURN QUERY SELECT 'moved'::text, v, a, h_seq, h_hash, NULL::text, NULL::bigint, NULL::boolean;
    RETURN;
  END IF;
  INSERT INTO seam_events (seq, stream, version, type, time_us, actor, payload, prev_hash, hash, epoch)
    SELECT p_head_seq + i, p_stream, p_expected + i, p_types[i], p_times[i], p_actors[i], p_payloads[i],
           CASE WHEN i = 1 THEN p_head_hash ELSE p_hashes[i - 1] END, p_hashes[i], p_epoch
    FROM generate_subscripts(p_types, 1) AS i;
  UPDATE seam_head SET seq = p_head_seq + n, hash = p_hashes[n] WHERE id = 1;
  PERFORM pg_notify('seam_appends', (p_head_seq + n)::text);
  RETURN QUERY SELECT 'ok'::text, p_expected + n, NULL::text, p_head_seq + n, p_hashes[n], NULL::text,
                      NULL::bigint, NULL::boolean;
END $$;
-- Every agent's last heartbeat (the renewal loop of each seamd, leases or none).
CREATE TABLE seam_agents (
  agent text PRIMARY KEY,
  instance text NOT NULL,
  config_hash text NOT NULL,
  seen_at timestamptz NOT NULL
);
-- The head row locked for the rest of the caller's transaction, and read: an append that lost
-- the race for the head a few times in a row takes it first, hashes on it and then calls
-- seam_append in the same transaction, which cannot find it moved. (SECURITY DEFINER: seam's
-- role has no UPDATE on seam_head, which FOR UPDATE needs; the lock outlives the call.)
CREATE FUNCTION seam_lock_head() RETURNS TABLE (head_seq bigint, head_hash bytea)
LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT AS $$
  SELECT s.seq, s.hash FROM seam_head s WHERE s.id = 1 FOR UPDATE;
$$;
UPDATE seam_meta SET value = '2' WHERE key = 'schema_version';
)sql";

// Version 3: each side's last observation, shared so every agent shows the whole seam (agents
// observe only their own sides). Not the log: a row per side, overwritten by each pass of the
// agent acting on it; nothing is decided from it, it is shown (/status, /metrics).
//
// And seam_append takes the head row's lock by moving it: one conditional UPDATE (the head the
// client hashed on, else 'moved') instead of SELECT … FOR UPDATE and an UPDATE after the
// insert: one row version and one WAL record fewer per append (a durable single append went
// from 0.62x to 0.71x a raw one-row INSERT, tools/dev bench, this 2-core machine). In READ COMMITTED a second appender's UPDATE waits for the
// first to commit and then finds the head moved. A refused append (fenced, conflict) puts the
// head back before it returns: the transaction then changes nothing.
constexpr char kMigrateTo3[] = R"sql(
CREATE OR REPLACE FUNCTION seam_append(p_stream text, p_expected bigint, p_head_seq bigint, p_head_hash bytea,
                                       p_epoch bigint, p_check_epoch boolean,
                                       p_types text[], p_times bigint[], p_actors text[], p_payloads bytea[],
                                       p_hashes bytea[])
RETURNS TABLE (outcome text, stream_version bigint, last_actor text, head_seq bigint, head_hash bytea,
               owner text, owner_epoch bigint, owner_live boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  h_seq bigint;
  h_hash bytea;
  v bigint;
  a text;
  o_agent text;
  o_epoch bigint;
  o_live boolean;
  n integer := array_length(p_types, 1);
BEGIN
  UPDATE seam_head s SET seq = p_head_seq + n, hash = p_hashes[n]
    WHERE s.id = 1 AND s.seq = p_head_seq AND s.hash = p_head_hash;
  IF NOT FOUND THEN
    SELECT s.seq, s.hash INTO h_seq, h_hash FROM seam_head s WHERE s.id = 1;
    RETURN QUERY SELECT 'moved'::text, NULL::bigint, NULL::text, h_seq, h_hash, NULL::text, NULL::bigint,
                        NULL::boolean;
    RETURN;
  END IF;
  IF p_check_epoch AND p_epoch > 0 THEN
    SELECT o.agent, o.epoch, o.expires_at > clock_timestamp() INTO o_agent, o_epoch, o_live
      FROM seam_owners o WHERE o.stream = p_stream FOR SHARE;
    IF o_epoch IS DISTINCT FROM p_epoch OR NOT o_live THEN
      UPDATE seam_head SET seq = p_head_seq, hash = p_head_hash WHERE id = 1;
      RETURN QUERY SELECT 'fenced'::text, NULL::bigint, NULL::text, p_head_seq, p_head_hash, o_agent, o_epoch, o_live;
      RETURN;
    END IF;
  END IF;
  SELECT e.version, e.actor INTO v, a FROM seam_events e WHERE e.stream = p_stream
    ORDER BY e.version DESC LIMIT 1;
  v := coalesce(v, 0);
  IF v <> p_expected THEN
    UPDATE seam_head SET seq = p_head_seq, hash = p_head_hash WHERE id = 1;
    RETURN QUERY SELECT 'conflict'::text, v, a, p_head_seq, p_head_hash, NULL::text, NULL::bigint, NULL::boolean;
    RETURN;
  END IF;
  INSERT INTO seam_events (seq, stream, version, type, time_us, actor, payload, prev_hash, hash, epoch)
    SELECT p_head_seq + i, p_stream, p_expected + i, p_types[i], p_times[i], p_actors[i], p_payloads[i],
           CASE WHEN i = 1 THEN p_head_hash ELSE p_hashes[i - 1] END, p_hashes[i], p_epoch
    FROM generate_subscripts(p_types, 1) AS i;
  PERFORM pg_notify('seam_appends', (p_head_seq + n)::text);
  RETURN QUERY SELECT 'ok'::text, p_expected + n, NULL::text, p_head_seq + n, p_hashes[n], NULL::text,
                      NULL::bigint, NULL::boolean;
END $$;
CREATE TABLE seam_observations (
  stream text NOT NULL,
  side text NOT NULL,
  agent text NOT NULL,
  report text NOT NULL,
  observed_at timestamptz NOT NULL,
  PRIMARY KEY (stream, side)
);
UPDATE seam_meta SET value = '3' WHERE key = 'schema_version';
)sql";

// Version 4: where each [[notify]] target stands (store/postgres/pg_notify_cursors.h), so the
// agent that takes a seam over notifies from where its last owner stopped. Stream '' holds the
// target's start.
constexpr char kMigrateTo4[] = R"sql(
CREATE TABLE seam_notify_cursors (
  target text NOT NULL,
  stream text NOT NULL,
  seq bigint NOT NULL CHECK (seq >= 0),
  PRIMARY KEY (target, stream)
);
UPDATE seam_meta SET value = '4' WHERE key = 'schema_version';
)sql";

// Migrations by the version they start from: kMigrations[v - 1] brings version v to v + 1.
constexpr const char* kMigrations[] = {kMigrateTo2, kMigrateTo3, kMigrateTo4};
static_assert(std::size(kMigrations) == kPgSchemaVersion - 1);

// The schema version the database holds: 0 when it holds none; InvalidArgument when its
// seam_meta is another application's.
Result<int> StoredVersion(Connection& conn) {
  SEAM_ASSIGN_OR_RETURN(Rows meta, conn.Exec("SELECT to_regclass('seam_meta') IS NOT NULL", "reading the schema"));
  if (meta.Text(0, 0) != "t") return 0;
  SEAM_ASSIGN_OR_RETURN(Rows rows, conn.Exec("SELECT key, value FROM seam_meta WHERE key IN ('application', "
                                             "'schema_version') ORDER BY key",
                                             "reading the schema"));
  std::string application, version;
  for (int i = 0; i < rows.count(); ++i) {
    (rows.Text(i, 0) == "application" ? application : version) = std::string(rows.Text(i, 1));
  }
  if (application != "seam") {
    return Status::InvalidArgument(conn.describe() + " holds a seam_meta table that is not seam's; not touching it");
  }
  if (version.empty() || version.size() > 6 || version.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(version) < 1) {
    return Status::Corruption(conn.describe() + " holds seam's log with schema_version '" + version +
                              "', which seam never writes");
  }
  return std::stoi(version);
}

}  // namespace

Status CheckSchema(Connection& conn) {
  SEAM_ASSIGN_OR_RETURN(int version, StoredVersion(conn));
  if (version == 0) return Status::NotFound("no seam event log in " + conn.describe() + "; run `seamctl init`");
  if (version < kPgSchemaVersion) {
    return Status::FailedPrecondition(conn.describe() + " holds seam's log in schema version " + std::to_string(version) +
                                      "; run `seamctl init` as the role that owns its tables to migrate it to version " +
                                      std::to_string(kPgSchemaVersion));
  }
  if (version > kPgSchemaVersion) {
    return Status::FailedPrecondition(conn.describe() + " holds seam's log in schema version " + std::to_string(version) +
                                      ", newer than this seam reads (" + std::to_string(kPgSchemaVersion) +
                                      "); upgrade seam");
  }
  return Status::Ok();
}

Status CreateSchema(Connection& conn, int target) {
  // One transaction: two hosts running `init` at once make one schema (the loser's CREATE
  // fails and it then finds the winner's), and a failure leaves nothing half made.
  SEAM_RETURN_IF_ERROR(conn.Exec("BEGIN", "creating the schema").status());
  // Any role may take an advisory lock (a catalog table lock needs a superuser); the number is
  // seam's, "SEAM" in ASCII.
  SEAM_RETURN_IF_ERROR(conn.Exec("SELECT pg_advisory_xact_lock(1397047629)", "creating the schema").status());
  Result<int> version = StoredVersion(conn);
  Status made = version.status();
  if (made.ok() && *version > kPgSchemaVersion) made = CheckSchema(conn);  // newer: refused, one line
  if (made.ok() && *version == 0) {
    made = conn.ExecScript(kSchemaV1, "creating the schema").status();
    version = 1;
  }
  // Then every migration from the version found (nothing when it is this one's).
  for (int v = made.ok() ? *version : target; made.ok() && v < std::min(target, kPgSchemaVersion); ++v) {
    made = conn.ExecScript(kMigrations[v - 1], "migrating the schema to version " + std::to_string(v + 1)).status();
  }
  if (!made.ok()) {
    (void)conn.Exec("ROLLBACK", "creating the schema");
    return made;
  }
  return conn.Exec("COMMIT", "creating the schema").status();
}

}  // namespace seam::pg
