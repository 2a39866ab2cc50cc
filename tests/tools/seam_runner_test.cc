// SeamRunner (tools/seamd/seam_runner.h) in simulated time: its timers run on LoopClock, which
// this test moves forward, while its passes are real (a SQLite log in a temp dir, worker
// threads, FakeSides). What is checked is when passes happen: the poll interval and its
// jitter, the back-off after failed passes, a burst of requests becoming one pass, Stop.
// LoopClock::Advance moves every LoopClock of the process: this binary holds only this suite.
#include "tools/seamd/seam_runner.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "core/crypto.h"
#include "store/open.h"
#include "tests/support/fake_side.h"
#include "tests/support/temp_dir.h"
#include "tools/seamd/pass_schedule.h"

namespace seam::seamd {
namespace {

using namespace std::chrono_literals;
using testing::FakeSide;

constexpr auto kInterval = 15s;

class SeamRunnerTest : public ::testing::Test {
 protected:
  SeamRunnerTest() : work_(io_.get_executor()), lanes_(1, 1), mailbox_(std::make_shared<LoopMailbox>(io_)) {
    LoopClock::Advance(0s);  // simulated time from here: every timer wait is at most 1 ms
    Result<StoreConfig> store = StoreFromUrl("sqlite:events.db", dir_.path());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    store::OpenOptions create;
    create.create_if_missing = true;
    EXPECT_TRUE(store::Open(*store, create).ok());
    auto env = std::make_shared<PassEnv>();
    env->store = *store;
    env->master_key = Secret(std::string(kKeyFileBytes, 'k'));
    env->actor = "test";
    env->hook_dir = dir_.path();
    env_ = env;

    seam_.name = "s";
    seam_.kind = "token";
    seam_.entity = "e";
    seam_.repair = RepairPolicy::kAuto;
    seam_.interval_us = std::chrono::duration_cast<std::chrono::microseconds>(kInterval).count();
    side_ = std::make_shared<FakeSide>("a");
    SideConfig side;
    side.name = "a";
    side.plugin = "fake";
    side.side = side_;
    side.fields = {"token"};
    seam_.sides.push_back(std::move(side));
    loop_ = std::thread([this] { io_.run(); });
  }
  ~SeamRunnerTest() override {
    OnLoop([this] {
      if (runner_) runner_->Stop();
    });
    work_.reset();
    io_.stop();
    loop_.join();
  }

  // Runs `fn` on the loop and waits for it: the runner lives there.
  void OnLoop(std::function<void()> fn) {
    std::promise<void> done;
    boost::asio::post(io_, [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }
  void Start() {
    OnLoop([this] {
      runner_ = std::make_shared<SeamRunner>(io_, lanes_, mailbox_, env_, seam_, rng_, metrics_);
      runner_->RequestSweep("start-up");
    });
    ASSERT_TRUE(PassesReach(1));
  }
  // Waits (real time, up to 10 s: a bound for a broken build, never a figure) until the side
  // was observed `n` times and no pass is running.
  bool PassesReach(int n) {
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < give_up) {
      bool idle = false;
      OnLoop([&] { idle = runner_ && !runner_->running(); });
      if (side_->observes() >= n && idle) return true;
      std::this_thread::sleep_for(2ms);
    }
    return false;
  }
  // Moves the clock, then gives the loop real time to fire what is due (timers wait at most
  // 1 ms once the clock was moved) and a pass to run.
  void Advance(LoopClock::duration by) {
    LoopClock::Advance(by);
    boost::asio::post(io_, [] {});  // wakes the loop, whatever it was waiting for
    std::this_thread::sleep_for(100ms);
  }

  testing::TempDir dir_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  PassLanes lanes_;
  std::shared_ptr<LoopMailbox> mailbox_;
  std::shared_ptr<const PassEnv> env_;
  SeamConfig seam_;
  std::shared_ptr<FakeSide> side_;
  std::mt19937_64 rng_{42};
  Metrics metrics_;
  std::shared_ptr<SeamRunner> runner_;
  std::thread loop_;
};

TEST_F(SeamRunnerTest, APolledSeamIsPassedAgainAfterItsIntervalWithinItsJitter) {
  ASSERT_NO_FATAL_FAILURE(Start());
  EXPECT_TRUE(runner_->polled());
  for (int pass = 2; pass <= 4; ++pass) {
    Advance(kInterval * 89 / 100);  // before the earliest jittered poll (0.9 x)
    EXPECT_EQ(side_->observes(), pass - 1) << "a poll came before 0.9 x the interval";
    Advance(kInterval * 22 / 100);  // past the latest (1.1 x)
    ASSERT_TRUE(PassesReach(pass)) << "no poll by 1.1 x the interval";
    EXPECT_EQ(side_->observes(), pass);
  }
}

// Failed passes (an unreadable side) back off: 2x, 4x, 8x the interval, each within its
// jitter; the first pass that succeeds goes back to the interval.
TEST_F(SeamRunnerTest, FailedPassesBackOffAndASuccessReturnsToTheInterval) {
  side_->FailNextObserve("down", 4);
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_EQ(runner_->last_report()->ExitCode(), 2);
  for (int failures = 1; failures <= 3; ++failures) {
    const auto wait = *pass_schedule::NextWait(true, std::chrono::milliseconds(kInterval), failures);
    ASSERT_EQ(wait, std::chrono::milliseconds(kInterval) * (1 << failures));
    const int before = side_->observes();
    Advance(wait * 89 / 100);
    EXPECT_EQ(side_->observes(), before) << "retried before 0.9 x the back-off after " << failures;
    Advance(wait * 22 / 100);
    ASSERT_TRUE(PassesReach(before + 1)) << "no retry by 1.1 x the back-off after " << failures;
  }
  // Four failures (passes 1-4): the fifth pass comes after 16x, succeeds, and the next one is
  // back at the interval.
  const auto sixteen = std::chrono::milliseconds(kInterval) * 16;
  Advance(sixteen * 89 / 100);
  EXPECT_EQ(side_->observes(), 4);
  Advance(sixteen * 22 / 100);
  ASSERT_TRUE(PassesReach(5));
  EXPECT_LT(runner_->last_report()->ExitCode(), 2);
  Advance(kInterval * 89 / 100);
  EXPECT_EQ(side_->observes(), 5) << "a poll came before 0.9 x the interval";
  Advance(kInterval * 22 / 100);
  ASSERT_TRUE(PassesReach(6)) << "back at the interval after a success";
}

// Requests made while one is queued join it: a burst of file events is one pass.
TEST_F(SeamRunnerTest, ABurstOfRequestsIsOnePass) {
  ASSERT_NO_FATAL_FAILURE(Start());
  OnLoop([this] {
    for (int i = 0; i < 10; ++i) runner_->Request(1ms, "file event " + std::to_string(i));
  });
  ASSERT_TRUE(PassesReach(2));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(side_->observes(), 2);
}

TEST_F(SeamRunnerTest, AfterStopNoTimerRunsAPass) {
  ASSERT_NO_FATAL_FAILURE(Start());
  OnLoop([this] { runner_->Stop(); });
  Advance(24h);
  EXPECT_EQ(side_->observes(), 1);
}

}  // namespace
}  // namespace seam::seamd
