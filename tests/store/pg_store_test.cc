// store::Open on a postgresql:// URL and what PgStore hands out, against the run's throwaway
// PostgreSQL (a database per test): the schema (created once, refused when foreign or of another
// version), lease locks across processes (a SIGKILLed holder's lease runs out), the confirmation
// book shared by every handle, the sealing key's fingerprint, and appenders in several processes
// keeping one gap-free chain.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "store/open.h"
#include "store/postgres/pg_lease_lock.h"
#include "tests/support/throwaway_postgres.h"

namespace seam {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::ThrowawayPostgres::ForTests(&error);
    ASSERT_NE(server_, nullptr) << error;
    db_ = server_->NewDatabase("store");
    ASSERT_FALSE(db_.empty());
    Result<StoreConfig> parsed = StoreFromUrl(server_->Url(db_), "/nonexistent");
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    config_ = *parsed;
  }

  std::unique_ptr<Store> OpenOrFail(store::OpenOptions options = {.create_if_missing = true}) {
    Result<std::unique_ptr<Store>> opened = store::Open(config_, options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  std::string Query(const std::string& sql) {
    std::string out;
    EXPECT_EQ(server_->Psql(sql, db_, &out), "") << sql;
    return out;
  }

  testing::ThrowawayPostgres* server_ = nullptr;
  std::string db_;
  StoreConfig config_;
};

TEST_F(PgStoreTest, TheSchemaIsMadeOnceAndNamedWithoutThePassword) {
  Result<std::unique_ptr<Store>> missing = store::Open(config_);
  ASSERT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("run `seamctl init`"));
  std::unique_ptr<Store> made = OpenOrFail();
  ASSERT_NE(made, nullptr);
  EXPECT_THAT(made->Describe(), HasSubstr("postgresql://seam_admin@socket "));
  ASSERT_TRUE(made->Log().Append("token/a", 0, {EventDraft{"TokenIssued", "t", 1, "p"}}).ok());
  // Again (a second host's init): kept as it is.
  std::unique_ptr<Store> again = OpenOrFail();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->Log().Head()->seq, 1);
  std::unique_ptr<Store> reader = OpenOrFail({.read_only = true});
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->Log().Append("token/a", 1, {EventDraft{"TokenRotated", "t", 2, "p"}}).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(PgStoreTest, AnotherSchemaVersionOrAnotherApplicationsTablesAreRefusedAndKept) {
  ASSERT_NE(OpenOrFail(), nullptr);
  Query("UPDATE seam_meta SET value = '9' WHERE key = 'schema_version'");
  Result<std::unique_ptr<Store>> newer = store::Open(config_, {.create_if_missing = true});
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(newer.status().message(), HasSubstr("holds seam's log in schema version 9, newer than this seam reads (4); upgrade seam"));

  const std::string other = server_->NewDatabase("other");
  ASSERT_EQ(server_->Psql("CREATE TABLE seam_meta (key text PRIMARY KEY, value text); "
                          "INSERT INTO seam_meta VALUES ('application', 'billing')",
                          other),
            "");
  Result<StoreConfig> theirs = StoreFromUrl(server_->Url(other), "/nonexistent");
  ASSERT_TRUE(theirs.ok());
  Result<std::unique_ptr<Store>> refused = store::Open(*theirs, {.create_if_missing = true});
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("holds a seam_meta table that is not seam's; not touching it"));
  std::string rows;
  ASSERT_EQ(server_->Psql("SELECT value FROM seam_meta", other, &rows), "");
  EXPECT_EQ(rows, "billing\n");
}

TEST_F(PgStoreTest, TheFirstKeyCheckedIsTheLogsAndAnotherIsRefused) {
  std::unique_ptr<Store> store = OpenOrFail();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->RecordedKey(), "");
  ASSERT_TRUE(store->CheckKey("fp:aaaaaaaaaaaa").ok());
  EXPECT_EQ(*store->RecordedKey(), "fp:aaaaaaaaaaaa");
  EXPECT_TRUE(store->CheckKey("fp:aaaaaaaaaaaa").ok());
  Status other = OpenOrFail()->CheckKey("fp:bbbbbbbbbbbb");
  EXPECT_EQ(other.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(other.message(), HasSubstr("holds key fp:bbbbbbbbbbbb, but the event log"));
  EXPECT_THAT(other.message(), HasSubstr("is sealed with key fp:aaaaaaaaaaaa"));
  // Read-only handles compare and record nothing.
  const std::string other_db = server_->NewDatabase("keyless");
  Result<StoreConfig> fresh = StoreFromUrl(server_->Url(other_db), "/nonexistent");
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE(store::Open(*fresh, {.create_if_missing = true}).ok());
  Result<std::unique_ptr<Store>> reader = store::Open(*fresh, {.read_only = true});
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE((*reader)->CheckKey("fp:cccccccccccc").ok());
  EXPECT_EQ(*(*reader)->RecordedKey(), "");
}

TEST_F(PgStoreTest, OneWriterPerStreamTheSecondIsToldWhoHoldsItUntilWhen) {
  std::unique_ptr<Store> a = OpenOrFail();
  std::unique_ptr<Store> b = OpenOrFail();
  ASSERT_TRUE(a && b);
  Result<std::unique_ptr<WriterLock>> held = a->LockStream("token/x", "seamctl:alice@gw1", 1s);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  Result<std::unique_ptr<WriterLock>> busy = b->LockStream("token/x", "seamd:bob@gw2", 200ms);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(busy.status().message(), HasSubstr("seam stream token/x is busy: seamctl:alice@gw1 holds its lease in "));
  EXPECT_THAT(busy.status().message(), HasSubstr("(waited 200 ms)"));
  // Another stream is free; the lease outlives its first term while held (it is renewed).
  EXPECT_TRUE(b->LockStream("token/y", "seamd:bob@gw2", 200ms).ok());
  std::this_thread::sleep_for(3500ms);
  EXPECT_FALSE(b->LockStream("token/x", "seamd:bob@gw2", 100ms).ok());
  held->reset();  // released at once
  EXPECT_TRUE(b->LockStream("token/x", "seamd:bob@gw2", 100ms).ok());
  // A lock per pass reuses the store's connections: over twenty passes, the server backends seam
  // has on this database (seen while each lock is held) are a handful, not one more per pass.
  std::set<std::string> backends;
  for (int i = 0; i < 20; ++i) {
    Result<std::unique_ptr<WriterLock>> lock = b->LockStream("token/z", "seamd:bob@gw2", 100ms);
    ASSERT_TRUE(lock.ok());
    std::stringstream pids(Query("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND "
                                 "application_name = 'seam'"));
    for (std::string pid; std::getline(pids, pid);) backends.insert(pid);
  }
  EXPECT_LE(backends.size(), 8u);
}

TEST_F(PgStoreTest, ASigkilledHoldersLeaseRunsOut) {
  ASSERT_NE(OpenOrFail(), nullptr);
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pg::LeaseTiming timing;
    timing.lease = 1000ms;
    timing.renew = 200ms;
    Result<std::unique_ptr<WriterLock>> lock =
        pg::AcquireLease(std::make_shared<pg::LeaseConnections>(config_.url, ""), "token/x", "child", 5s, timing);
    const char c = lock.ok() ? '1' : '0';
    (void)!write(ready[1], &c, 1);
    for (;;) pause();
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, '1');
  std::unique_ptr<Store> store = OpenOrFail();
  EXPECT_FALSE(store->LockStream("token/x", "parent", 1500ms).ok());  // renewed while alive
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  const auto killed = std::chrono::steady_clock::now();
  Result<std::unique_ptr<WriterLock>> taken = store->LockStream("token/x", "parent", 5s);
  EXPECT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - killed, 2s);  // within one lease (1 s) and a poll
  close(ready[0]);
  close(ready[1]);
}

TEST_F(PgStoreTest, TheConfirmationBookIsSharedAndNeverMovesBack) {
  std::unique_ptr<Store> a = OpenOrFail();
  std::unique_ptr<Store> b = OpenOrFail();
  ASSERT_TRUE(a && b);
  Result<std::unique_ptr<ConfirmationBook>> book_a = a->OpenConfirmationBook();
  Result<std::unique_ptr<ConfirmationBook>> book_b = b->OpenConfirmationBook();
  ASSERT_TRUE(book_a.ok() && book_b.ok());
  EXPECT_EQ((*book_a)->LastInSync("token/x", "cli"), 0);
  (*book_a)->Confirm("token/x", "cli", 2000);
  ASSERT_TRUE((*book_a)->Flush().ok());
  (*book_b)->Confirm("token/x", "cli", 1000);  // an older confirmation flushed later
  ASSERT_TRUE((*book_b)->Flush().ok());
  Result<std::unique_ptr<ConfirmationBook>> fresh = OpenOrFail()->OpenConfirmationBook();
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ((*fresh)->LastInSync("token/x", "cli"), 2000);
  EXPECT_EQ((*fresh)->LastInSync("token/x", "gateway"), 0);
}

TEST_F(PgStoreTest, AppendersInSeveralProcessesKeepOneGapFreeChain) {
  ASSERT_NE(OpenOrFail(), nullptr);
  constexpr int kProcesses = 4;
  constexpr int kAppends = 25;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      Result<std::unique_ptr<Store>> store = store::Open(config_);
      if (!store.ok()) _exit(3);
      const std::string stream = "token/p" + std::to_string(p);
      for (int i = 0; i < kAppends; ++i) {
        // One event, then two in one append: the chain interleaves both shapes.
        std::vector<EventDraft> drafts{EventDraft{"TokenRotated", "p", i, "x"}};
        if (i % 2 == 1) drafts.push_back(EventDraft{"SideApplied", "p", i, "y"});
        Result<std::int64_t> version = (*store)->Log().StreamVersion(stream);
        if (!version.ok() || !(*store)->Log().Append(stream, *version, drafts).ok()) _exit(4);
      }
      _exit(0);
    }
    children.push_back(child);
  }
  for (pid_t child : children) {
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
  std::unique_ptr<Store> store = OpenOrFail({.read_only = true});
  const std::int64_t per_process = kAppends + kAppends / 2;
  Result<VerifyReport> report = store->Log().Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->reason;
  EXPECT_EQ(report->events_checked, kProcesses * per_process);
  EXPECT_EQ(store->Log().Head()->seq, kProcesses * per_process);
  EXPECT_EQ(Query("SELECT count(*) = max(seq) FROM seam_events"), "t\n");
}

// Durability under SIGKILL: appenders in several processes are killed at random moments while
// they append; every append a child was told succeeded (it reports the seq through a pipe right
// after Append returns) is in the log, nothing is half present (count = max(seq)), and the chain
// verifies. Twenty rounds.
TEST_F(PgStoreTest, AppendersKilledAtRandomLoseNothingAcknowledged) {
  ASSERT_NE(OpenOrFail(), nullptr);
  std::vector<std::int64_t> acknowledged;
  std::srand(static_cast<unsigned>(getpid()));
  for (int round = 0; round < 20; ++round) {
    int acks[2];
    ASSERT_EQ(pipe(acks), 0);
    std::vector<pid_t> children;
    for (int p = 0; p < 3; ++p) {
      const pid_t child = fork();
      ASSERT_GE(child, 0);
      if (child == 0) {
        close(acks[0]);
        Result<std::unique_ptr<Store>> store = store::Open(config_);
        if (!store.ok()) _exit(3);
        const std::string stream = "token/r" + std::to_string(round) + "p" + std::to_string(p);
        for (std::int64_t version = 0;; ++version) {
          Result<AppendResult> r = (*store)->Log().Append(stream, version, {EventDraft{"TokenRotated", "k", version, "x"}});
          if (!r.ok()) {
            std::fprintf(stderr, "appender %d: %s\n", p, r.status().ToString().c_str());
            _exit(4);
          }
          const std::int64_t seq = r->last_seq;
          if (write(acks[1], &seq, sizeof seq) != sizeof seq) _exit(5);
        }
      }
      children.push_back(child);
    }
    close(acks[1]);
    // The kill comes at a random moment after the appenders are under way (on a loaded machine,
    // connecting alone can take longer than the random delay).
    std::int64_t first = 0;
    for (int started = 0; started < 3 && read(acks[0], &first, sizeof first) == sizeof first; ++started) {
      acknowledged.push_back(first);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::rand() % 150));
    for (pid_t child : children) kill(child, SIGKILL);
    for (pid_t child : children) {
      int status = 0;
      waitpid(child, &status, 0);
      EXPECT_TRUE(WIFSIGNALED(status)) << "a child exited on its own: " << status;
    }
    std::int64_t seq = 0;
    while (read(acks[0], &seq, sizeof seq) == sizeof seq) acknowledged.push_back(seq);
    close(acks[0]);
  }
  std::unique_ptr<Store> store = OpenOrFail({.read_only = true});
  Result<VerifyReport> report = store->Log().Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->reason;
  EXPECT_EQ(Query("SELECT count(*) = max(seq) FROM seam_events"), "t\n");
  ASSERT_FALSE(acknowledged.empty());
  const std::int64_t head = store->Log().Head()->seq;
  EXPECT_EQ(report->events_checked, head);
  for (std::int64_t seq : acknowledged) EXPECT_LE(seq, head);
  std::cerr << acknowledged.size() << " appends acknowledged, " << head << " in the log (the rest committed, not "
            << "yet acknowledged when killed)\n";
}

// A server of its own: restarting the run's shared one would break the other tests.
TEST(PgStoreRestartTest, ARestartedServerCostsOnlyTheCallsMadeWhileItWasAway) {
  testing::ThrowawayPostgres server;
  ASSERT_EQ(server.Start(), "");
  Result<StoreConfig> config = StoreFromUrl(server.Url(), "/nonexistent");
  ASSERT_TRUE(config.ok());
  Result<std::unique_ptr<Store>> writer = store::Open(*config, {.create_if_missing = true});
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  Result<std::unique_ptr<Store>> reader = store::Open(*config, {.read_only = true});
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*writer)->Log().Append("token/a", 0, {EventDraft{"TokenIssued", "t", 1, "p"}}).ok());

  server.Stop();
  Result<AppendResult> away = (*writer)->Log().Append("token/a", 1, {EventDraft{"TokenRotated", "t", 2, "p"}});
  ASSERT_FALSE(away.ok());
  EXPECT_THAT(away.status().message(), HasSubstr("postgresql://seam_admin@socket "));
  EXPECT_FALSE((*reader)->Log().Head().ok());

  ASSERT_EQ(server.StartAgain(), "");
  Result<AppendResult> back = (*writer)->Log().Append("token/a", 1, {EventDraft{"TokenRotated", "t", 2, "p"}});
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->last_seq, 2);
  EXPECT_EQ((*reader)->Log().Head()->seq, 2);
  // The reader's session setting came back with its connection: it still cannot append.
  EXPECT_EQ((*reader)->Log().Append("token/a", 2, {EventDraft{"TokenRotated", "t", 3, "p"}}).status().code(),
            StatusCode::kFailedPrecondition);
  Result<VerifyReport> verified = (*reader)->Log().Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact);
}

}  // namespace
}  // namespace seam
