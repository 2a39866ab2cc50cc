// Two seamctl processes at once on one seam: the log serialises them (or one reports a
// conflict, exit 3), the chain stays intact, and a repair brings both sides to the log.
#include <gtest/gtest.h>

#include <thread>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

using ConcurrencyTest = SeamctlTest;

TEST_F(ConcurrencyTest, ParallelRotationsKeepTheLogIntactAndRepairConverges) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::vector<std::string> argv{SEAMCTL_PATH, "-c", ConfigPath().string(), "token", "rotate", kSeam};
  ProcessOptions options;
  options.cwd = Root();
  options.env = {{"SEAM_ACTOR", "e2e"}};
  options.unset_env = {"SEAM_CONFIG", "SEAM_LOG_LEVEL"};
  std::int64_t rotations = 0;
  for (int round = 0; round < 4; ++round) {
    ProcessResult a;
    ProcessResult b;
    std::thread ta([&] { a = RunProcess(argv, options); });
    std::thread tb([&] { b = RunProcess(argv, options); });
    ta.join();
    tb.join();
    for (const ProcessResult* r : {&a, &b}) {
      // 0: written; 2: a side changed under it (the other writer) and was not written;
      // 3: the other process appended first. Anything else is a crash or a hang.
      EXPECT_TRUE(r->exit_code == 0 || r->exit_code == 2 || r->exit_code == 3)
          << "exit " << r->exit_code << "\n" << r->out << r->err;
      if (r->exit_code == 3) {
        EXPECT_TRUE(Contains(r->err, "seamctl: error:")) << r->err;
      }
      if (Contains(r->out, "rotate recorded")) ++rotations;
    }
  }
  EXPECT_GE(rotations, 4);
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 0) << report.dump(2);
  EXPECT_EQ(report["seams"][0]["intended"]["version"], 1 + rotations);
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
