#include "tests/bench/raw_sqlite.h"

#include <sqlite3.h>

#include "reconcilers/token/token_events.h"
#include "tests/bench/bench_env.h"

namespace seam::bench {

std::unique_ptr<RawDb> RawDb::Open(const std::string& path, bool create, std::string* error) {
  std::unique_ptr<RawDb> db(new RawDb());
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &db->db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    db->Fail(rc, "opening", error);
    return nullptr;
  }
  sqlite3_busy_timeout(db->db_, 5000);
  if (!db->Exec("PRAGMA journal_mode=WAL", error) || !db->Exec("PRAGMA synchronous=FULL", error)) {
    return nullptr;
  }
  if (create && !db->Exec(R"sql(
CREATE TABLE IF NOT EXISTS events(
  seq INTEGER PRIMARY KEY,
  stream TEXT NOT NULL,
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  time_us INTEGER NOT NULL,
  actor TEXT NOT NULL,
  payload BLOB NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL,
  UNIQUE(stream, version)
))sql", error)) {
    return nullptr;
  }
  if (!db->Prepare("SELECT seq, stream, version, type, time_us, actor, payload, prev_hash, hash "
                   "FROM events ORDER BY seq", &db->scan_, error) ||
      !db->Prepare("SELECT seq, stream, version, type, time_us, actor, payload, prev_hash, hash "
                   "FROM events WHERE stream = ?1 AND version >= 1 ORDER BY version",
                   &db->scan_stream_, error)) {
    return nullptr;
  }
  // The write statements only exist on a database with the table (always true for `create`).
  if (create && (!db->Prepare("INSERT INTO events(seq, stream, version, type, time_us, actor, "
                              "payload, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                              &db->insert_, error) ||
                 !db->Prepare("BEGIN", &db->begin_, error) ||
                 !db->Prepare("COMMIT", &db->commit_, error))) {
    return nullptr;
  }
  return db;
}

RawDb::~RawDb() {
  for (sqlite3_stmt* s : {insert_, begin_, commit_, scan_, scan_stream_}) sqlite3_finalize(s);
  sqlite3_close_v2(db_);
}

bool RawDb::Fail(int rc, const char* doing, std::string* error) {
  *error = std::string("raw sqlite: ") + doing + ": " + sqlite3_errstr(rc) +
           (db_ != nullptr ? std::string(" (") + sqlite3_errmsg(db_) + ")" : std::string());
  return false;
}

bool RawDb::Prepare(const char* sql, sqlite3_stmt** out, std::string* error) {
  const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, out, nullptr);
  return rc == SQLITE_OK || Fail(rc, "preparing a statement", error);
}

bool RawDb::Exec(const char* sql, std::string* error) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK || Fail(rc, sql, error);
}

bool RawDb::Bind(const RawRow& r, std::string* error) {
  sqlite3_stmt* s = insert_;
  int rc = sqlite3_bind_int64(s, 1, r.seq);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text64(s, 2, r.stream.data(), r.stream.size(), nullptr, SQLITE_UTF8);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(s, 3, r.version);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text64(s, 4, r.type.data(), r.type.size(), nullptr, SQLITE_UTF8);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(s, 5, r.time_us);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text64(s, 6, r.actor.data(), r.actor.size(), nullptr, SQLITE_UTF8);
  if (rc == SQLITE_OK) rc = sqlite3_bind_blob64(s, 7, r.payload.data(), r.payload.size(), nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_bind_blob64(s, 8, r.prev_hash.data(), r.prev_hash.size(), nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_bind_blob64(s, 9, r.hash.data(), r.hash.size(), nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE || Fail(rc, "inserting a row", error);
}

bool RawDb::InsertOne(const RawRow& row, std::string* error) { return Bind(row, error); }

bool RawDb::InsertBatch(RawRow& row, int n, std::string* error) {
  int rc = sqlite3_step(begin_);
  sqlite3_reset(begin_);
  if (rc != SQLITE_DONE) return Fail(rc, "BEGIN", error);
  for (int i = 0; i < n; ++i) {
    ++row.seq;
    ++row.version;
    if (!Bind(row, error)) {
      (void)sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return false;
    }
  }
  rc = sqlite3_step(commit_);
  sqlite3_reset(commit_);
  return rc == SQLITE_DONE || Fail(rc, "COMMIT", error);
}

bool RawDb::ScanAll(std::int64_t* rows, std::uint64_t* bytes, std::string* error) {
  return ReadRows(scan_, rows, bytes, error);
}

bool RawDb::ScanStream(const std::string& stream, std::int64_t* rows, std::uint64_t* bytes,
                       std::string* error) {
  sqlite3_bind_text(scan_stream_, 1, stream.c_str(), static_cast<int>(stream.size()), SQLITE_TRANSIENT);
  return ReadRows(scan_stream_, rows, bytes, error);
}

bool RawDb::ReadRows(sqlite3_stmt* s, std::int64_t* rows, std::uint64_t* bytes, std::string* error) {
  std::int64_t n = 0;
  std::uint64_t total = 0;
  std::int64_t ints = 0;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    ints += sqlite3_column_int64(s, 0) + sqlite3_column_int64(s, 2) + sqlite3_column_int64(s, 4);
    for (int col : {1, 3, 5}) {
      const unsigned char* p = sqlite3_column_text(s, col);
      total += static_cast<std::uint64_t>(sqlite3_column_bytes(s, col)) + (p != nullptr ? p[0] : 0u);
    }
    for (int col : {6, 7, 8}) {
      const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(s, col));
      total += static_cast<std::uint64_t>(sqlite3_column_bytes(s, col)) + (p != nullptr ? p[0] : 0u);
    }
    ++n;
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return Fail(rc, "scanning", error);
  *rows = n;
  *bytes = total + static_cast<std::uint64_t>(ints);
  return true;
}

RawRow SampleRawRow() {
  RawRow r;
  r.stream = kStream;
  r.type = token::kTokenRotated;
  r.time_us = NowUs();
  r.actor = kActor;
  r.payload = SamplePayload();
  for (std::size_t i = 0; i < r.hash.size(); ++i) {
    r.prev_hash[i] = static_cast<std::uint8_t>(i * 7 + 1);
    r.hash[i] = static_cast<std::uint8_t>(i * 13 + 5);
  }
  return r;
}

}  // namespace seam::bench
