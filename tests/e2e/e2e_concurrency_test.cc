// Several seamctl processes at once on one seam: the seam lock serialises writers, so every side
// ends on the log's latest value without a repair; an operation that saw another one recorded
// while it waited for the lock exits 3 naming it; a writer that cannot get the lock in time
// exits 3 (retryable) and changes nothing.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <thread>
#include <utility>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

using ConcurrencyTest = SeamctlTest;

// Runs `a` and `b` at the same time and returns both results.
std::pair<ProcessResult, ProcessResult> RunTogether(const std::vector<std::string>& a,
                                                    const std::vector<std::string>& b,
                                                    const ProcessOptions& options) {
  ProcessResult ra;
  ProcessResult rb;
  std::thread ta([&] { ra = RunProcess(a, options); });
  std::thread tb([&] { rb = RunProcess(b, options); });
  ta.join();
  tb.join();
  return {ra, rb};
}

TEST_F(ConcurrencyTest, ParallelRotationsSerialiseAndLeaveEverySideOnTheLatest) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::vector<std::string> rotate{SEAMCTL_PATH, "-c", ConfigPath().string(), "token", "rotate", kSeam};
  ProcessOptions options;
  options.cwd = Root();
  options.env = {{"SEAM_ACTOR", "e2e"}};
  options.unset_env = {"SEAM_CONFIG", "SEAM_LOG_LEVEL", "SEAM_LOCK_WAIT_MS"};
  int acknowledged = 0;
  for (int round = 0; round < 4; ++round) {
    auto [a, b] = RunTogether(rotate, rotate, options);
    // The seam lock serialises the two. The first rotates; the second either started after the
    // first's intent (and rotates too) or saw it appear while it waited for the lock: then it
    // exits 3, naming the version and actor that won, and records nothing.
    for (const ProcessResult* r : {&a, &b}) {
      if (r->exit_code == 0) {
        ++acknowledged;
        continue;
      }
      EXPECT_EQ(r->exit_code, 3) << r->out << r->err;
      EXPECT_EQ(r->err.rfind("seamctl: error: seam device-token: e2e recorded TokenRotated as version ", 0), 0U)
          << r->err;
      EXPECT_EQ(std::count(r->err.begin(), r->err.end(), '\n'), 1) << "one line: " << r->err;
      EXPECT_TRUE(Contains(r->err, "while this command waited for the seam's lock")) << r->err;
    }
    EXPECT_TRUE(a.exit_code == 0 || b.exit_code == 0) << "one of the two always wins";
  }
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
  // No repair: every side already holds the log's latest version.
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 0) << report.dump(2);
  // Exactly the acknowledged rotations are in the log, each with its two confirmations.
  const std::vector<std::string> types = EventTypes(LogEvents());
  EXPECT_EQ(std::count(types.begin(), types.end(), "TokenRotated"), acknowledged);
  EXPECT_EQ(types.size(), 3U + 3U * static_cast<std::size_t>(acknowledged));
}

TEST_F(ConcurrencyTest, RepairRacingARotationNeverLeavesAStaleValue) {
  // Six rounds may mean six repairs of the CLI: more than the default budget allows.
  ConfigOptions no_budget;
  no_budget.repair_budget = "off";
  ASSERT_NO_FATAL_FAILURE(InitAndIssue(no_budget));
  ProcessOptions options;
  options.cwd = Root();
  options.env = {{"SEAM_ACTOR", "e2e"}};
  options.unset_env = {"SEAM_CONFIG", "SEAM_LOG_LEVEL", "SEAM_LOCK_WAIT_MS"};
  const std::vector<std::string> rotate{SEAMCTL_PATH, "-c", ConfigPath().string(), "token", "rotate", kSeam};
  const std::vector<std::string> repair{SEAMCTL_PATH, "-c", ConfigPath().string(), "repair"};
  for (int round = 0; round < 6; ++round) {
    SetCliToken("drift-" + std::to_string(round));  // something for the repair to do
    auto [a, b] = RunTogether(rotate, repair, options);
    EXPECT_EQ(a.exit_code, 0) << a.out << a.err;
    EXPECT_EQ(b.exit_code, 0) << b.out << b.err;
    int code = -1;
    const nlohmann::json report = CheckJson(&code);
    EXPECT_EQ(code, 0) << "round " << round << "\n" << report.dump(2);
  }
}

TEST_F(ConcurrencyTest, AWriterThatCannotGetTheLockExitsRetryableNamingTheHolder) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  // Hold the seam's lock from this test process, as a slow writer would.
  const fs::path lock_file = Root() / ".seam/locks/token~device-42.lock";
  ASSERT_TRUE(fs::exists(lock_file));
  const int fd = ::open(lock_file.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  // The record names the holder; its pid is what /proc/locks says holds the flock: this process.
  const std::string holder = "slow-writer\n";
  ASSERT_EQ(::write(fd, holder.data(), holder.size()), static_cast<ssize_t>(holder.size()));
  const Snapshot before = TakeSnapshot(Root());
  ProcessOptions options;
  options.cwd = Root();
  options.env = {{"SEAM_ACTOR", "e2e"}, {"SEAM_LOCK_WAIT_MS", "200"}};
  ProcessResult rotate = RunProcess({SEAMCTL_PATH, "-c", ConfigPath().string(), "token", "rotate", kSeam}, options);
  EXPECT_EQ(rotate.exit_code, 3) << rotate.out << rotate.err;
  EXPECT_TRUE(Contains(rotate.err, "seamctl: error: seam stream token/device-42 is busy: slow-writer (pid " +
                                       std::to_string(::getpid()) + ") holds"))
      << rotate.err;
  ProcessResult repair = RunProcess({SEAMCTL_PATH, "-c", ConfigPath().string(), "repair"}, options);
  EXPECT_EQ(repair.exit_code, 3) << repair.out << repair.err;
  // check takes no lock.
  ProcessResult check = RunProcess({SEAMCTL_PATH, "-c", ConfigPath().string(), "check"}, options);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  ::close(fd);
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

TEST_F(ConcurrencyTest, ParallelChecksAllAgree) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  SetCliToken("drift");
  const std::vector<std::string> argv{SEAMCTL_PATH, "-c", ConfigPath().string(), "check", "--json"};
  ProcessOptions options;
  options.cwd = Root();
  options.env = {{"SEAM_ACTOR", "e2e"}};
  const Snapshot before = TakeSnapshot(Root());
  std::vector<ProcessResult> results(4);
  std::vector<std::thread> threads;
  for (ProcessResult& r : results) threads.emplace_back([&r, &argv, &options] { r = RunProcess(argv, options); });
  for (std::thread& t : threads) t.join();
  for (const ProcessResult& r : results) {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.out, results[0].out);
  }
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

}  // namespace
}  // namespace seam::e2e
