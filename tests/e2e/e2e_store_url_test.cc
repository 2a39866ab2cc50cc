// [store] url, key_file and state_dir, and $SEAM_STORE_URL, through the real seamctl: the log,
// the key and the local state each where the config puts them, and bad URLs refused cleanly.
#include <gtest/gtest.h>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

using StoreUrlTest = SeamctlTest;

// StandardConfig with its [store] table replaced by `store` (the table's lines, no header).
std::string WithStore(const std::string& store) {
  std::string config = StandardConfig();
  const std::string old = "[store]\npath = \".seam/events.db\"\n";
  config.replace(config.find(old), old.size(), "[store]\n" + store);
  return config;
}

TEST_F(StoreUrlTest, TheLogTheKeyAndTheLocalStateGoWhereTheConfigSays) {
  WriteConfig(WithStore("url = \"sqlite:log/seam.db\"\nkey_file = \"secrets/seam.key\"\nstate_dir = \"local\"\n"));
  WriteFreshSides();
  ProcessResult init = Seamctl({"init"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_TRUE(Contains(init.out, "created event log " + (Root() / "log/seam.db").string())) << init.out;
  EXPECT_TRUE(Contains(init.out, "created key file " + (Root() / "secrets/seam.key").string())) << init.out;
  EXPECT_TRUE(fs::exists(Root() / "local/config-index.db"));
  EXPECT_FALSE(fs::exists(Root() / ".seam"));

  ProcessResult issue = Seamctl({"token", "issue", kSeam});
  ASSERT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  EXPECT_TRUE(fs::exists(Root() / "local/locks/token~device-42.lock"));
  SetCliToken("edited-by-hand-edited-by-hand-edited-by-han");
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(Root() / ".seam"));
}

TEST_F(StoreUrlTest, TheEnvironmentUrlWinsOverTheFile) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  // Another store, not made yet: commands say so (its key first) instead of reading the file's.
  ProcessResult check = Seamctl({"check"}, {{"SEAM_STORE_URL", "sqlite:other/events.db"}});
  EXPECT_TRUE(IsCleanError(check, "key file " + (Root() / "other/key").string() + " does not exist")) << check.err;
  ProcessResult init = Seamctl({"init"}, {{"SEAM_STORE_URL", "sqlite:other/events.db"}});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_TRUE(Contains(init.out, "created key file " + (Root() / "other/key").string())) << init.out;
  // The new log holds no token: the sides, which do, are foreign to it.
  ProcessResult other = Seamctl({"check"}, {{"SEAM_STORE_URL", "sqlite:other/events.db"}});
  EXPECT_EQ(other.exit_code, 1) << other.out << other.err;
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

TEST_F(StoreUrlTest, BadStoreUrlsAreOneLineExitTwoAndWriteNothing) {
  WriteFreshSides();
  WriteConfig(WithStore("url = \"mysql://seam:hunter2@db.example/seam\"\n"));
  const Snapshot with_config = TakeSnapshot(Root());
  for (const char* cmd : {"init", "check"}) {
    ProcessResult r = Seamctl({cmd});
    EXPECT_TRUE(IsCleanError(r, "seam.toml:2: store: key `url`: store URL scheme `mysql` is not one this seam opens"))
        << r.err;
    EXPECT_FALSE(Contains(r.out + r.err, "hunter2"));
  }
  EXPECT_EQ(SnapshotDiff(with_config, TakeSnapshot(Root())), "");

  WriteConfig(WithStore("path = \"a.db\"\nurl = \"sqlite:b.db\"\n"));
  EXPECT_TRUE(IsCleanError(Seamctl({"init"}), "seam.toml:3: store: keys `url` and `path` both name the event log"));

  WriteConfig(StandardConfig());
  ProcessResult env = Seamctl({"init"}, {{"SEAM_STORE_URL", "mysql://root:hunter2@localhost/x"}});
  EXPECT_TRUE(IsCleanError(env, "$SEAM_STORE_URL: store URL scheme `mysql`")) << env.err;
  EXPECT_FALSE(Contains(env.out + env.err, "hunter2"));
  EXPECT_FALSE(fs::exists(DbFile()));
}

}  // namespace
}  // namespace seam::e2e
