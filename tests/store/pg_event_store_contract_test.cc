// The EventStore contract (tests/store/event_store_contract.h) on PgEventStore, against a real
// PostgreSQL: a throwaway server for this binary (tests/support/throwaway_postgres.h), a fresh
// database per test. Tampering goes through psql as the cluster's superuser, who can switch the
// append-only triggers off: what a database administrator could do.
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_event_store.h"
#include "tests/store/event_store_contract.h"
#include "tests/support/throwaway_postgres.h"

namespace seam {
namespace {

// The run's server (the ctest fixture's), or one for this binary.
testing::ThrowawayPostgres* Server() {
  std::string error;
  testing::ThrowawayPostgres* server = testing::ThrowawayPostgres::ForTests(&error);
  if (server == nullptr) ADD_FAILURE() << error;
  return server;
}

std::string Literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string Hex(std::string_view bytes) { return "'" + pg::ByteaHex(bytes) + "'"; }
std::string Hex(const Hash& hash) {
  return Hex(std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
}


class PgHarness {
 public:
  PgHarness() {
    if (testing::ThrowawayPostgres* server = Server()) {
      db_ = server->NewDatabase("contract");
      EXPECT_FALSE(db_.empty()) << "CREATE DATABASE failed";
    }
  }

  std::unique_ptr<EventStore> Open() {
    testing::ThrowawayPostgres* server = Server();
    if (server == nullptr || db_.empty()) return nullptr;
    PgOpenOptions options;
    options.create_if_missing = true;
    options.watch_poll_ms = 20;  // keeps the watch tests quick
    auto store = PgEventStore::Open(server->Url(db_), options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::unique_ptr<EventStore>(std::move(store).value()) : nullptr;
  }

  void Tamper(std::int64_t seq, const std::function<void(Event&)>& edit) {
    testing::ThrowawayPostgres* server = Server();
    ASSERT_NE(server, nullptr);
    std::unique_ptr<EventStore> store = Open();
    ASSERT_NE(store, nullptr);
    Result<std::vector<Event>> rows = store->ReadAll(seq, 1);
    // ReadAll checks each row's hash: a row tampered before is read straight from the table.
    Event e;
    if (rows.ok() && !rows->empty() && rows->front().seq == seq) {
      e = rows->front();
    } else {
      GTEST_FAIL() << "cannot read seq " << seq << " to tamper with it";
    }
    edit(e);
    const std::string sql =
        "ALTER TABLE seam_events DISABLE TRIGGER seam_events_no_update; UPDATE seam_events SET stream = " +
        Literal(e.stream) + ", version = " + std::to_string(e.version) + ", type = " + Literal(e.type) +
        ", time_us = " + std::to_string(e.time_us) + ", actor = " + Literal(e.actor) + ", payload = " + Hex(e.payload) +
        ", prev_hash = " + Hex(e.prev_hash) + ", hash = " + Hex(e.hash) + ", epoch = " + std::to_string(e.epoch) + ", seq = " + std::to_string(e.seq) +
        " WHERE seq = " + std::to_string(seq) + "; ALTER TABLE seam_events ENABLE TRIGGER seam_events_no_update;";
    ASSERT_EQ(server->Psql(sql, db_), "");
  }

 private:
  std::string db_;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, EventStoreContract, ::testing::Types<PgHarness>);

}  // namespace
}  // namespace seam
