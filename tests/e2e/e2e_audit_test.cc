// `seamctl audit` and `seamctl drift`: histories made with the real commands (rotate, repair,
// adopt through the authority side, a writer that makes the seam flap), then the audit must
// name the right side, verdict, version, operation and bracket, with the very times the log
// holds (compared with `seamctl log --json`). TIME flags, bad input, and no secret in any output.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/e2e/chromium.h"
#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

using nlohmann::json;
using seam::testing::ReadFile;
using seam::testing::WriteFile;

class AuditTest : public SeamctlTest {
 protected:
  // `audit device-token --json EXTRA...`, parsed; exit 0 expected.
  json AuditJson(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"audit", kSeam, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessResult r = Seamctl(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.err, "");
    json parsed = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << r.out;
    return parsed;
  }
  // `drift device-token --json`, parsed; its exit code in *code.
  json DriftJson(int* code) {
    ProcessResult r = Seamctl({"drift", kSeam, "--json"});
    *code = r.exit_code;
    json parsed = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << r.out << r.err;
    return parsed;
  }
  // The log event at stream version `version` (this suite has one stream).
  static const json& At(const std::vector<json>& log, int version) {
    static const json kNone;
    for (const json& e : log) {
      if (e["version"] == version) return e;
    }
    ADD_FAILURE() << "no event at version " << version;
    return kNone;
  }
  // The version of the `nth` (0-based) event of `type` in the log; 0 when none.
  static int VersionOf(const std::vector<json>& log, const std::string& type, int nth = 0) {
    for (const json& e : log) {
      if (e["type"] == type && nth-- == 0) return e["version"].get<int>();
    }
    ADD_FAILURE() << "no " << type << " number " << nth;
    return 0;
  }
  // Every output of the seamctl runs so far, for the secrets check.
  std::string AllOutput() const {
    std::string all;
    for (const ProcessResult& r : transcript_) all += r.out + r.err;
    return all;
  }
  static std::string ChangedPart(const json& drift) {
    return drift["side_changed_at"].is_null() ? ""
                                              : "; the side says it changed at " + drift["side_changed_at"].get<std::string>();
  }
};

// The standard config with the gateway left out: a third file, mirror/token.json, stands in
// (a seam has two sides at least). Operations then never reach the gateway.
std::string ConfigWithoutGateway() {
  std::string config = StandardConfig();
  const std::string order = "order = [\"gateway\", \"cli\"]";
  config.replace(config.find(order), order.size(), "order = [\"cli\", \"mirror\"]");
  config.erase(config.find("[seam.sides.gateway]"));
  return config + R"([seam.sides.mirror]
plugin = "json-file"
path = "mirror/token.json"
pointer = "/token"
)";
}

// The gateway misses a rotation (it was left out of the config for two), is brought to the
// newest one, then a stale copy of its file comes back: it lags at version 1, names the first
// rotation it never had, the newest it lost, the bracket, and the repair that ended it.
TEST_F(AuditTest, ALaggingSideNamesTheRotationItMissedTheBracketAndTheRepair) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string gateway_v1 = ReadFile(GatewayFile());
  WriteConfig(ConfigWithoutGateway());
  WriteFile(Root() / "mirror/token.json", "{}\n");
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  WriteConfig(StandardConfig());
  ASSERT_EQ(Seamctl({"repair"}).exit_code, 0);  // completes the second rotation on the gateway
  WriteFile(GatewayFile(), gateway_v1);
  ProcessResult repair = Seamctl({"repair"});
  ASSERT_EQ(repair.exit_code, 0) << repair.out << repair.err;

  const std::vector<json> log = LogEvents();
  const int opened = VersionOf(log, "DriftOpened");
  const int closed = VersionOf(log, "DriftClosed");
  const int r1 = VersionOf(log, "TokenRotated", 0);
  const int r2 = VersionOf(log, "TokenRotated", 1);
  const int gateway_r2 = opened - 1;  // the gateway's SideApplied of r2, the last event before the drift
  const json& found = At(log, opened)["details"];
  ASSERT_EQ(At(log, gateway_r2)["type"], "SideApplied");
  ASSERT_EQ(At(log, gateway_r2)["details"]["side"], "gateway");
  ASSERT_EQ(At(log, gateway_r2)["details"]["version"], r2);

  const json audit = AuditJson();
  EXPECT_EQ(audit["seam"], kSeam);
  EXPECT_EQ(audit["kind"], "token");
  EXPECT_EQ(audit["stream"], "token/device-42");
  EXPECT_EQ(audit["sides"], json::array({"gateway", "cli"}));
  EXPECT_EQ(audit["first_event_at"], At(log, 1)["time"]);
  EXPECT_EQ(audit["intended"]["version"], r2);
  EXPECT_EQ(audit["intended"]["state"], "active");
  EXPECT_EQ(audit["intended"]["fingerprint"], At(log, r2)["details"]["fingerprint"]);
  ASSERT_EQ(audit["entries"].size(), log.size());
  for (std::size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(audit["entries"][i]["seq"], log[i]["seq"]);
    EXPECT_EQ(audit["entries"][i]["time"], log[i]["time"]);
    EXPECT_EQ(audit["entries"][i]["event"], log[i]["type"]);
  }
  EXPECT_EQ(audit["entries"][static_cast<std::size_t>(opened - 1)]["category"], "drift_opened");
  EXPECT_EQ(audit["entries"][static_cast<std::size_t>(opened - 1)]["side"], "gateway");

  // The first rotation never reached the gateway; the second reached it by completion.
  ASSERT_EQ(audit["operations"].size(), 3U);
  const json& v4 = audit["operations"][1];
  EXPECT_EQ(v4["version"], r1);
  EXPECT_EQ(v4["event"], "TokenRotated");
  EXPECT_EQ(v4["time"], At(log, r1)["time"]);
  EXPECT_EQ(v4["reached"], json::array({"cli", "mirror"}));
  EXPECT_EQ(v4["missed"], json::array({"gateway"}));
  EXPECT_EQ(audit["operations"][2]["reached"], json::array({"gateway", "cli", "mirror"}));

  ASSERT_EQ(audit["drifts"].size(), 1U);
  const json& d = audit["drifts"][0];
  EXPECT_EQ(d["side"], "gateway");
  EXPECT_EQ(d["verdict"], "lagging");
  EXPECT_EQ(d["holds_version"], 1);
  EXPECT_EQ(d["intended_version"], r2);
  EXPECT_EQ(d["opened_version"], opened);
  EXPECT_EQ(d["last_in_sync_at"], At(log, gateway_r2)["time"]) << "the gateway's last confirmation";
  EXPECT_EQ(d["first_seen_at"], found["first_seen_at"]);
  EXPECT_EQ(d["side_changed_at"], found["side_changed_at"]);
  EXPECT_EQ(d["missed_operation"]["version"], r1);
  EXPECT_EQ(d["missed_operation"]["event"], "TokenRotated");
  EXPECT_EQ(d["missed_operation"]["time"], At(log, r1)["time"]);
  EXPECT_EQ(d["lost_operation"]["version"], r2);
  EXPECT_TRUE(d["seen_before"].is_null());
  EXPECT_EQ(d["closed"]["how"], "repaired");
  EXPECT_EQ(d["closed"]["at"], At(log, closed)["details"]["at"]);
  EXPECT_EQ(d["closed"]["version"], closed);
  EXPECT_EQ(d["closed"]["by"], "e2e");

  ProcessResult text = Seamctl({"audit", kSeam});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(Contains(text.out, At(log, r1)["time"].get<std::string>() + "  v" + std::to_string(r1) + "  TokenRotated by e2e  reached cli, mirror; missed gateway"))
      << text.out;
  EXPECT_TRUE(Contains(text.out, "DriftOpened by e2e  gateway lagging (holds v1) since at least " +
                                     found["first_seen_at"].get<std::string>() + ", last in sync " +
                                     At(log, gateway_r2)["time"].get<std::string>()))
      << text.out;
  EXPECT_TRUE(Contains(text.out, "drifts:\n  v" + std::to_string(opened) + " gateway lagging (holds v1): began between " +
                                     At(log, gateway_r2)["time"].get<std::string>() + " and " +
                                     found["first_seen_at"].get<std::string>()))
      << text.out;
  EXPECT_TRUE(Contains(text.out, "missed TokenRotated v" + std::to_string(r1) + "; repaired at " + d["closed"]["at"].get<std::string>() + " by e2e"))
      << text.out;

  int code = -1;
  const json drift = DriftJson(&code);
  EXPECT_EQ(code, 0) << "no drift open";
  EXPECT_EQ(drift["drift"], d);
  EXPECT_EQ(drift["operation"], v4);
  // People read revisions: the issue is rev 1, the rotations r1 and r2 are revs 2 and 3.
  EXPECT_EQ(drift["text"], "gateway has held rev 1 since at least " + found["first_seen_at"].get<std::string>() +
                               " (last seen in sync " + At(log, gateway_r2)["time"].get<std::string>() + ")" + ChangedPart(d) +
                               "; the rotation to rev 2 at " + At(log, r1)["time"].get<std::string>() +
                               " reached cli and mirror but not gateway; it had held rev 3 (the rotation to rev 3 at " +
                               At(log, r2)["time"].get<std::string>() + "), confirmed at " +
                               At(log, gateway_r2)["time"].get<std::string>() +
                               ", and went back to an older value (a restore, a stale copy); repaired at " +
                               d["closed"]["at"].get<std::string>() + " by e2e.");
  ProcessResult paragraph = Seamctl({"drift", kSeam});
  EXPECT_EQ(paragraph.exit_code, 0);
  EXPECT_EQ(paragraph.out, drift["text"].get<std::string>() + "\n");
}

// A stale backup of the CLI's file restored by hand after a rotation it had confirmed.
TEST_F(AuditTest, AStaleRestoreIsALaggingSideThatHadTheNewValue) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string backup = ReadFile(CliFile());
  const std::string v1 = CliToken().value_or("");
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  const std::string v4 = CliToken().value_or("");
  WriteFile(CliFile(), backup);
  ASSERT_EQ(Seamctl({"repair"}).exit_code, 0);

  const std::vector<json> log = LogEvents();
  ASSERT_EQ(EventTypes(log), (std::vector<std::string>{"TokenIssued", "SideApplied", "SideApplied", "TokenRotated",
                                                       "SideApplied", "SideApplied", "DriftOpened", "SideRepaired",
                                                       "DriftClosed"}));
  const json audit = AuditJson();
  ASSERT_EQ(audit["drifts"].size(), 1U);
  const json& d = audit["drifts"][0];
  EXPECT_EQ(d["side"], "cli");
  EXPECT_EQ(d["verdict"], "lagging");
  EXPECT_EQ(d["holds_version"], 1);
  EXPECT_TRUE(d["missed_operation"].is_null()) << "it had every operation";
  EXPECT_EQ(d["lost_operation"]["version"], 4);
  EXPECT_EQ(d["lost_operation"]["confirmed_at"], At(log, 6)["time"]);
  EXPECT_EQ(d["last_in_sync_at"], At(log, 6)["time"]);
  EXPECT_EQ(d["first_seen_at"], At(log, 7)["details"]["first_seen_at"]);
  EXPECT_EQ(d["closed"]["how"], "repaired");
  EXPECT_EQ(d["closed"]["version"], 9);
  const json& repair_entry = audit["entries"][7];
  EXPECT_EQ(repair_entry["category"], "repair");
  EXPECT_EQ(repair_entry["side"], "cli");
  EXPECT_EQ(repair_entry["summary"], "cli repaired: wrote v4 over lagging v1 " + At(log, 1)["details"]["fingerprint"].get<std::string>());
  for (const json& op : audit["operations"]) EXPECT_TRUE(op["missed"].empty()) << op.dump();

  int code = -1;
  const json drift = DriftJson(&code);
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(drift["operation"].is_null());
  EXPECT_EQ(drift["text"], "cli has held rev 1 since at least " + d["first_seen_at"].get<std::string>() +
                               " (last seen in sync " + At(log, 6)["time"].get<std::string>() + ")" + ChangedPart(d) +
                               "; it had held rev 2 (the rotation to rev 2 at " +
                               At(log, 4)["time"].get<std::string>() + "), confirmed at " +
                               At(log, 6)["time"].get<std::string>() +
                               ", and went back to an older value (a restore, a stale copy); repaired at " +
                               At(log, 9)["details"]["at"].get<std::string>() + " by e2e.");
  Seamctl({"audit", kSeam});
  ASSERT_FALSE(v1.empty());
  ASSERT_FALSE(v4.empty());
  EXPECT_FALSE(Contains(AllOutput(), v1));
  EXPECT_FALSE(Contains(AllOutput(), v4));
}

// A hand edit on the authority side: recorded as a foreign drift while repair is off, adopted
// into the log once repair runs.
TEST_F(AuditTest, AnOutOfBandEditLaterAdoptedFromTheAuthority) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue({.gateway_transform = "plain", .authority = "gateway", .repair = "off"}));
  const std::string edit = "hand-edited-on-the-gateway-7f3c";
  SetGatewayToken(edit);
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 1);

  int code = -1;
  json drift = DriftJson(&code);
  EXPECT_EQ(code, 1) << "a drift is open";
  EXPECT_EQ(drift["open"], true);
  std::vector<json> log = LogEvents();
  const json found = At(log, 4);  // a copy: the log is read again below
  ASSERT_EQ(found["type"], "DriftOpened");
  EXPECT_EQ(drift["drift"]["verdict"], "foreign");
  EXPECT_TRUE(drift["drift"]["closed"].is_null());
  EXPECT_EQ(drift["text"], "gateway has held a value the log never had (" + found["details"]["fingerprint"].get<std::string>() +
                               ") since at least " + found["details"]["first_seen_at"].get<std::string>() +
                               " (last seen in sync " + At(log, 2)["time"].get<std::string>() + ")" +
                               ChangedPart(drift["drift"]) + "; still open.");

  ConfigOptions on{.gateway_transform = "plain", .authority = "gateway"};
  WriteConfig(StandardConfig(on));
  ASSERT_EQ(Seamctl({"repair"}).exit_code, 0);
  log = LogEvents();
  ASSERT_EQ(At(log, 5)["type"], "TokenAdopted");

  const json audit = AuditJson();
  EXPECT_EQ(audit["entries"][4]["category"], "adoption");
  EXPECT_EQ(audit["entries"][4]["side"], "gateway");
  const json& adopted = audit["operations"].back();
  EXPECT_EQ(adopted["event"], "TokenAdopted");
  EXPECT_EQ(adopted["adopted_from"], "gateway");
  EXPECT_EQ(adopted["reached"], json::array({"gateway", "cli"}));
  EXPECT_EQ(adopted["fingerprint"], found["details"]["fingerprint"]) << "the value adopted is the one found";
  EXPECT_EQ(audit["intended"]["version"], 5);
  EXPECT_EQ(audit["intended"]["fingerprint"], found["details"]["fingerprint"]);
  ASSERT_EQ(audit["drifts"].size(), 1U);
  EXPECT_EQ(audit["drifts"][0]["closed"]["how"], "adopted");
  EXPECT_EQ(audit["drifts"][0]["closed"]["cause"], "TokenAdopted from side gateway by e2e");

  drift = DriftJson(&code);
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(Contains(drift["text"].get<std::string>(),
                       "; ended at " + audit["drifts"][0]["closed"]["at"].get<std::string>() +
                           " when the log adopted a value (TokenAdopted from side gateway by e2e)."))
      << drift["text"];
  Seamctl({"audit", kSeam});
  EXPECT_FALSE(Contains(AllOutput(), edit));
}

// The same edit taken into the log by hand (`seamctl adopt --from cli`, repair off): the
// adoption's own write and read-back of the side end the drift, so `drift` says so at once,
// without waiting for a pass.
TEST_F(AuditTest, AnEditAdoptedByHandEndsItsDriftAtTheAdoption) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue({.repair = "off"}));
  SetCliToken("hand-edited-on-the-cli-3a9d");
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 1);
  int code = -1;
  DriftJson(&code);
  EXPECT_EQ(code, 1) << "a drift is open";

  ProcessResult adopt = Seamctl({"adopt", kSeam, "--from", "cli"});
  ASSERT_EQ(adopt.exit_code, 0) << adopt.out << adopt.err;
  const json drift = DriftJson(&code);
  EXPECT_EQ(code, 0) << drift.dump();
  EXPECT_EQ(drift["drift"]["closed"]["how"], "adopted");
  std::vector<json> log = LogEvents();
  ASSERT_EQ(log.back()["type"], "DriftClosed");
  const json& confirmed = log[log.size() - 2];
  ASSERT_EQ(confirmed["type"], "SideApplied");
  EXPECT_EQ(confirmed["details"]["side"], "cli");
  EXPECT_EQ(drift["drift"]["closed"]["at"], confirmed["time"]) << "when the adoption read the side back";
  EXPECT_TRUE(Contains(drift["text"].get<std::string>(), "when the log adopted a value (TokenAdopted from side cli by e2e)"))
      << drift["text"];
  // A pass afterwards finds nothing more to record.
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 0);
  EXPECT_EQ(LogEvents().size(), log.size());
}

// A writer keeps putting the same value back: every drift after the first has seen it before,
// and after the budget the seam flaps until `repair --force`.
TEST_F(AuditTest, AFlappingSeamShowsTheSpellAndTheValueSeenBefore) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue({.repair_budget = "2/10m"}));
  const std::string writer = "the-other-writer-value-91";
  for (int i = 0; i < 3; ++i) {
    SetCliToken(writer);
    Seamctl({"repair"});
  }
  std::vector<json> log = LogEvents();
  const int flapping = VersionOf(log, "SeamFlapping");
  ASSERT_GT(flapping, 0);
  const int first = VersionOf(log, "DriftOpened", 0);
  const int third = VersionOf(log, "DriftOpened", 2);

  json audit = AuditJson();
  ASSERT_EQ(audit["flapping"].size(), 1U);
  EXPECT_EQ(audit["flapping"][0]["side"], "cli");
  EXPECT_EQ(audit["flapping"][0]["since"], At(log, flapping)["time"]);
  EXPECT_TRUE(audit["flapping"][0]["cleared_at"].is_null());
  ASSERT_EQ(audit["drifts"].size(), 3U);
  EXPECT_TRUE(audit["drifts"][0]["seen_before"].is_null());
  const json& last = audit["drifts"][2];
  EXPECT_EQ(last["verdict"], "foreign");
  EXPECT_EQ(last["seen_before"]["version"], first);
  EXPECT_EQ(last["seen_before"]["time"], At(log, first)["time"]);
  EXPECT_TRUE(last["closed"].is_null()) << "flapping: not repaired";
  EXPECT_EQ(audit["entries"][static_cast<std::size_t>(flapping - 1)]["category"], "flapping");

  int code = -1;
  json drift = DriftJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(drift["drift"]["opened_version"], third);
  EXPECT_EQ(drift["text"], "cli has held " + At(log, third)["details"]["fingerprint"].get<std::string>() +
                               " since at least " + At(log, third)["details"]["first_seen_at"].get<std::string>() +
                               " (last seen in sync " + last["last_in_sync_at"].get<std::string>() + ")" +
                               ChangedPart(last) + "; this value was seen before on cli at " +
                               At(log, first)["time"].get<std::string>() + ", log version " + std::to_string(first) +
                               "; still open.");

  ASSERT_EQ(Seamctl({"repair", "--force"}).exit_code, 0);
  log = LogEvents();
  audit = AuditJson();
  EXPECT_EQ(audit["flapping"][0]["cleared_at"], At(log, VersionOf(log, "FlappingCleared"))["time"]);
  ProcessResult text = Seamctl({"audit", kSeam});
  EXPECT_TRUE(Contains(text.out, "flapping:\n  cli since " + At(log, flapping)["time"].get<std::string>() + "; cleared at "))
      << text.out;
  EXPECT_FALSE(Contains(AllOutput(), writer));
}

// --since/--until: RFC 3339 (any offset) and ages; bad values and unknown seams are one line,
// exit 2, nothing written.
TEST_F(AuditTest, SinceAndUntilFilterTheTimelineAndBadValuesAreRefused) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string backup = ReadFile(CliFile());
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  WriteFile(CliFile(), backup);
  ASSERT_EQ(Seamctl({"repair"}).exit_code, 0);
  const std::vector<json> log = LogEvents();
  const std::string t4 = At(log, 4)["time"];

  json since = AuditJson({"--since", t4});
  EXPECT_EQ(since["window"]["since"], t4);
  EXPECT_TRUE(since["window"]["until"].is_null());
  ASSERT_EQ(since["entries"].size(), log.size() - 3);
  EXPECT_EQ(since["entries"][0]["version"], 4);
  ASSERT_EQ(since["operations"].size(), 1U);
  EXPECT_EQ(since["operations"][0]["version"], 4);
  EXPECT_EQ(since["drifts"].size(), 1U);
  EXPECT_EQ(since["first_event_at"], At(log, 1)["time"]) << "the stream's first event, whatever the window";

  json until = AuditJson({"--until", t4});
  ASSERT_EQ(until["entries"].size(), 4U);
  EXPECT_EQ(until["entries"].back()["version"], 4);
  EXPECT_EQ(until["intended"]["version"], 4);
  EXPECT_TRUE(until["operations"][1]["reached"].empty()) << "as the log stood at --until";
  EXPECT_TRUE(until["drifts"].empty());

  json both = AuditJson({"--since", t4, "--until", t4});
  ASSERT_EQ(both["entries"].size(), 1U);
  EXPECT_EQ(both["entries"][0]["event"], "TokenRotated");

  EXPECT_EQ(AuditJson({"--since", "1h"})["entries"].size(), log.size());
  EXPECT_EQ(AuditJson({"--since", "7d", "--until", "0s"})["entries"].size(), log.size());
  EXPECT_TRUE(AuditJson({"--until", "2h"})["entries"].empty());
  json offset = AuditJson({"--since", "2000-01-01T01:00:00.5+01:00"});
  EXPECT_EQ(offset["window"]["since"], "2000-01-01T00:00:00.500000Z");
  EXPECT_EQ(offset["entries"].size(), log.size());

  const Snapshot before = TakeSnapshot(Root());
  for (const auto& [args, needle] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"audit", kSeam, "--since", "yesterday"}, "--since `yesterday` is not a time"},
           {{"audit", kSeam, "--until", "2026-02-30T00:00:00Z"}, "--until `2026-02-30T00:00:00Z` is not a time"},
           {{"audit", kSeam, "--json", "--since", "2h30m"}, "--since `2h30m`"},
           {{"audit", kSeam, "--since", "1h", "--until", "2h"}, "is after --until"},
           {{"audit", "no-such-seam"}, "no-such-seam"},
           {{"drift", "no-such-seam", "--json"}, "no-such-seam"},
       }) {
    ProcessResult r = Seamctl(args);
    EXPECT_TRUE(IsCleanError(r, needle)) << args[2];
    EXPECT_EQ(r.out, "") << args[2];
  }
  Seamctl({"audit", kSeam});
  Seamctl({"drift", kSeam});
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "") << "audit and drift write nothing";
}

// An open drift with repair off, then closed by a repair: the paragraph and JSON carry the log's
// own times; a seam without drift says so.
TEST_F(AuditTest, DriftParagraphForAnOpenThenARepairedDrift) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue({.repair = "off"}));
  int code = -1;
  json none = DriftJson(&code);
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(none["drift"].is_null());
  EXPECT_TRUE(none["operation"].is_null());
  EXPECT_EQ(none["text"], "no drift recorded for seam device-token.");

  const std::string edit = "hand-written-in-the-cli-0042";
  EXPECT_TRUE(none["unrecorded"].empty());
  SetCliToken(edit);
  EXPECT_EQ(Seamctl({"check"}).exit_code, 1);
  // check records nothing, but drift sees what check sees and says no pass recorded it yet.
  json unrecorded = DriftJson(&code);
  EXPECT_EQ(code, 1) << "drift and check agree";
  EXPECT_TRUE(unrecorded["drift"].is_null()) << "check records nothing";
  EXPECT_FALSE(unrecorded["open"].get<bool>());
  ASSERT_EQ(unrecorded["unrecorded"].size(), 1U) << unrecorded.dump(2);
  EXPECT_EQ(unrecorded["unrecorded"][0]["side"], "cli");
  EXPECT_EQ(unrecorded["unrecorded"][0]["verdict"], "foreign");
  EXPECT_TRUE(Contains(unrecorded["text"].get<std::string>(),
                       "no drift recorded for seam device-token. Drifting now, not recorded yet: cli foreign ("))
      << unrecorded["text"];
  EXPECT_TRUE(Contains(unrecorded["text"].get<std::string>(),
                       "The next repair pass (seamd, or `seamctl repair device-token`) records it."))
      << unrecorded["text"];
  ProcessResult paragraph = Seamctl({"drift", kSeam});
  EXPECT_FALSE(Contains(paragraph.out + unrecorded.dump(), edit)) << "never the value";
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 1);

  std::vector<json> log = LogEvents();
  const json& found = At(log, 4);
  ASSERT_EQ(found["type"], "DriftOpened");
  json drift = DriftJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(drift["seam"], kSeam);
  EXPECT_EQ(drift["open"], true);
  EXPECT_TRUE(drift["operation"].is_null());
  EXPECT_EQ(drift["drift"]["side"], "cli");
  EXPECT_EQ(drift["drift"]["verdict"], "foreign");
  EXPECT_TRUE(drift["drift"]["holds_version"].is_null());
  EXPECT_EQ(drift["drift"]["fingerprint"], found["details"]["fingerprint"]);
  EXPECT_EQ(drift["drift"]["intended_version"], 1);
  EXPECT_EQ(drift["drift"]["opened_version"], 4);
  EXPECT_EQ(drift["drift"]["last_in_sync_at"], At(log, 3)["time"]) << "the CLI's SideApplied of the issue";
  // first_seen_at: when the pass observed the side (just before it recorded the event).
  EXPECT_EQ(drift["drift"]["first_seen_at"], found["details"]["first_seen_at"]);
  EXPECT_LE(found["details"]["first_seen_at"].get<std::string>(), found["time"].get<std::string>());
  const std::string opening = "cli has held a value the log never had (" + found["details"]["fingerprint"].get<std::string>() +
                              ") since at least " + found["details"]["first_seen_at"].get<std::string>() + " (last seen in sync " +
                              At(log, 3)["time"].get<std::string>() + ")" + ChangedPart(drift["drift"]);
  EXPECT_EQ(drift["text"], opening + "; still open.");
  ProcessResult text = Seamctl({"drift", kSeam});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_EQ(text.out, opening + "; still open.\n");

  WriteConfig(StandardConfig());
  ASSERT_EQ(Seamctl({"repair"}).exit_code, 0);
  log = LogEvents();
  const json& ended = At(log, 6);
  ASSERT_EQ(ended["type"], "DriftClosed");
  drift = DriftJson(&code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(drift["open"], false);
  EXPECT_EQ(drift["drift"]["closed"]["how"], "repaired");
  EXPECT_EQ(drift["drift"]["closed"]["at"], ended["details"]["at"]);
  EXPECT_EQ(drift["text"], opening + "; repaired at " + ended["details"]["at"].get<std::string>() + " by e2e.");
  EXPECT_EQ(AuditJson()["drifts"][0], drift["drift"]);
  EXPECT_FALSE(Contains(AllOutput(), edit));
}

// The picture of a real history: issue, rotate, a drift repaired, then (repairs off) a drift
// left open. `audit --html` writes one self-contained page; headless Chromium loads it and the
// DOM holds the bands and marks of that history. The screenshot is kept under the build
// directory (AUDIT_E2E_SCREENSHOT).
TEST_F(AuditTest, TheHtmlPageOfARealHistoryIsDrawnInChromium) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  SetCliToken("edited-then-repaired");
  ASSERT_EQ(Seamctl({"repair"}).exit_code, 0);
  WriteConfig(StandardConfig({.repair = "off"}));
  SetCliToken("edited-and-left");
  ASSERT_EQ(Seamctl({"repair"}).exit_code, 1);  // records the drift, repairs nothing

  const fs::path page = Root() / "out" / "audit.html";
  fs::create_directories(page.parent_path());
  ProcessResult written = Seamctl({"audit", kSeam, "--html", page.string()});
  ASSERT_EQ(written.exit_code, 0) << written.out << written.err;
  EXPECT_TRUE(Contains(written.out, "wrote " + page.string())) << written.out;
  const std::string html = ReadFile(page);
  EXPECT_EQ(CountOf(html, "http://") + CountOf(html, "https://") + CountOf(html, "<script"), 0U);
  EXPECT_FALSE(Contains(html, "edited-then-repaired"));
  EXPECT_FALSE(Contains(html, "edited-and-left"));
  EXPECT_FALSE(Contains(html, CliToken().value_or("?")));

  const std::string chromium = FindChromium();
  if (chromium.empty()) GTEST_FAIL() << "chromium is not installed (Debian package chromium; tools/dev installs it)";
  const ProcessResult dom = RunChromium(chromium, dir_, {"--dump-dom", "file://" + page.string()});
  ASSERT_FALSE(dom.timed_out) << dom.err;
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  // Two foreign spells on cli (one closed by the repair, one still open), in sync elsewhere.
  EXPECT_EQ(CountOf(dom.out, "<rect class=\"seg foreign\" data-seam=\"device-token\" data-side=\"cli\""), 2U)
      << dom.out.substr(0, 3000);
  EXPECT_GE(CountOf(dom.out, "<rect class=\"seg in_sync\""), 2U);
  // issue and rotate on both sides; one repair.
  EXPECT_EQ(CountOf(dom.out, "<g class=\"mark operation"), 4U);
  EXPECT_EQ(CountOf(dom.out, "<g class=\"mark repair\""), 1U);

  const fs::path shot = AUDIT_E2E_SCREENSHOT;
  fs::remove(shot);
  const ProcessResult png =
      RunChromium(chromium, dir_, {"--screenshot=" + shot.string(), "--window-size=1400,900", "file://" + page.string()});
  ASSERT_EQ(png.exit_code, 0) << png.err;
  ASSERT_TRUE(fs::exists(shot));
  EXPECT_GT(fs::file_size(shot), 5U * 1024U);
}

// --all draws every seam of the config on one page; a page that cannot be written is refused
// before anything is read, in one line, and leaves nothing behind.
TEST_F(AuditTest, AllSeamsOnOnePageAndAnUnwritablePageIsRefused) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const fs::path page = Root() / "all.html";
  ProcessResult all = Seamctl({"audit", "--all", "--html", page.string(), "--json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const json parsed = json::parse(all.out, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << all.out;
  EXPECT_EQ(parsed["seams"].size(), 1U);
  EXPECT_TRUE(Contains(ReadFile(page), "device-token"));

  const Snapshot before = TakeSnapshot(Root());
  ProcessResult missing_dir = Seamctl({"audit", kSeam, "--html", (Root() / "no-such-dir" / "a.html").string()});
  EXPECT_TRUE(IsCleanError(missing_dir, "--html " + (Root() / "no-such-dir" / "a.html").string()));
  ProcessResult neither = Seamctl({"audit"});
  EXPECT_TRUE(IsCleanError(neither, "name a SEAM, or give --all"));
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

// A --reason that is not UTF-8 is kept as given; every JSON output shows it with U+FFFD
// instead of aborting.
TEST_F(AuditTest, AReasonThatIsNotUtf8DoesNotBreakJsonOutput) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ASSERT_EQ(Seamctl({"token", "revoke", kSeam, "--reason", "bad\xff\xfe reason"}).exit_code, 0);
  ProcessResult log = Seamctl({"log", "--json"});
  EXPECT_EQ(log.exit_code, 0) << log.err;
  EXPECT_TRUE(Contains(log.out, "bad\xef\xbf\xbd\xef\xbf\xbd reason")) << log.out;
  ProcessResult audit = Seamctl({"audit", kSeam, "--json"});
  EXPECT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_FALSE(json::parse(audit.out, nullptr, false).is_discarded());
  ProcessResult drift = Seamctl({"drift", kSeam, "--json"});
  EXPECT_LE(drift.exit_code, 1) << drift.err;
  EXPECT_FALSE(json::parse(drift.out, nullptr, false).is_discarded());
}

}  // namespace
}  // namespace seam::e2e
