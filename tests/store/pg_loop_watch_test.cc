// The PostgreSQL log's append watch driven by an event loop (store/postgres/pg_loop_watch.h):
// a poll(2) loop waits for what Next() asks, as seamd's Asio loop does. Against the run's real
// server: an append by another connection wakes it by notification (long before its poll), it
// catches up with appends made before it listened, it reconnects after its session is
// terminated, and no Step ever blocks, even on a server that accepts and never answers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/open.h"
#include "store/postgres/pg_loop_watch.h"
#include "tests/support/throwaway_postgres.h"

namespace seam {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

EventDraft Draft() { return EventDraft{"TokenIssued", "seamctl:alice@host", 1'700'000'000'000'000, "p"}; }

// Steps `watch` as an event loop would until `done` or `limit`; every head it reports goes to
// `heads`, and the longest Step's duration to `longest`.
struct Loop {
  std::vector<std::int64_t> heads;
  std::chrono::microseconds longest{0};
  bool Run(LoopAppendWatch& watch, const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const Steady::time_point end = Steady::now() + limit;
    while (!done()) {
      if (Steady::now() >= end) return false;
      const LoopAppendWatch::Wait wait = watch.Next();
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Steady::now());
      const int ms = static_cast<int>(std::max<std::int64_t>(0, std::min(wait.timeout, left).count()));
      bool ready = false;
      if (wait.fd >= 0) {
        pollfd p{wait.fd, static_cast<short>(wait.write ? POLLOUT : POLLIN), 0};
        ready = poll(&p, 1, ms) > 0;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      }
      const Steady::time_point before = Steady::now();
      const std::optional<std::int64_t> head = watch.Step(!ready);
      longest = std::max(longest, std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - before));
      if (head) heads.push_back(*head);
    }
    return true;
  }
};

class PgLoopWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::ThrowawayPostgres::ForTests(&error);
    ASSERT_NE(server_, nullptr) << error;
    db_ = server_->NewDatabase("loopwatch");
    Result<StoreConfig> config = StoreFromUrl(server_->Url(db_), "/nonexistent");
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    Result<std::unique_ptr<Store>> opened = store::Open(*config, {.create_if_missing = true});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }
  void Append(int n = 1) {
    for (int i = 0; i < n; ++i) {
      Result<std::int64_t> version = store_->Log().StreamVersion("token/a");
      ASSERT_TRUE(version.ok());
      ASSERT_TRUE(store_->Log().Append("token/a", *version, {Draft()}).ok());
    }
  }
  std::unique_ptr<pg::PgLoopWatch> Watch(std::int64_t after, std::chrono::milliseconds poll,
                                         std::chrono::milliseconds deadline = 10s, std::string url = "") {
    return std::make_unique<pg::PgLoopWatch>(url.empty() ? server_->Url(db_) : url, "", after,
                                             pg::PgLoopWatch::Timing{poll, deadline});
  }

  testing::ThrowawayPostgres* server_ = nullptr;
  std::string db_;
  std::unique_ptr<Store> store_;
};

TEST_F(PgLoopWatchTest, CatchesUpThenAnAppendWakesItByNotificationLongBeforeItsPoll) {
  ASSERT_NO_FATAL_FAILURE(Append(3));  // before the watch listens
  auto watch = Watch(0, 60s);          // a poll that never comes within this test
  Loop loop;
  ASSERT_TRUE(loop.Run(*watch, [&] { return !loop.heads.empty(); }, 5s)) << watch->Trouble();
  EXPECT_EQ(loop.heads, (std::vector<std::int64_t>{3}));
  EXPECT_EQ(watch->Trouble(), "");
  // Idle and connected: it waits on the socket for reading.
  const LoopAppendWatch::Wait idle = watch->Next();
  EXPECT_GE(idle.fd, 0);
  EXPECT_FALSE(idle.write);

  for (std::int64_t expected = 4; expected <= 6; ++expected) {
    const Steady::time_point appended = Steady::now();
    ASSERT_NO_FATAL_FAILURE(Append());
    ASSERT_TRUE(loop.Run(*watch, [&] { return loop.heads.back() == expected; }, 5s)) << watch->Trouble();
    EXPECT_LT(Steady::now() - appended, 1s);  // the notification, not the 60 s poll
  }
  EXPECT_EQ(loop.heads, (std::vector<std::int64_t>{3, 4, 5, 6}));
  EXPECT_LT(loop.longest, 50ms);
}

TEST_F(PgLoopWatchTest, ASessionTerminatedByTheServerIsReconnectedAndNothingIsMissed) {
  auto watch = Watch(0, 200ms);
  Loop loop;
  ASSERT_TRUE(loop.Run(*watch, [&] { return watch->Trouble().empty(); }, 5s)) << watch->Trouble();
  std::string out;
  ASSERT_EQ(server_->Psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '" + db_ +
                              "' AND query LIKE '%seam_head%' AND pid <> pg_backend_pid()",
                          "postgres", &out),
            "");
  ASSERT_EQ(out, "1\n");
  // The appends happen while the watch is cut off: no notification reaches it; the head read
  // after it reconnects (or its poll) catches up.
  ASSERT_NO_FATAL_FAILURE(Append(2));
  ASSERT_TRUE(loop.Run(*watch, [&] { return !loop.heads.empty() && loop.heads.back() == 2; }, 10s))
      << watch->Trouble();
  ASSERT_TRUE(loop.Run(*watch, [&] { return watch->Trouble().empty(); }, 10s)) << watch->Trouble();
  ASSERT_NO_FATAL_FAILURE(Append());
  ASSERT_TRUE(loop.Run(*watch, [&] { return loop.heads.back() == 3; }, 5s)) << watch->Trouble();
  EXPECT_LT(loop.longest, 50ms);
}

// A "server" that accepts connections and never says a word: connecting must neither block a
// Step nor last forever. The deadline drops it, says why, and it tries again after a back-off.
TEST_F(PgLoopWatchTest, AServerThatNeverAnswersBlocksNoStepAndIsGivenUpAtTheDeadline) {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener, 8), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string url =
      "postgresql://seam@127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/seam?sslmode=disable";
  auto watch = Watch(0, 1s, 300ms, url);
  Loop loop;
  const Steady::time_point start = Steady::now();
  ASSERT_TRUE(loop.Run(*watch, [&] { return watch->Trouble() != "not connected yet"; }, 5s));
  EXPECT_THAT(watch->Trouble(), HasSubstr("no answer within 300 ms"));
  EXPECT_THAT(watch->Trouble(), HasSubstr("127.0.0.1"));
  EXPECT_GE(Steady::now() - start, 300ms);
  EXPECT_LT(Steady::now() - start, 2s);
  // Tried again (and given up again) without a Step ever waiting.
  ASSERT_FALSE(loop.Run(*watch, [] { return false; }, 1s));
  EXPECT_LT(loop.longest, 50ms);
  EXPECT_TRUE(loop.heads.empty());
  close(listener);
}

}  // namespace
}  // namespace seam
