// Repair safety: the repair budget and the flapping state, `repair --force`, and foreign values
// kept sealed in the repair event before they are overwritten.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

using seam::testing::ReadFile;

class RepairSafetyTest : public SeamctlTest {
 protected:
  // The standard seam with `repair_budget = BUDGET`, issued.
  void InitWithBudget(const std::string& budget) {
    std::string config = StandardConfig();
    const std::string anchor = "order = [\"gateway\", \"cli\"]";
    config.replace(config.find(anchor), anchor.size(), anchor + "\nrepair_budget = \"" + budget + "\"");
    WriteConfig(config);
    WriteFreshSides();
    ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
    ASSERT_EQ(Seamctl({"token", "issue", kSeam}).exit_code, 0);
  }
  int CountType(const std::string& type) {
    int n = 0;
    for (const nlohmann::json& e : LogEvents()) n += e["type"] == type ? 1 : 0;
    return n;
  }
};

// Another writer keeps undoing the repair: after the budget, the seam is flapping and repairs
// stop (recorded, shown by check) until `repair --force`.
TEST_F(RepairSafetyTest, AWriterThatKeepsUndoingRepairsMakesTheSeamFlapUntilForced) {
  ASSERT_NO_FATAL_FAILURE(InitWithBudget("3/10m"));
  for (int i = 0; i < 3; ++i) {
    SetCliToken("undone-" + std::to_string(i));
    ProcessResult repair = Seamctl({"repair"});
    ASSERT_EQ(repair.exit_code, 0) << i << "\n" << repair.out << repair.err;
  }
  EXPECT_EQ(CountType("SideRepaired"), 3);

  SetCliToken("undone-again");
  ProcessResult fourth = Seamctl({"repair"});
  EXPECT_EQ(fourth.exit_code, 1) << fourth.out << fourth.err;
  EXPECT_TRUE(Contains(fourth.out, "flapping")) << fourth.out;
  EXPECT_EQ(CliToken(), "undone-again") << "no fourth repair";
  EXPECT_EQ(CountType("SeamFlapping"), 1);

  int code = -1;
  nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(report["seams"][0]["status"], "flapping") << report.dump(2);
  EXPECT_EQ(report["seams"][0]["flapping"]["side"], "cli") << report.dump(2);
  ProcessResult text = Seamctl({"check"});
  EXPECT_TRUE(Contains(text.out, "seamctl repair --force device-token")) << text.out;

  // Repairs stay stopped, and the flapping is recorded once.
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 1);
  EXPECT_EQ(CountType("SeamFlapping"), 1);
  EXPECT_EQ(CliToken(), "undone-again");

  // The way out.
  ProcessResult forced = Seamctl({"repair", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.out << forced.err;
  EXPECT_EQ(CountType("FlappingCleared"), 1);
  report = CheckJson(&code);
  EXPECT_EQ(code, 0) << report.dump(2);
  EXPECT_TRUE(report["seams"][0]["flapping"].is_null());
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
}

TEST_F(RepairSafetyTest, BudgetOffRepairsEveryTime) {
  ASSERT_NO_FATAL_FAILURE(InitWithBudget("off"));
  for (int i = 0; i < 8; ++i) {
    SetCliToken("undone-" + std::to_string(i));
    ASSERT_EQ(Seamctl({"repair"}).exit_code, 0) << i;
  }
  EXPECT_EQ(CountType("SideRepaired"), 8);
  EXPECT_EQ(CountType("SeamFlapping"), 0);
}

TEST_F(RepairSafetyTest, BadBudgetIsAConfigErrorNamingTheLine) {
  for (const char* bad : {"5", "0/10m", "101/10m", "5/10w", "five/10m", "/10m"}) {
    std::string config = StandardConfig();
    const std::string anchor = "order = [\"gateway\", \"cli\"]";
    config.replace(config.find(anchor), anchor.size(), anchor + "\nrepair_budget = \"" + bad + "\"");
    WriteConfig(config);
    ProcessResult r = Seamctl({"check"});
    EXPECT_TRUE(IsCleanError(r, "seam.toml:11: seam `device-token`: key `repair_budget` must be")) << bad;
  }
}

// Before a repair overwrites a value the log never had, that value is kept, sealed, in the
// repair event: `log` shows its fingerprint and that it is kept, never the value.
TEST_F(RepairSafetyTest, AForeignValueIsKeptSealedInTheRepairEvent) {
  ASSERT_NO_FATAL_FAILURE(InitWithBudget("5/10m"));
  const std::string foreign = "a-foreign-token-nobody-recorded-0123456789";
  SetCliToken(foreign);
  ProcessResult check = Seamctl({"check", "--json"});
  const std::string fp = nlohmann::json::parse(check.out)["seams"][0]["sides"][1]["fingerprint"];
  ASSERT_EQ(Seamctl({"repair"}).exit_code, 0);
  bool found = false;
  for (const nlohmann::json& e : LogEvents()) {
    if (e["type"] != "SideRepaired") continue;
    found = true;
    EXPECT_EQ(e["details"]["verdict_before"], "foreign");
    EXPECT_EQ(e["details"]["fingerprint_before"], fp);
    EXPECT_EQ(e["details"]["foreign_value_kept"], true) << e.dump();
  }
  EXPECT_TRUE(found);
  for (const ProcessResult& r : transcript_) {
    EXPECT_FALSE(Contains(r.out + r.err, foreign)) << "printed";
  }
  EXPECT_FALSE(Contains(ReadFile(DbFile()), foreign)) << "stored in plaintext";
  if (fs::exists(DbFile().string() + "-wal")) {
    EXPECT_FALSE(Contains(ReadFile(DbFile().string() + "-wal"), foreign)) << "stored in plaintext (WAL)";
  }
}

// Completing a pending operation over a side that now holds a value the log never had keeps
// that value sealed (a SideRepaired, not a bare SideApplied); on the authority side it is
// adopted instead of being written over.
TEST_F(RepairSafetyTest, CompletingAnOperationKeepsAForeignValueOrAdoptsItFromTheAuthority) {
  for (const std::string authority : {"log", "cli"}) {
    SCOPED_TRACE("authority = " + authority);
    fs::remove_all(Root() / ".seam");
    ConfigOptions options;
    options.authority = authority;
    ASSERT_NO_FATAL_FAILURE(InitAndIssue(options));
    // The rotation reaches the gateway, then seamctl dies before the CLI: pending there.
    ASSERT_EQ(Seamctl({"token", "rotate", kSeam}, {{"SEAM_FAULT", "before-side-write:cli"}}).exit_code, 128 + 9);
    const std::string foreign = "hand-written-while-pending-" + authority;
    SetCliToken(foreign);
    ProcessResult repair = Seamctl({"repair"});
    EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
    int code = -1;
    const nlohmann::json report = CheckJson(&code);
    EXPECT_EQ(code, 0) << report.dump(2);
    const std::vector<nlohmann::json> events = LogEvents();
    if (authority == "log") {
      EXPECT_NE(CliToken(), foreign);
      const nlohmann::json& last = events.back();
      EXPECT_EQ(last["type"], "SideRepaired") << last.dump();
      EXPECT_EQ(last["details"]["side"], "cli");
      EXPECT_EQ(last["details"]["verdict_before"], "foreign");
      EXPECT_EQ(last["details"]["foreign_value_kept"], true) << last.dump();
    } else {
      EXPECT_EQ(CliToken(), foreign) << "the authority's value is adopted, not written over";
      EXPECT_EQ(GatewayToken(), Sha256HexOf(foreign));
      const std::vector<std::string> types = EventTypes(events);
      EXPECT_NE(std::find(types.begin(), types.end(), "TokenAdopted"), types.end());
    }
  }
}

}  // namespace
}  // namespace seam::e2e
