// The EventStore contract (tests/store/event_store_contract.h) on SqliteEventStore: real files in
// a TempDir; tampering goes through the sqlite3 C API, the way someone with write access to the
// file would edit it.
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "store/sqlite_event_store.h"
#include "tests/store/event_store_contract.h"
#include "tests/support/temp_dir.h"

namespace seam {
namespace {

class SqliteHarness {
 public:
  std::unique_ptr<EventStore> Open() {
    SqliteOpenOptions options;
    options.create_if_missing = true;
    options.watch_poll_ms = 20;  // keeps the watch tests quick
    auto store = SqliteEventStore::Open(path().string(), options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::unique_ptr<EventStore>(std::move(store).value()) : nullptr;
  }

  void Tamper(std::int64_t seq, const std::function<void(Event&)>& edit) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(path().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> close(db, &sqlite3_close_v2);
    ASSERT_EQ(sqlite3_exec(db, "DROP TRIGGER IF EXISTS events_no_update", nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    Event e;
    ASSERT_NO_FATAL_FAILURE(ReadRow(db, seq, &e));
    edit(e);
    ASSERT_NO_FATAL_FAILURE(WriteRow(db, seq, e));
  }

 private:
  std::filesystem::path path() const { return dir_ / "events.db"; }

  static void ReadRow(sqlite3* db, std::int64_t seq, Event* e) {
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT stream, version, type, time_us, actor, payload, "
                                 "prev_hash, hash, epoch FROM events WHERE seq = ?",
                                 -1, &s, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> finalize(s, &sqlite3_finalize);
    sqlite3_bind_int64(s, 1, seq);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW) << "no event seq " << seq;
    auto text = [s](int col) {
      return std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, col)),
                         static_cast<std::size_t>(sqlite3_column_bytes(s, col)));
    };
    auto blob = [s](int col) {
      const void* data = sqlite3_column_blob(s, col);  // null for an empty blob
      const auto size = static_cast<std::size_t>(sqlite3_column_bytes(s, col));
      return data == nullptr ? std::string() : std::string(static_cast<const char*>(data), size);
    };
    e->seq = seq;
    e->stream = text(0);
    e->version = sqlite3_column_int64(s, 1);
    e->type = text(2);
    e->time_us = sqlite3_column_int64(s, 3);
    e->actor = text(4);
    e->payload = blob(5);
    e->epoch = sqlite3_column_int64(s, 8);
    const std::string prev = blob(6), hash = blob(7);
    ASSERT_EQ(prev.size(), e->prev_hash.size());
    ASSERT_EQ(hash.size(), e->hash.size());
    std::copy(prev.begin(), prev.end(), e->prev_hash.begin());
    std::copy(hash.begin(), hash.end(), e->hash.begin());
  }

  // Writes every column of `e` over row `seq`, as it stands (no hashing).
  static void WriteRow(sqlite3* db, std::int64_t seq, const Event& e) {
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "UPDATE events SET seq = ?1, stream = ?2, version = ?3, type = ?4, "
                                 "time_us = ?5, actor = ?6, payload = ?7, prev_hash = ?8, "
                                 "hash = ?9, epoch = ?11 WHERE seq = ?10",
                                 -1, &s, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> finalize(s, &sqlite3_finalize);
    sqlite3_bind_int64(s, 1, e.seq);
    sqlite3_bind_text(s, 2, e.stream.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, e.version);
    sqlite3_bind_text(s, 4, e.type.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 5, e.time_us);
    sqlite3_bind_text(s, 6, e.actor.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob64(s, 7, e.payload.data(), e.payload.size(), SQLITE_TRANSIENT);
    sqlite3_bind_blob64(s, 8, e.prev_hash.data(), e.prev_hash.size(), SQLITE_TRANSIENT);
    sqlite3_bind_blob64(s, 9, e.hash.data(), e.hash.size(), SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 11, e.epoch);
    sqlite3_bind_int64(s, 10, seq);
    ASSERT_EQ(sqlite3_step(s), SQLITE_DONE) << sqlite3_errmsg(db);
  }

  testing::TempDir dir_;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, EventStoreContract, ::testing::Types<SqliteHarness>);

}  // namespace
}  // namespace seam
