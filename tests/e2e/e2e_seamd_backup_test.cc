// issue 18's must-show: `seamctl backup` taken while rotations land every 10 ms (seamctl
// rotating, seamd running beside it with its own connections to the log) restores into a fresh
// state directory as a log that verifies and holds every rotation acknowledged before the backup
// started.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

#include "tests/e2e/seamd_fixture.h"

namespace seam::e2e {
namespace {

using std::chrono::steady_clock;

class SeamdBackupTest : public SeamdTest {};

TEST_F(SeamdBackupTest, ABackupTakenWhileRotationsLandHoldsEveryOneAcknowledgedBeforeIt) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ASSERT_NO_FATAL_FAILURE(StartSeamd({kSeam}));

  // The rotations, on a thread of their own (RunProcess directly: the fixture's transcript is
  // the main thread's): each acknowledged one's log version and when seamctl returned.
  struct Ack {
    std::int64_t version;
    steady_clock::time_point returned;
  };
  std::vector<Ack> acks;
  std::mutex mu;
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread rotator([&] {
    ProcessOptions options;
    options.cwd = Root();
    options.env = {{"SEAM_ACTOR", "e2e"}};
    options.unset_env = {"SEAM_CONFIG", "SEAM_LOG_LEVEL", "SEAM_STORE_URL"};
    const std::regex recorded("recorded as rev \\d+ \\(log version (\\d+)\\)");
    while (!stop) {
      ProcessResult r = RunProcess({SEAMCTL_PATH, "-c", ConfigPath().string(), "token", "rotate", kSeam}, options);
      const auto returned = steady_clock::now();
      std::smatch m;
      if (r.exit_code == 0 && std::regex_search(r.out, m, recorded)) {
        std::lock_guard<std::mutex> lock(mu);
        acks.push_back({std::stoll(m[1].str()), returned});
      } else if (r.exit_code != 3) {  // 3: seamd held the seam's lock for a moment; retried
        ++failures;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  auto acknowledged = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return acks.size();
  };
  // However fast this build is (ASan is slower): some rotations in, then the backup, then more.
  EXPECT_TRUE(WaitFor([&] { return acknowledged() >= 8; }, std::chrono::milliseconds(60000)));
  const auto backup_started = steady_clock::now();
  ProcessResult backup = Seamctl({"backup", "backup.db"});
  const std::size_t at_backup_end = acknowledged();
  EXPECT_TRUE(WaitFor([&] { return acknowledged() >= at_backup_end + 3; }, std::chrono::milliseconds(60000)));
  stop = true;
  rotator.join();
  ASSERT_EQ(backup.exit_code, 0) << backup.out << backup.err;
  EXPECT_TRUE(Contains(backup.out, "; verified: head seq ")) << backup.out;
  EXPECT_EQ(failures.load(), 0);

  std::vector<std::int64_t> before;
  std::size_t after = 0;
  for (const Ack& a : acks) {
    if (a.returned < backup_started) {
      before.push_back(a.version);
    } else {
      ++after;
    }
  }
  ASSERT_GE(before.size(), 5u) << "rotations acknowledged before the backup began";
  EXPECT_GT(after, 0u) << "rotations still landed while and after it ran";

  // Restored into a fresh state directory (the lost disk), with the key kept apart put back.
  fs::create_directories(Root() / "restored");
  WriteFile(Root() / "restored/seam.toml", ReadFile(ConfigPath()));
  for (const char* side : {"cli", "gateway"}) fs::create_directories(Root() / "restored" / side);
  const std::string restored_config = (Root() / "restored/seam.toml").string();
  ProcessResult restore = SeamctlRaw({"-c", restored_config, "store", "restore", "--from", (Root() / "backup.db").string()});
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
  fs::copy_file(KeyFile(), Root() / "restored/.seam/key");
  fs::permissions(Root() / "restored/.seam/key", fs::perms::owner_read | fs::perms::owner_write);
  ProcessResult verify = SeamctlRaw({"-c", restored_config, "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  ProcessResult log = SeamctlRaw({"-c", restored_config, "log", "--seam", kSeam, "--json"});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  for (std::int64_t version : before) {
    EXPECT_TRUE(Contains(log.out, "\"version\":" + std::to_string(version) + ",\"epoch\":0,\"type\":\"TokenRotated\""))
        << "the rotation acknowledged as log version " << version << " before the backup began";
  }
  std::printf("backup while rotating: %zu rotations acknowledged before it began, %zu after; %s", before.size(), after,
              backup.out.c_str());
}

}  // namespace
}  // namespace seam::e2e
