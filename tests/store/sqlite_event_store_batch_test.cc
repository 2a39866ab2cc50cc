// Replay and verify read rows in batches of 4096 on a reader thread that also hashes rows the
// caller has not reached (store/sqlite_row_scan.h). These tests cross batch boundaries: order,
// counts, and tampering found in a later batch, at the right seq.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "store/sqlite_event_store.h"
#include "tests/support/temp_dir.h"

namespace seam {
namespace {

constexpr std::int64_t kEvents = 10'000;  // three batches: 4096 + 4096 + 1808

class BatchedReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteOpenOptions options;
    options.create_if_missing = true;
    auto store = SqliteEventStore::Open(path(), options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::vector<EventDraft> batch;
    for (std::int64_t i = 0; i < 1000; ++i) {
      batch.push_back(EventDraft{"Rotated", "test", i, "payload-" + std::to_string(i)});
    }
    for (std::int64_t v = 0; v < kEvents; v += 1000) {
      ASSERT_TRUE((*store)->Append("token/a", v, batch).ok());
    }
  }
  std::string path() const { return (dir_ / "events.db").string(); }
  std::unique_ptr<SqliteEventStore> Store() {
    auto store = SqliteEventStore::Open(path(), SqliteOpenOptions{});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  // Alters one row behind seam's back (triggers dropped first), without re-hashing it.
  void Tamper(std::int64_t seq) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    const std::string sql = "DROP TRIGGER events_no_update; UPDATE events SET actor = 'mallory' WHERE seq = " +
                            std::to_string(seq) + ";";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  testing::TempDir dir_;
};

TEST_F(BatchedReadTest, ScanStreamVisitsEveryEventInOrderAcrossBatches) {
  auto store = Store();
  ASSERT_NE(store, nullptr);
  std::int64_t next = 1;
  Status s = store->ScanStream("token/a", 1, [&](const Event& e) {
    EXPECT_EQ(e.version, next);
    EXPECT_EQ(e.payload, "payload-" + std::to_string((next - 1) % 1000));
    ++next;
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(next, kEvents + 1);
}

TEST_F(BatchedReadTest, VerifyOfALogSpanningBatchesIsIntact) {
  auto report = Store()->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->reason;
  EXPECT_EQ(report->events_checked, kEvents);
  EXPECT_EQ(report->head_seq, kEvents);
}

TEST_F(BatchedReadTest, TamperingInALaterBatchIsFoundAtItsSeq) {
  Tamper(9'000);
  auto store = Store();
  ASSERT_NE(store, nullptr);
  auto report = store->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  EXPECT_EQ(report->first_bad_seq, 9'000);
  EXPECT_EQ(report->events_checked, 8'999);

  std::int64_t visited = 0;
  Status s = store->ScanStream("token/a", 1, [&](const Event&) {
    ++visited;
    return Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("event seq 9000"), std::string::npos) << s.message();
  EXPECT_EQ(visited, 8'999);  // every row before the altered one, none after
}

TEST_F(BatchedReadTest, AVisitorErrorStopsTheScanAtThatRow) {
  std::int64_t visited = 0;
  Status s = Store()->ScanStream("token/a", 1, [&](const Event& e) {
    ++visited;
    return e.version == 5'000 ? Status::Internal("stop here") : Status::Ok();
  });
  EXPECT_EQ(s.message(), "stop here");
  EXPECT_EQ(visited, 5'000);
}

// A visitor slower than the reader: the reader has hashed every row of the next batch before
// the visitor comes for it, so those rows are checked with the reader's hashes. An altered row
// among them is still found, at its seq.
TEST_F(BatchedReadTest, RowsTheReaderHashedAreCheckedToo) {
  Tamper(9'000);
  auto store = Store();
  ASSERT_NE(store, nullptr);
  std::int64_t visited = 0;
  Status s = store->ScanStream("token/a", 1, [&](const Event& e) {
    if (e.version % 4096 == 1) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ++visited;
    return Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("event seq 9000"), std::string::npos) << s.message();
  EXPECT_EQ(visited, 8'999);

  auto report = store->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->first_bad_seq, 9'000);
}

// The reader thread is stopped and joined however the visit ends, an exception included; the
// store reads again afterwards.
TEST_F(BatchedReadTest, AVisitorThatThrowsLeavesTheStoreUsable) {
  auto store = Store();
  ASSERT_NE(store, nullptr);
  EXPECT_THROW((void)store->ScanStream("token/a", 1, [&](const Event& e) {
    if (e.version == 6'000) throw std::runtime_error("visitor failed");
    return Status::Ok();
  }), std::runtime_error);
  std::int64_t visited = 0;
  Status s = store->ScanStream("token/a", 1, [&](const Event&) {
    ++visited;
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(visited, kEvents);
}

}  // namespace
}  // namespace seam
