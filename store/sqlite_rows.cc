#include "store/sqlite_rows.h"

#include <cstring>

#include "store/sqlite_event_store.h"

namespace seam::sqlite_internal {

void AssignText(sqlite3_stmt* s, int col, std::string* out) {
  const unsigned char* p = sqlite3_column_text(s, col);  // before column_bytes (SQLite docs)
  const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s, col));
  out->assign(p == nullptr ? "" : reinterpret_cast<const char*>(p), p == nullptr ? 0 : n);
}

void AssignBlob(sqlite3_stmt* s, int col, std::string* out) {
  const void* p = sqlite3_column_blob(s, col);  // NULL for a zero-length blob
  const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s, col));
  out->assign(p == nullptr ? "" : static_cast<const char*>(p), p == nullptr ? 0 : n);
}

bool AssignHash(sqlite3_stmt* s, int col, Hash* out) {
  const void* p = sqlite3_column_blob(s, col);
  if (p == nullptr || sqlite3_column_bytes(s, col) != static_cast<int>(out->size())) return false;
  std::memcpy(out->data(), p, out->size());
  return true;
}

std::string SchemaSql() {
  return R"sql(
CREATE TABLE seam_meta(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  application TEXT NOT NULL
);
INSERT INTO seam_meta(id, application) VALUES (1, ')sql" +
         std::string(kApplicationName) + R"sql(');
CREATE TABLE events(
  seq INTEGER PRIMARY KEY,
  stream TEXT NOT NULL,
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  time_us INTEGER NOT NULL,
  actor TEXT NOT NULL,
  payload BLOB NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL,
  epoch INTEGER NOT NULL DEFAULT 0 CHECK (epoch >= 0),
  UNIQUE(stream, version)
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
PRAGMA application_id = )sql" +
         std::to_string(kSeamApplicationId) + ";\nPRAGMA user_version = " +
         std::to_string(kSeamSchemaVersion) + ";\n";
}

std::string EventColumns(bool has_epoch) {
  return std::string("seq, stream, version, type, time_us, actor, payload, prev_hash, hash, ") +
         (has_epoch ? "epoch" : "0");
}

std::string MigrationSql(std::int64_t from_version) {
  // Version 1 -> 2: the epoch column, last (where ALTER TABLE puts it, so a migrated file and a
  // new one have the same table). Old rows are epoch 0 and hash as they did: nothing is rehashed.
  if (from_version == 1) {
    return "ALTER TABLE events ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0 CHECK (epoch >= 0);\n"
           "PRAGMA user_version = 2;\n";
  }
  return std::string();
}

int BindText(sqlite3_stmt* s, int i, const std::string& v) {
  return sqlite3_bind_text64(s, i, v.data(), v.size(), nullptr, SQLITE_UTF8);
}

bool ReadRow(sqlite3_stmt* s, Event* e) {
  e->seq = sqlite3_column_int64(s, 0);
  AssignText(s, 1, &e->stream);
  e->version = sqlite3_column_int64(s, 2);
  AssignText(s, 3, &e->type);
  e->time_us = sqlite3_column_int64(s, 4);
  AssignText(s, 5, &e->actor);
  AssignBlob(s, 6, &e->payload);
  e->epoch = sqlite3_column_int64(s, 9);
  const bool prev_ok = AssignHash(s, 7, &e->prev_hash);
  return AssignHash(s, 8, &e->hash) && prev_ok;
}

}  // namespace seam::sqlite_internal
