// seamd as a real process on temp configs: start-up repair (drift and a pending operation),
// file edits of every kind repaired within moments, a directory removed and re-created, seamctl
// operations while seamd runs, repair = "off", SIGHUP (bad and good configs), SIGTERM, and a
// polled (exec) side. Every wait is a condition polled with a deadline, never a fixed sleep.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <regex>
#include <thread>

#include "tests/e2e/seamd_fixture.h"

namespace seam::e2e {
namespace {

// A second token seam, `other-token`, with json-file sides other/a.json and other/b.json.
std::string OtherTokenSeam() {
  return R"(
[[seam]]
name = "other-token"
kind = "token"
entity = "other"
[seam.sides.a]
plugin = "json-file"
path = "other/a.json"
pointer = "/token"
[seam.sides.b]
plugin = "json-file"
path = "other/b.json"
pointer = "/token"
)";
}

TEST_F(SeamdTest, StartUpRepairsASideThatDriftedWhileSeamdWasDown) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string token = CliToken().value();
  SetCliToken("changed-while-seamd-was-down");
  ASSERT_EQ(CheckCode(), 1);
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  ASSERT_TRUE(WaitFor([&] { return CliToken() == token; })) << ReadFile(CliFile());
  EXPECT_EQ(CheckCode(), 0);
  ASSERT_TRUE(WaitFor([&] { return Types().back() == "DriftClosed"; })) << ::testing::PrintToString(Types());
  const std::vector<std::string> types = Types();
  EXPECT_EQ(types[types.size() - 3], "DriftOpened");
  EXPECT_EQ(types[types.size() - 2], "SideRepaired");
}

TEST_F(SeamdTest, StartUpCompletesAPendingOperation) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string old_token = CliToken().value();
  ProcessResult killed = Seamctl({"token", "rotate", kSeam}, {{"SEAM_FAULT", "before-side-write:cli"}});
  ASSERT_NE(killed.exit_code, 0);
  int code = -1;
  nlohmann::json report = CheckJson(&code);
  ASSERT_EQ(code, 1);
  ASSERT_FALSE(report["seams"][0]["pending"].is_null()) << report.dump(2);
  ASSERT_EQ(CliToken(), old_token);

  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  ASSERT_TRUE(WaitFor([&] { return CheckCode() == 0; })) << Seamctl({"check"}).out;
  EXPECT_NE(CliToken(), old_token);
  report = CheckJson();
  EXPECT_TRUE(report["seams"][0]["pending"].is_null()) << report.dump(2);
}

TEST_F(SeamdTest, ARenameReplaceEditIsRepairedFromTheLog) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string token = CliToken().value();
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  RenameReplace(CliFile(), R"({"token": "saved-by-vim"})");
  ASSERT_TRUE(WaitFor([&] { return CliToken() == token; })) << ReadFile(CliFile());
  EXPECT_EQ(CheckCode(), 0);
  ASSERT_TRUE(WaitFor([&] { return Types().back() == "DriftClosed"; })) << ::testing::PrintToString(Types());
  const std::vector<std::string> types = Types();
  EXPECT_EQ(types[types.size() - 2], "SideRepaired");
  EXPECT_TRUE(Contains(DaemonLog(), "cli in_sync [repaired]")) << DaemonLog();
}

TEST_F(SeamdTest, ATruncateAndWriteEditIsRepaired) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string token = CliToken().value();
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  {
    std::ofstream out(CliFile(), std::ios::trunc);
    out << R"({"token": "written-in-place"})" << "\n";
  }
  ASSERT_TRUE(WaitFor([&] { return CliToken() == token; })) << ReadFile(CliFile());
  EXPECT_EQ(CheckCode(), 0);
}

TEST_F(SeamdTest, ADeletedFileIsWrittenAgain) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string token = CliToken().value();
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  fs::remove(CliFile());
  ASSERT_TRUE(WaitFor([&] { return CliToken() == token; }));
  EXPECT_EQ(CheckCode(), 0);
}

TEST_F(SeamdTest, ADirectoryRemovedAndRecreatedIsWatchedAgain) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string token = CliToken().value();
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  // Moved away in one step, then deleted: a remove_all of the live directory races seamd, which
  // re-creates the file it sees deleted (rmdir would then find the directory not empty).
  fs::rename(Root() / "cli", Root() / "cli-removed");
  fs::remove_all(Root() / "cli-removed");
  ASSERT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "was removed or moved"); }));
  fs::create_directory(Root() / "cli");
  // The directory is back: seamd watches it again and writes the missing file.
  ASSERT_TRUE(WaitFor([&] { return CliToken() == token; })) << DaemonLog();
  // And an edit inside the new directory is seen.
  RenameReplace(CliFile(), R"({"token": "edited-in-the-new-directory"})");
  ASSERT_TRUE(WaitFor([&] { return CliToken() == token; })) << ReadFile(CliFile());
  EXPECT_EQ(CheckCode(), 0);
}

TEST_F(SeamdTest, SeamctlOperationsWhileSeamdRunsAreNotFought) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  std::string previous = CliToken().value();
  for (int i = 0; i < 3; ++i) {
    ProcessResult rotate = Seamctl({"token", "rotate", kSeam});
    ASSERT_EQ(rotate.exit_code, 0) << rotate.out << rotate.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(rotate.out, m, std::regex("recorded as rev (\\d+) \\(log version \\d+\\)"))) << rotate.out;
    const std::string seen = "in_sync, rev " + m[1].str() + ";";
    // seamd looks at the seam after the operation (its files changed) and finds it in sync.
    ASSERT_TRUE(WaitFor([&] { return Contains(DaemonLog(), seen); })) << DaemonLog();
    EXPECT_NE(CliToken(), previous);
    previous = CliToken().value();
  }
  EXPECT_EQ(CheckCode(), 0);
  for (const std::string& type : Types()) EXPECT_NE(type, "SideRepaired");
}

TEST_F(SeamdTest, ASeamWithRepairOffIsOnlyReported) {
  ConfigOptions options;
  options.repair = "off";
  ASSERT_NO_FATAL_FAILURE(InitAndIssue(options));
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  RenameReplace(CliFile(), R"({"token": "left-alone"})");
  ASSERT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "[not repaired: repair = \"off\"]"); })) << DaemonLog();
  EXPECT_EQ(CliToken(), "left-alone");
  EXPECT_EQ(CheckCode(), 1);
  for (const std::string& type : Types()) EXPECT_NE(type, "SideRepaired");
}

// repair = "manual": seamd completes a pending operation (what a user asked for is not a drift
// repair) but leaves drift to `seamctl repair`.
TEST_F(SeamdTest, AManualSeamGetsItsPendingOperationCompletedButNotItsDriftRepaired) {
  ConfigOptions options;
  options.repair = "manual";
  ASSERT_NO_FATAL_FAILURE(InitAndIssue(options));
  const std::string old_token = CliToken().value();
  ASSERT_NE(Seamctl({"token", "rotate", kSeam}, {{"SEAM_FAULT", "before-side-write:cli"}}).exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  ASSERT_TRUE(WaitFor([&] { return CheckCode() == 0; })) << Seamctl({"check"}).out;
  EXPECT_NE(CliToken(), old_token);
  RenameReplace(CliFile(), R"({"token": "left-for-seamctl-repair"})");
  ASSERT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "[not repaired: repair = \"manual\"]"); })) << DaemonLog();
  EXPECT_EQ(CliToken(), "left-for-seamctl-repair");
  EXPECT_EQ(Seamctl({"repair", kSeam}).exit_code, 0);
  EXPECT_NE(CliToken(), "left-for-seamctl-repair");
}

TEST_F(SeamdTest, SighupRefusesABadConfigAndLoadsAGoodOne) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string token = CliToken().value();
  const std::string good = ReadFile(ConfigPath());
  ASSERT_NO_FATAL_FAILURE(StartSeamd());

  WriteConfig(good + "\n[[seam]]\nname = \"broken\"\nkind = \"token\"\nentity = \"x\"\nrepiar = \"auto\"\n");
  seamd_.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "reload refused"); })) << DaemonLog();
  EXPECT_TRUE(Contains(DaemonLog(), "unknown key `repiar`")) << DaemonLog();
  // Still running on the old config.
  RenameReplace(CliFile(), R"({"token": "after-the-bad-reload"})");
  ASSERT_TRUE(WaitFor([&] { return CliToken() == token; })) << ReadFile(CliFile());

  // A good config adding a seam: the new seam is watched and repaired.
  WriteFile(Root() / "other/a.json", "{}\n");
  WriteFile(Root() / "other/b.json", "{}\n");
  WriteConfig(good + OtherTokenSeam());
  ProcessResult issue = Seamctl({"token", "issue", "other-token"});
  ASSERT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  const std::string other = TokenIn(Root() / "other/a.json").value();
  RenameReplace(Root() / "other/a.json", R"({"token": "drifted-before-the-reload"})");
  seamd_.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return TokenIn(Root() / "other/a.json") == other; })) << DaemonLog();
  RenameReplace(Root() / "other/b.json", R"({"token": "drifted-after-the-reload"})");
  ASSERT_TRUE(WaitFor([&] { return TokenIn(Root() / "other/b.json") == other; })) << DaemonLog();
  RenameReplace(CliFile(), R"({"token": "after-the-good-reload"})");
  ASSERT_TRUE(WaitFor([&] { return CliToken() == token; })) << ReadFile(CliFile());
  EXPECT_EQ(CheckCode(), 0);
}

// seamd writes the config index (tools/common/config_for_seam.h) after its start-up pass and
// after each reload, so `seamctl audit SEAM` reads one seam's lines of the config it runs.
TEST_F(SeamdTest, TheConfigIndexIsWrittenAfterStartUpAndAfterAReload) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const fs::path index = Root() / ".seam/config-index.db";
  ASSERT_TRUE(fs::remove(index)) << "init wrote it";
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  ASSERT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "config index"); })) << DaemonLog();
  EXPECT_LT(DaemonLog().find("ready: "), DaemonLog().find("config index")) << "after READY";
  EXPECT_TRUE(Contains(DaemonLog(), "written for")) << DaemonLog();
  auto through_index = [&](const std::string& seam) {
    ProcessResult r = Seamctl({"audit", seam}, {{"SEAM_LOG_LEVEL", "debug"}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Contains(r.err, "seam `" + seam + "` from lines");
  };
  EXPECT_TRUE(through_index(kSeam));

  WriteFile(Root() / "other/a.json", "{}\n");
  WriteFile(Root() / "other/b.json", "{}\n");
  WriteConfig(ReadFile(ConfigPath()) + OtherTokenSeam());
  EXPECT_FALSE(through_index("other-token")) << "the index is for the old text";
  const std::size_t before = DaemonLog().size();
  seamd_.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return Contains(DaemonLog().substr(before), "config index"); })) << DaemonLog();
  EXPECT_TRUE(Contains(DaemonLog().substr(before), "written for")) << DaemonLog();
  EXPECT_TRUE(through_index("other-token"));
  EXPECT_TRUE(through_index(kSeam));
}

TEST_F(SeamdTest, SigtermAndSigintStopWithExitZero) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  StopSeamd(SIGTERM);
  EXPECT_TRUE(Contains(DaemonLog(), "SIGTERM: stopping")) << DaemonLog();
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  StopSeamd(SIGINT);
  EXPECT_TRUE(Contains(DaemonLog(), "SIGINT: stopping")) << DaemonLog();
}

TEST_F(SeamdTest, ABadConfigAtStartIsOneErrorLineAndExitTwo) {
  ASSERT_NO_FATAL_FAILURE(InitStandard());
  WriteConfig(StandardConfig() + "repiar = \"auto\"\n");
  std::string error;
  ASSERT_TRUE(seamd_.Start({SEAMD_PATH, "-c", ConfigPath().string()}, Root(), DaemonLogFile(), {},
                           {"SEAM_CONFIG", "SEAM_LOG_LEVEL"}, &error))
      << error;
  EXPECT_EQ(seamd_.Wait(kDeadline), 2);
  const std::string log = DaemonLog();
  EXPECT_EQ(log.rfind("seamd: error: ", 0), 0u) << log;
  EXPECT_TRUE(Contains(log, "unknown key `repiar`")) << log;
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
}

// A side that is not a file (here an external program) is polled every `interval`.
TEST_F(SeamdTest, ASideThatIsNotAFileIsPolledEveryInterval) {
  WriteExecVaultSeam("1s");
  ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  ASSERT_EQ(Seamctl({"token", "issue", kSeam}).exit_code, 0);
  const std::string token = CliToken().value();
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  WriteFile(Root() / "vault.txt", "rotated-behind-seams-back\n");
  ASSERT_TRUE(WaitFor([&] { return ReadFile(Root() / "vault.txt") == token + "\n"; })) << DaemonLog();
  EXPECT_TRUE(Contains(DaemonLog(), "pass (poll)")) << DaemonLog();
  EXPECT_EQ(CheckCode(), 0);
}

}  // namespace
}  // namespace seam::e2e
