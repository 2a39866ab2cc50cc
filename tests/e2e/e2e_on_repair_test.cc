// on_repair: a side's command runs after seam writes that side (a real child process), before
// the write is read back; its failure is reported (exit 2) but the write is still recorded.
#include <gtest/gtest.h>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

using seam::testing::WriteFile;

class OnRepairTest : public SeamctlTest {
 protected:
  // The gateway side's hook appends its environment's seam and side to hook.log, or fails.
  // `top` goes before the seam (top-level keys such as hook_path); `hook` is the program name.
  void SetUpSeam(const std::string& hook_script, const std::string& top = "", const std::string& hook = "./hook.sh") {
    WriteFile(Root() / "hook.sh", hook_script);
    fs::permissions(Root() / "hook.sh", fs::perms::owner_all);
    WriteFreshSides();
    WriteConfig(top + R"([[seam]]
name = "device-token"
kind = "token"
entity = "device-42"
[seam.sides.gateway]
plugin = "json-file"
path = "gateway/state.json"
pointer = "/devices/device-42/token"
transform = "sha256-hex"
on_repair = [")" + hook + R"(", "reload"]
[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
pointer = "/token"
)");
    ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  }
  std::string HookLog() const { return seam::testing::ReadFile(Root() / "hook.log"); }
};

constexpr char kGoodHook[] =
    "#!/bin/sh\necho \"$1 $SEAM_SEAM $SEAM_SIDE home=${HOME:-unset}\" >> hook.log\n";
constexpr char kFailingHook[] = "#!/bin/sh\necho 'reload refused: gateway busy' >&2\nexit 3\n";

TEST_F(OnRepairTest, RunsAfterEveryWriteOfItsSideWithACleanedEnvironment) {
  ASSERT_NO_FATAL_FAILURE(SetUpSeam(kGoodHook));
  ASSERT_EQ(Seamctl({"token", "issue", "device-token"}).exit_code, 0);
  EXPECT_EQ(HookLog(), "reload device-token gateway home=unset\n");
  SetGatewayToken("stale");
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(HookLog(), "reload device-token gateway home=unset\nreload device-token gateway home=unset\n");
  // No write, no hook: an in-sync repair leaves it alone; the cli side has no hook.
  SetCliToken("drift");
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 0);
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 0);
  EXPECT_EQ(HookLog(), "reload device-token gateway home=unset\nreload device-token gateway home=unset\n");
}

TEST_F(OnRepairTest, AFailingHookIsTroubleButTheRepairIsStillRecorded) {
  ASSERT_NO_FATAL_FAILURE(SetUpSeam(kGoodHook));
  ASSERT_EQ(Seamctl({"token", "issue", "device-token"}).exit_code, 0);
  WriteFile(Root() / "hook.sh", kFailingHook);
  SetGatewayToken("stale");
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 2) << repair.out << repair.err;
  EXPECT_TRUE(Contains(repair.err, "on_repair `./hook.sh` of side gateway: exited 3: reload refused: gateway busy"))
      << repair.err;
  // The side was written and the repair recorded (and the drift closed); the next check is in sync.
  const std::vector<nlohmann::json> events = LogEvents();
  ASSERT_GE(events.size(), 2U);
  EXPECT_EQ(events[events.size() - 2]["type"], "SideRepaired");
  EXPECT_EQ(events.back()["type"], "DriftClosed");
  EXPECT_EQ(events.back()["details"]["how"], "repaired");
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

TEST_F(OnRepairTest, AFailingHookDuringAnOperationSaysTheSideWasWritten) {
  ASSERT_NO_FATAL_FAILURE(SetUpSeam(kFailingHook));
  ProcessResult issue = Seamctl({"token", "issue", "device-token"});
  EXPECT_EQ(issue.exit_code, 2) << issue.out << issue.err;
  EXPECT_TRUE(Contains(issue.err, "written, but on_repair failed")) << issue.err;
  // The gateway holds the value (written), but its hook failed, so the operation is not
  // confirmed there, and the CLI, after it in `order`, was not written at all (it must not get
  // a token the gateway may not serve yet): pending on both.
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1) << report.dump(2);
  const nlohmann::json& seam = report["seams"][0];
  EXPECT_EQ(seam["status"], "drift");
  EXPECT_EQ(SideOf(report, "gateway")["verdict"], "in_sync");
  EXPECT_EQ(SideOf(report, "cli")["verdict"], "missing");
  EXPECT_EQ(seam["pending"]["sides"], nlohmann::json::array({"gateway", "cli"})) << seam.dump(2);
  EXPECT_EQ(seam["pending"]["version"], 1);
  EXPECT_TRUE(Contains(issue.err, "and on cli (after it in `order`, not written)")) << issue.err;

  // Completing the operation runs the hook again (the reload never happened): while it still
  // fails, the operation stays pending; once it works, the side is confirmed.
  ProcessResult still = Seamctl({"repair"});
  EXPECT_EQ(still.exit_code, 2) << still.out << still.err;
  EXPECT_TRUE(Contains(still.err, "holds the value, but on_repair failed")) << still.err;
  EXPECT_EQ(CheckJson(&code)["seams"][0]["pending"]["sides"], nlohmann::json::array({"gateway", "cli"}));
  WriteFile(Root() / "hook.sh", kGoodHook);
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_TRUE(Contains(HookLog(), "reload device-token gateway")) << HookLog();
  EXPECT_EQ(CheckJson(&code)["seams"][0]["status"], "in_sync");
  EXPECT_EQ(code, 0);
}

// Hooks run with the config's hook_path as PATH, so a hook named without a directory is found
// there (a server in /usr/sbin, say); one found nowhere names the PATH it was looked for in.
TEST_F(OnRepairTest, AHookNamedWithoutADirectoryIsFoundInHookPath) {
  fs::create_directories(Root() / "sbin");
  WriteFile(Root() / "sbin/reload-gw", std::string(kGoodHook) + "echo \"PATH=$PATH\" >> hook.log\n");
  fs::permissions(Root() / "sbin/reload-gw", fs::perms::owner_all);
  const std::string path = (Root() / "sbin").string() + ":/usr/bin:/bin";
  ASSERT_NO_FATAL_FAILURE(SetUpSeam(kGoodHook, "hook_path = \"" + path + "\"\n", "reload-gw"));
  ProcessResult issue = Seamctl({"token", "issue", "device-token"});
  EXPECT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  EXPECT_EQ(HookLog(), "reload device-token gateway home=unset\nPATH=" + path + "\n");

  // Not in hook_path (the default one, here): the error names the PATH searched.
  const std::string config = seam::testing::ReadFile(ConfigPath());
  WriteConfig(config.substr(config.find('\n') + 1));  // without its hook_path line
  SetGatewayToken("stale");
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 2) << repair.out << repair.err;
  EXPECT_TRUE(Contains(repair.err, "on_repair `reload-gw` of side gateway: program `reload-gw` not found in PATH "
                                   "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"))
      << repair.err;
}

}  // namespace
}  // namespace seam::e2e
