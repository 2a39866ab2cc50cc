// Crash at every step of an operation: seamctl is killed with SIGKILL at each named fault point
// (core/fault_point.h) of `token rotate` and `pair` on a two-sided seam, then `seamctl repair`
// must finish the job: every side holds the log's latest value, the chain verifies, and the log
// holds exactly one intent for the operation. An operation that printed success is in the log.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

using seam::testing::ReadFile;

constexpr int kKilled = 128 + 9;  // SIGKILL

// The fault points of an operation on a seam whose `order` is gateway, cli.
std::vector<std::string> FaultPoints() {
  std::vector<std::string> points = {"after-intent"};
  for (const char* side : {"gateway", "cli"}) {
    for (const char* step : {"before-side-write:", "after-side-write:", "after-side-applied:"}) {
      points.push_back(step + std::string(side));
    }
  }
  points.push_back("before-success");
  return points;
}

std::string PairingConfig() {
  return R"([store]
path = ".seam/events.db"

[[seam]]
name = "device-42"
kind = "pairing"
entity = "device-42"
order = ["gateway", "cli"]

[seam.sides.gateway]
plugin = "json-file"
path = "gateway/state.json"
transform = "sha256-hex"
[seam.sides.gateway.fields]
device_id = "/devices/device-42/device_id"
token = "/devices/device-42/token_sha256"

[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
[seam.sides.cli.fields]
device_id = "/device_id"
token = "/token"
)";
}

class CrashTest : public SeamctlTest, public ::testing::WithParamInterface<std::string> {
 protected:
  // Every event type in the log, oldest first.
  std::vector<std::string> Types() {
    std::vector<std::string> out;
    for (const nlohmann::json& e : LogEvents()) out.push_back(e["type"].get<std::string>());
    return out;
  }
  static int Count(const std::vector<std::string>& types, const std::string& type) {
    return static_cast<int>(std::count(types.begin(), types.end(), type));
  }

  // After the crash: check says the seam needs attention unless the crash came after every
  // side confirmed; repair completes it; then everything is in sync and the chain verifies.
  void RecoverAndExpectInSync(const std::string& point) {
    ProcessResult check = Seamctl({"check", "--json"});
    const nlohmann::json report = nlohmann::json::parse(check.out, nullptr, false);
    ASSERT_FALSE(report.is_discarded()) << check.out << check.err;
    const nlohmann::json& seam = report["seams"][0];
    // The last side's SideApplied completes the operation: only the printing was lost.
    if (point == "before-success" || point == "after-side-applied:cli") {
      EXPECT_EQ(check.exit_code, 0) << check.out;
      EXPECT_TRUE(seam["pending"].is_null()) << check.out;
    } else {
      EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
      ASSERT_FALSE(seam["pending"].is_null()) << "a crash at " << point << " leaves the operation pending\n"
                                              << check.out;
    }

    ProcessResult repair = Seamctl({"repair"});
    EXPECT_EQ(repair.exit_code, 0) << point << "\n" << repair.out << repair.err;
    ProcessResult again = Seamctl({"check", "--json"});
    EXPECT_EQ(again.exit_code, 0) << point << "\n" << again.out << again.err;
    const nlohmann::json after = nlohmann::json::parse(again.out, nullptr, false);
    ASSERT_FALSE(after.is_discarded());
    EXPECT_EQ(after["seams"][0]["status"], "in_sync") << again.out;
    EXPECT_TRUE(after["seams"][0]["pending"].is_null()) << again.out;
    for (const nlohmann::json& side : after["seams"][0]["sides"]) {
      EXPECT_EQ(side["holds_version"], after["seams"][0]["intended"]["version"]) << again.out;
    }
    ProcessResult verify = Seamctl({"verify"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  }
};

TEST_P(CrashTest, RotateKilledAtThePointIsFinishedByRepair) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string point = GetParam();
  const std::vector<std::string> before = Types();

  ProcessResult rotate = Seamctl({"token", "rotate", kSeam}, {{"SEAM_FAULT", point}});
  ASSERT_EQ(rotate.exit_code, kKilled) << "SEAM_FAULT=" << point << " did not fire\n" << rotate.out << rotate.err;
  EXPECT_EQ(rotate.out.find("recorded as rev"), std::string::npos) << "no success before the kill";
  ASSERT_NO_FATAL_FAILURE(RecoverAndExpectInSync(point));

  const std::vector<std::string> after = Types();
  EXPECT_EQ(Count(after, "TokenRotated"), 1) << "exactly one intent for the rotation";
  EXPECT_EQ(Count(after, "TokenIssued"), Count(before, "TokenIssued"));
  // The sides hold the rotated token, not the issued one.
  ASSERT_TRUE(CliToken().has_value());
  EXPECT_EQ(GatewayToken(), Sha256HexOf(*CliToken()));
}

TEST_P(CrashTest, PairKilledAtThePointIsFinishedByRepair) {
  WriteConfig(PairingConfig());
  fs::create_directories(Root() / "cli");
  fs::create_directories(Root() / "gateway");
  ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  const std::string point = GetParam();

  ProcessResult pair = Seamctl({"pair", "device-42", "--device", "device-42"}, {{"SEAM_FAULT", point}});
  ASSERT_EQ(pair.exit_code, kKilled) << "SEAM_FAULT=" << point << " did not fire\n" << pair.out << pair.err;
  ASSERT_NO_FATAL_FAILURE(RecoverAndExpectInSync(point));
  const std::vector<std::string> types = Types();
  EXPECT_EQ(Count(types, "PairingCreated"), 1) << "exactly one intent for the pairing";
  const nlohmann::json cli = nlohmann::json::parse(ReadFile(CliFile()));
  EXPECT_EQ(cli["device_id"], "device-42");
  const nlohmann::json gateway = nlohmann::json::parse(ReadFile(GatewayFile()));
  EXPECT_EQ(gateway["devices"]["device-42"]["token_sha256"], Sha256HexOf(cli["token"].get<std::string>()));
}

std::string PointName(const ::testing::TestParamInfo<std::string>& param) {
  std::string name;
  for (char c : param.param) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(EveryFaultPoint, CrashTest, ::testing::ValuesIn(FaultPoints()), PointName);

// A pending operation blocks the next one until it can be completed, and is completed first
// when it can.
TEST_F(SeamctlTest, AnOperationCompletesThePendingOneFirstOrRefusesClearly) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  // The rotation reaches the gateway, then the process dies before the CLI.
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}, {{"SEAM_FAULT", "before-side-write:cli"}}).exit_code, kKilled);
  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.out.find("pending: TokenRotated (rev 2) not yet confirmed on cli"), std::string::npos)
      << check.out;

  // The CLI's file cannot be parsed now: the next rotation must refuse, recording nothing.
  const std::string good = ReadFile(CliFile());
  seam::testing::WriteFile(CliFile(), "{not json");
  const std::size_t events = LogEvents().size();
  ProcessResult refused = Seamctl({"token", "rotate", kSeam});
  EXPECT_TRUE(IsCleanError(refused, "the previous operation (TokenRotated, rev 2) is still pending on side cli"));
  EXPECT_EQ(LogEvents().size(), events) << "nothing recorded";

  // Fixed: the next rotation first completes the pending one, then does its own.
  seam::testing::WriteFile(CliFile(), good);
  ProcessResult rotate = Seamctl({"token", "rotate", kSeam});
  EXPECT_EQ(rotate.exit_code, 0) << rotate.out << rotate.err;
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
  int applied_v4 = 0;
  for (const nlohmann::json& e : LogEvents()) {
    if (e["type"] == "SideApplied" && e["details"]["version"] == 4) ++applied_v4;
  }
  EXPECT_EQ(applied_v4, 2) << "the pending rotation was confirmed on both sides before the next";
}

// repair = "off" does not stop the completion of an operation the user asked for.
TEST_F(SeamctlTest, RepairCompletesAPendingOperationEvenWhenRepairIsOff) {
  ConfigOptions off;
  off.repair = "off";
  ASSERT_NO_FATAL_FAILURE(InitAndIssue(off));
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}, {{"SEAM_FAULT", "after-intent"}}).exit_code, kKilled);
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

}  // namespace
}  // namespace seam::e2e
