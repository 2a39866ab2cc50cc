// The CLI's story end to end: issue, rotate, drift (lagging / foreign), repair, adoption,
// revocation, and what a reopened log replays to. Real seamctl, real files.
#include <gtest/gtest.h>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

using seam::testing::ReadFile;
using seam::testing::WriteFile;

std::size_t CountType(const std::vector<nlohmann::json>& events, const std::string& type) {
  std::size_t n = 0;
  for (const nlohmann::json& e : events) n += e.at("type") == type ? 1U : 0U;
  return n;
}

using StoryTest = SeamctlTest;

TEST_F(StoryTest, IssuePutsTheTokenOnBothSidesAndExitsZero) {
  ASSERT_NO_FATAL_FAILURE(InitStandard());
  ProcessResult issue = Seamctl({"token", "issue", kSeam});
  ASSERT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  EXPECT_TRUE(Contains(issue.out, "issue recorded as rev 1 (log version 1)")) << issue.out;

  const std::optional<std::string> token = CliToken();
  ASSERT_TRUE(token.has_value()) << ReadFile(CliFile());
  EXPECT_TRUE(IsBase64Url43(*token)) << "cli token is not 43 chars of base64url";
  EXPECT_EQ(GatewayToken(), Sha256HexOf(*token));
  // The other members of both files are kept.
  EXPECT_TRUE(Contains(ReadFile(CliFile()), "\"gateway_url\""));
  EXPECT_TRUE(Contains(ReadFile(GatewayFile()), "\"listen\""));

  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  // The intent, then each side's confirmation in `order` (gateway, cli).
  const std::vector<nlohmann::json> events = LogEvents();
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[0].at("type"), "TokenIssued");
  EXPECT_EQ(events[0].at("actor"), "e2e");
  const char* sides[] = {"gateway", "cli"};
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(events[i].at("type"), "SideApplied") << events[i].dump();
    EXPECT_EQ(events[i].at("actor"), "e2e");
    EXPECT_EQ(events[i]["details"]["side"], sides[i - 1]) << events[i].dump();
    EXPECT_EQ(events[i]["details"]["version"], 1) << events[i].dump();
  }
}

// From `check`'s text alone a person can tell which side, holding which revision, since when,
// and which value is intended: the whole lines, exact (the fingerprints and times from --json).
TEST_F(StoryTest, CheckSaysWhichSideHoldsWhichRevisionSinceWhenAndWhatIsIntended) {
  ConfigOptions options;
  options.repair = "off";  // the drift is recorded by the repair pass, and left for a person
  ASSERT_NO_FATAL_FAILURE(InitAndIssue(options));
  const std::string cli_v1 = ReadFile(CliFile());
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  WriteFile(CliFile(), cli_v1);
  ASSERT_EQ(Seamctl({"repair"}).exit_code, 1) << "recorded, not repaired";

  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  const nlohmann::json cli = SideOf(report, "cli");
  const nlohmann::json gateway = SideOf(report, "gateway");
  ASSERT_TRUE(cli["drift"].is_object()) << report.dump(2);
  const std::string intended = report["seams"][0]["intended"]["fingerprint"].get<std::string>();
  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_EQ(check.out, "device-token (token/device-42): drift, intended rev 2, intended " + intended + "\n" +
                           "  gateway  in_sync     holds rev 2 (gateway holds " + gateway["fingerprint"].get<std::string>() +
                           ")\n" + "  cli      lagging     holds rev 1; rev 2 is intended (cli holds " +
                           cli["fingerprint"].get<std::string>() + ") (drift since at least " +
                           cli["drift"]["first_seen_at"].get<std::string>() + ", last in sync " +
                           cli["drift"]["last_in_sync_at"].get<std::string>() + ")\n");
}

TEST_F(StoryTest, SideRestoredToThePreviousTokenIsLaggingAndRepairFixesItOnce) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string cli_v1 = ReadFile(CliFile());
  ProcessResult rotate = Seamctl({"token", "rotate", kSeam});
  ASSERT_EQ(rotate.exit_code, 0) << rotate.out << rotate.err;
  const std::optional<std::string> v2 = CliToken();
  ASSERT_TRUE(v2.has_value());
  WriteFile(CliFile(), cli_v1);  // a stale backup restored by hand

  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_TRUE(Contains(check.out, "lagging")) << check.out;
  EXPECT_TRUE(Contains(check.out, "holds rev 1; rev 2 is intended")) << check.out;

  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(report["seams"][0]["status"], "drift");
  EXPECT_EQ(report["seams"][0]["intended"]["version"], 4);  // v1-3 the issue, v4 the rotate
  EXPECT_EQ(SideOf(report, "cli")["verdict"], "lagging");
  EXPECT_EQ(SideOf(report, "cli")["holds_version"], 1);
  EXPECT_EQ(SideOf(report, "cli")["holds_revision"], 1) << "the issue";
  EXPECT_EQ(report["seams"][0]["intended"]["revision"], 2) << "the issue, then the rotate: confirmations do not count";
  EXPECT_EQ(SideOf(report, "gateway")["verdict"], "in_sync");

  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(CliToken(), v2);
  ProcessResult after = Seamctl({"check"});
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
  std::vector<nlohmann::json> events = LogEvents();
  EXPECT_EQ(CountType(events, "SideRepaired"), 1U);

  // A second repair finds nothing to do: no file byte or mtime, no event.
  const Snapshot before = TakeSnapshot(Root());
  ProcessResult again = Seamctl({"repair"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
  EXPECT_EQ(LogEvents().size(), events.size());
}

TEST_F(StoryTest, SideHoldingAValueTheLogNeverHadIsForeignAndRepairReplacesIt) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::optional<std::string> v1 = CliToken();
  SetCliToken("hand-edited-value-the-log-never-had");

  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_TRUE(Contains(check.out, "foreign")) << check.out;
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(SideOf(report, "cli")["verdict"], "foreign");
  EXPECT_TRUE(SideOf(report, "cli")["holds_version"].is_null());

  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(CliToken(), v1);
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

TEST_F(StoryTest, ForeignDigestOnTheGatewayIsRepairedFromTheLog) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string v1 = *CliToken();
  SetGatewayToken(Sha256HexOf("some other token"));
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(SideOf(report, "gateway")["verdict"], "foreign");
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 0);
  EXPECT_EQ(GatewayToken(), Sha256HexOf(v1));
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

TEST_F(StoryTest, AuthorityGatewayAdoptsItsHandWrittenValueOnRepair) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue({.gateway_transform = "plain", .authority = "gateway"}));
  EXPECT_EQ(GatewayToken(), CliToken());  // plain: the gateway holds the token itself
  const std::string written = "gateway-chose-this-token-by-hand";
  SetGatewayToken(written);

  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(CliToken(), written);
  EXPECT_EQ(GatewayToken(), written);

  const std::vector<nlohmann::json> events = LogEvents();
  ASSERT_EQ(CountType(events, "TokenAdopted"), 1U);
  for (const nlohmann::json& e : events) {
    if (e["type"] == "TokenAdopted") {
      EXPECT_EQ(e["details"]["side"], "gateway") << e.dump();
    }
  }
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(report["seams"][0]["intended"]["version"], 4);  // v1-3 the issue, v4 the adoption
}

TEST_F(StoryTest, AdoptFromCliTakesItsValueIntoTheLogAndWritesTheGateway) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string written = "cli-value-adopted-by-command";
  SetCliToken(written);

  ProcessResult adopt = Seamctl({"adopt", kSeam, "--from", "cli"});
  EXPECT_EQ(adopt.exit_code, 0) << adopt.out << adopt.err;
  EXPECT_EQ(CliToken(), written);
  EXPECT_EQ(GatewayToken(), Sha256HexOf(written));
  EXPECT_EQ(CountType(LogEvents(), "TokenAdopted"), 1U);
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);

  // Adopting again is a no-op that says so.
  const Snapshot before = TakeSnapshot(Root());
  ProcessResult again = Seamctl({"adopt", kSeam, "--from", "cli"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_TRUE(Contains(again.out, "nothing adopted")) << again.out;
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

TEST_F(StoryTest, AdoptFromADigestSideIsRefusedWithoutWriting) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  SetGatewayToken(Sha256HexOf("x"));
  const Snapshot before = TakeSnapshot(Root());
  ProcessResult adopt = Seamctl({"adopt", kSeam, "--from", "gateway"});
  EXPECT_TRUE(IsCleanError(adopt, "sha256-hex"));
  ProcessResult nobody = Seamctl({"adopt", kSeam, "--from", "nobody"});
  EXPECT_TRUE(IsCleanError(nobody, "nobody"));
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

TEST_F(StoryTest, CheckAndOtherReadCommandsNeverWrite) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string cli_v1 = ReadFile(CliFile());
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  WriteFile(CliFile(), cli_v1);                   // cli lagging
  SetGatewayToken(Sha256HexOf("someone else"));  // gateway foreign
  const std::size_t events_before = LogEvents().size();

  const Snapshot before = TakeSnapshot(Root());
  ASSERT_TRUE(before.count(".seam/events.db"));
  EXPECT_EQ(Seamctl({"check"}).exit_code, 1);
  EXPECT_EQ(Seamctl({"check", "--json"}).exit_code, 1);
  EXPECT_EQ(Seamctl({"check", kSeam}).exit_code, 1);
  ProcessResult dry = Seamctl({"repair", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 1) << dry.out << dry.err;
  EXPECT_TRUE(Contains(dry.out, "would repair")) << dry.out;
  EXPECT_EQ(Seamctl({"repair", "--dry-run", "--json"}).exit_code, 1);
  EXPECT_EQ(Seamctl({"log"}).exit_code, 0);
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
  EXPECT_EQ(LogEvents().size(), events_before);
}

TEST_F(StoryTest, RepairOffReportsDriftAndSkips) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue({.repair = "off"}));
  SetCliToken("drifted");
  const std::string cli_before = ReadFile(CliFile());
  const std::string gateway_before = ReadFile(GatewayFile());
  const std::size_t events_before = LogEvents().size();
  ProcessResult repair = Seamctl({"repair", "--json"});
  EXPECT_EQ(repair.exit_code, 1) << repair.out << repair.err;
  const nlohmann::json report = nlohmann::json::parse(repair.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << repair.out;
  EXPECT_EQ(SideOf(report, "cli")["action"], "skipped");
  EXPECT_EQ(SideOf(report, "cli")["drift"]["verdict"], "foreign") << report.dump(2);
  // No side is written; the drift is recorded (repair = "off" stops repairs, not records).
  EXPECT_EQ(ReadFile(CliFile()), cli_before);
  EXPECT_EQ(ReadFile(GatewayFile()), gateway_before);
  const std::vector<nlohmann::json> events = LogEvents();
  ASSERT_EQ(events.size(), events_before + 1);
  EXPECT_EQ(events.back()["type"], "DriftOpened");
  EXPECT_EQ(events.back()["details"]["side"], "cli");
  // A second run finds the same drift open and records nothing more.
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 1);
  EXPECT_EQ(LogEvents().size(), events_before + 1);
}

TEST_F(StoryTest, ANewProcessReplaysToTheSameIntendedState) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  SetCliToken("drift");
  ASSERT_EQ(Seamctl({"repair"}).exit_code, 0);

  int code1 = -1;
  int code2 = -1;
  const nlohmann::json first = CheckJson(&code1);
  const nlohmann::json second = CheckJson(&code2);
  EXPECT_EQ(code1, 0);
  EXPECT_EQ(code2, 0);
  const nlohmann::json& intended = first["seams"][0]["intended"];
  EXPECT_EQ(intended["version"], 4);  // v1-3 the issue, v4 the rotate
  EXPECT_EQ(intended["state"], "active");
  EXPECT_TRUE(intended["fingerprint"].get<std::string>().rfind("fp:", 0) == 0) << intended.dump();
  EXPECT_EQ(intended, second["seams"][0]["intended"]);

  // log --json is JSON Lines: seq 1..n in order, type and actor on each, secrets only as fp:.
  const std::vector<nlohmann::json> events = LogEvents();
  // issued and rotated, each confirmed on gateway then cli; cli's drift opened, repaired, closed.
  ASSERT_EQ(events.size(), 9U);
  std::int64_t seq = 0;
  for (const nlohmann::json& e : events) {
    ASSERT_TRUE(e.contains("seq") && e.contains("type") && e.contains("actor")) << e.dump();
    EXPECT_EQ(e["seq"], ++seq);
    EXPECT_EQ(e["actor"], "e2e");
    for (const auto& [key, value] : e["details"].items()) {
      if (key.find("fingerprint") == std::string::npos || !value.is_string() || value == "") continue;
      const std::string fp = value;
      EXPECT_EQ(fp.rfind("fp:", 0), 0U) << e.dump();
      EXPECT_EQ(fp.size(), 3U + 12U) << e.dump();
    }
  }
  EXPECT_EQ(events[0]["type"], "TokenIssued");
  EXPECT_EQ(events[1]["type"], "SideApplied");
  EXPECT_EQ(events[2]["type"], "SideApplied");
  EXPECT_EQ(events[3]["type"], "TokenRotated");
  EXPECT_EQ(events[4]["type"], "SideApplied");
  EXPECT_EQ(events[5]["type"], "SideApplied");
  EXPECT_EQ(events[6]["type"], "DriftOpened");
  EXPECT_EQ(events[7]["type"], "SideRepaired");
  EXPECT_EQ(events[8]["type"], "DriftClosed");
  EXPECT_EQ(events[3]["details"]["fingerprint"], intended["fingerprint"]);
}

TEST_F(StoryTest, IssuingTwiceIsRefusedAndPointsAtRotate) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const Snapshot before = TakeSnapshot(Root());
  ProcessResult again = Seamctl({"token", "issue", kSeam});
  EXPECT_TRUE(IsCleanError(again, "rotate"));
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
  EXPECT_EQ(LogEvents().size(), 3U);  // the first issue and its two SideApplied
}

TEST_F(StoryTest, RotateBeforeIssueIsRefusedAndPointsAtIssue) {
  ASSERT_NO_FATAL_FAILURE(InitStandard());
  const Snapshot before = TakeSnapshot(Root());
  EXPECT_TRUE(IsCleanError(Seamctl({"token", "rotate", kSeam}), "token issue"));
  EXPECT_TRUE(IsCleanError(Seamctl({"token", "revoke", kSeam}), "no active token"));
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

TEST_F(StoryTest, RevokeRemovesTheTokenFromBothSidesAndCheckIsInSync) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ProcessResult revoke = Seamctl({"token", "revoke", kSeam, "--reason", "device lost"});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.out << revoke.err;
  EXPECT_EQ(CliToken(), std::nullopt) << ReadFile(CliFile());
  EXPECT_EQ(GatewayToken(), std::nullopt) << ReadFile(GatewayFile());
  EXPECT_TRUE(Contains(ReadFile(CliFile()), "\"device_id\""));  // only the token member goes

  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_TRUE(Contains(check.out, "revoked")) << check.out;
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(report["seams"][0]["intended"]["state"], "revoked");
  EXPECT_TRUE(report["seams"][0]["intended"]["fingerprint"].is_null());
  const std::vector<nlohmann::json> events = LogEvents();
  ASSERT_EQ(events.size(), 6U);  // issue and revoke, each with a SideApplied per side
  EXPECT_EQ(events[3]["type"], "TokenRevoked");
  EXPECT_EQ(events[3]["details"]["reason"], "device lost");

  // A revoked token put back by hand is drift, and repair removes it again.
  SetCliToken("resurrected");
  EXPECT_EQ(Seamctl({"check"}).exit_code, 1);
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 0);
  EXPECT_EQ(CliToken(), std::nullopt);
}

TEST_F(StoryTest, InitTwiceKeepsTheKeyAndTheLog) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string key = ReadFile(KeyFile());
  ProcessResult again = Seamctl({"init"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(Contains(again.out, "kept existing event log")) << again.out;
  EXPECT_TRUE(Contains(again.out, "kept existing key file")) << again.out;
  EXPECT_EQ(ReadFile(KeyFile()), key);
  EXPECT_EQ(LogEvents().size(), 3U);  // the issue and its two SideApplied
  EXPECT_EQ(fs::status(KeyFile()).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(DbFile().parent_path()).permissions() & fs::perms::all, fs::perms::owner_all);
}

}  // namespace
}  // namespace seam::e2e
