// The `pairing` kind end to end: a device paired to a gateway (device_id, token, gateway_url) on
// two json-file sides, one of them holding only the token's SHA-256. pair, token rotate, drift
// per field (lagging, foreign, missing), repair, adopt, unpair, and bad input that writes
// nothing. Real seamctl, real files.
#include <gtest/gtest.h>

#include <sstream>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

using seam::testing::ReadFile;
using seam::testing::WriteFile;

constexpr char kPairing[] = "device-pairing";
constexpr char kGatewayUrl[] = "http://127.0.0.1:8080";

// One pairing seam: the CLI keeps the pairing in the clear, the gateway keeps the device id
// and the token's digest under /devices/device-42. Order: gateway first, as in the demo.
constexpr char kPairingConfig[] = R"([store]
path = ".seam/events.db"

[[seam]]
name = "device-pairing"
kind = "pairing"
entity = "device-42"
order = ["gateway", "cli"]

[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
[seam.sides.cli.fields]
device_id = "/device_id"
token = "/token"
gateway_url = "/gateway_url"

[seam.sides.gateway]
plugin = "json-file"
path = "gateway/state.json"
transform = "sha256-hex"
[seam.sides.gateway.fields]
device_id = "/devices/device-42/device_id"
token = "/devices/device-42/token_sha256"
)";

// A token seam beside it, on files of its own, for the "wrong kind" refusals.
constexpr char kTokenSeam[] = R"(
[[seam]]
name = "device-token"
kind = "token"
entity = "device-42"

[seam.sides.cli]
plugin = "json-file"
path = "cli/token.json"
pointer = "/token"

[seam.sides.gateway]
plugin = "json-file"
path = "gateway/tokens.json"
pointer = "/device-42"
transform = "sha256-hex"
)";

// 1-based number of the first line of `text` that starts with `prefix`; 0 when none does.
int LineStartingWith(const std::string& text, const std::string& prefix) {
  std::istringstream lines(text);
  std::string line;
  for (int n = 1; std::getline(lines, line); ++n) {
    if (line.rfind(prefix, 0) == 0) return n;
  }
  return 0;
}

class PairingTest : public SeamctlTest {
 protected:
  fs::path CliPath() const { return Root() / "cli/paired.json"; }
  fs::path GatewayPath() const { return Root() / "gateway/state.json"; }

  // The sides before any pairing: each file has members of its own and none of the pairing.
  void WriteUnpairedSides() const {
    WriteFile(CliPath(), "{ \"client\": \"demo-cli\", \"timeout_s\": \"5\" }\n");
    WriteFile(GatewayPath(), "{ \"listen\": \"127.0.0.1:8080\", \"devices\": {} }\n");
  }

  void InitPairing(const std::string& config = kPairingConfig) {
    WriteConfig(config);
    WriteUnpairedSides();
    ProcessResult init = Seamctl({"init"});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  }

  void InitAndPair() {
    ASSERT_NO_FATAL_FAILURE(InitPairing());
    ProcessResult pair = Seamctl({"pair", kPairing, "--device", "device-42", "--gateway-url", kGatewayUrl});
    ASSERT_EQ(pair.exit_code, 0) << pair.out << pair.err;
    ASSERT_TRUE(CliField("token").has_value()) << ReadFile(CliPath());
  }

  static std::optional<std::string> StringAt(const fs::path& file, const std::string& pointer) {
    const nlohmann::json doc = nlohmann::json::parse(ReadFile(file), nullptr, false);
    if (doc.is_discarded()) return std::nullopt;
    const nlohmann::json::json_pointer ptr(pointer);
    if (!doc.contains(ptr) || !doc.at(ptr).is_string()) return std::nullopt;
    return doc.at(ptr).get<std::string>();
  }
  // A member of cli/paired.json ("token", "device_id", "gateway_url").
  std::optional<std::string> CliField(const std::string& name) const { return StringAt(CliPath(), "/" + name); }
  // A member of the gateway's /devices/device-42 ("device_id", "token_sha256").
  std::optional<std::string> GatewayField(const std::string& name) const {
    return StringAt(GatewayPath(), "/devices/device-42/" + name);
  }
  // Rewrites cli/paired.json by hand: `value` nullopt erases the member.
  void EditCli(const std::string& name, const std::optional<std::string>& value) const {
    nlohmann::json doc = nlohmann::json::parse(ReadFile(CliPath()));
    if (value) {
      doc[name] = *value;
    } else {
      doc.erase(name);
    }
    WriteFile(CliPath(), doc.dump(2) + "\n");
  }

  // Everything seamctl printed so far, and every byte of the state directory.
  std::string AllOutput() const {
    std::string all;
    for (const ProcessResult& r : transcript_) all += r.out + r.err;
    return all;
  }
  std::string StateBytes() const {
    std::string all;
    for (const auto& entry : fs::directory_iterator(Root() / ".seam")) {
      if (entry.is_regular_file()) all += ReadFile(entry.path());
    }
    return all;
  }
};

TEST_F(PairingTest, PairWritesEverySideAndLogsAFingerprintNeverTheToken) {
  ASSERT_NO_FATAL_FAILURE(InitPairing());
  ProcessResult pair = Seamctl({"pair", kPairing, "--device", "device-42", "--gateway-url", kGatewayUrl});
  ASSERT_EQ(pair.exit_code, 0) << pair.out << pair.err;
  EXPECT_TRUE(Contains(pair.out, "pair recorded as rev 1 (log version 1) fp:")) << pair.out;
  EXPECT_TRUE(Contains(pair.out, "gateway: written")) << pair.out;
  EXPECT_TRUE(Contains(pair.out, "cli: written")) << pair.out;

  // The CLI holds the whole pairing; its own members are kept.
  const std::optional<std::string> token = CliField("token");
  ASSERT_TRUE(token.has_value()) << ReadFile(CliPath());
  EXPECT_TRUE(IsBase64Url43(*token)) << "cli token is not 43 chars of base64url";
  EXPECT_EQ(CliField("device_id"), "device-42");
  EXPECT_EQ(CliField("gateway_url"), kGatewayUrl);
  EXPECT_EQ(CliField("client"), "demo-cli");
  EXPECT_EQ(CliField("paired_at"), std::nullopt);  // not mapped on this side
  // The gateway holds the device id and the digest of that very token.
  EXPECT_EQ(GatewayField("device_id"), "device-42");
  EXPECT_EQ(GatewayField("token_sha256"), Sha256HexOf(*token));
  EXPECT_EQ(GatewayField("token"), std::nullopt);
  EXPECT_EQ(StringAt(GatewayPath(), "/listen"), "127.0.0.1:8080");

  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 0);
  const nlohmann::json& seam = report["seams"][0];
  EXPECT_EQ(seam["kind"], "pairing");
  EXPECT_EQ(seam["status"], "in_sync");
  EXPECT_EQ(seam["intended"]["version"], 1);
  EXPECT_EQ(seam["intended"]["state"], "active");
  for (const char* side : {"cli", "gateway"}) {
    EXPECT_EQ(SideOf(report, side)["verdict"], "in_sync") << side;
    EXPECT_EQ(SideOf(report, side)["holds_version"], 1) << side;
    EXPECT_EQ(SideOf(report, side)["detail"], "holds rev 1") << side;
    // Both show the log's fingerprint, the digest-storing side included.
    EXPECT_EQ(SideOf(report, side)["fingerprint"], seam["intended"]["fingerprint"]) << side;
  }

  // The intent, then each side's confirmation in `order` (gateway, cli).
  const std::vector<nlohmann::json> events = LogEvents();
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[1]["type"], "SideApplied");
  EXPECT_EQ(events[1]["details"]["side"], "gateway");
  EXPECT_EQ(events[1]["details"]["version"], 1);
  EXPECT_EQ(events[2]["type"], "SideApplied");
  EXPECT_EQ(events[2]["details"]["side"], "cli");
  EXPECT_EQ(events[2]["details"]["version"], 1);
  EXPECT_EQ(events[0]["type"], "PairingCreated");
  EXPECT_EQ(events[0]["stream"], "pairing/device-42");
  EXPECT_EQ(events[0]["actor"], "e2e");
  const nlohmann::json& details = events[0]["details"];
  EXPECT_EQ(details["device_id"], "device-42");
  EXPECT_EQ(details["gateway_url"], kGatewayUrl);
  const std::string fp = details.value("fingerprint", "");
  EXPECT_EQ(fp.rfind("fp:", 0), 0U) << details.dump();
  EXPECT_EQ(fp.size(), 3U + 12U) << details.dump();
  EXPECT_EQ(fp, seam["intended"]["fingerprint"]);
  EXPECT_EQ(details.value("paired_at", "").size(), std::string("2026-01-01T00:00:00Z").size()) << details.dump();
  ProcessResult log = Seamctl({"log"});
  EXPECT_EQ(log.exit_code, 0) << log.err;
  EXPECT_TRUE(Contains(log.out, "PairingCreated by e2e device_id=device-42 fingerprint=" + fp)) << log.out;
  ASSERT_EQ(Seamctl({"verify"}).exit_code, 0);

  // The token itself is in no output and not in the state directory (log, WAL, key).
  EXPECT_FALSE(Contains(AllOutput(), *token)) << "the token appears in seamctl's output";
  EXPECT_FALSE(Contains(AllOutput(), Sha256HexOf(*token))) << "the token's digest appears in seamctl's output";
  EXPECT_FALSE(Contains(StateBytes(), *token)) << "the token appears in .seam/";
  EXPECT_FALSE(Contains(ReadFile(DbFile()), *token));
}

TEST_F(PairingTest, GatewayRestoredFromBeforeTheRotateIsLaggingAndRepairWritesVersionTwo) {
  ASSERT_NO_FATAL_FAILURE(InitAndPair());
  const std::string gateway_v1 = ReadFile(GatewayPath());
  const std::string v1 = *CliField("token");

  ProcessResult rotate = Seamctl({"token", "rotate", kPairing});
  ASSERT_EQ(rotate.exit_code, 0) << rotate.out << rotate.err;
  // v1 the pairing, v2-3 its SideApplied, v4 the rotation (the second token).
  EXPECT_TRUE(Contains(rotate.out, "recorded as rev 2 (log version 4)")) << rotate.out;
  const std::optional<std::string> v2 = CliField("token");
  ASSERT_TRUE(v2.has_value());
  EXPECT_NE(*v2, v1);
  EXPECT_EQ(CliField("device_id"), "device-42");  // a rotation keeps the device
  EXPECT_EQ(GatewayField("token_sha256"), Sha256HexOf(*v2));

  WriteFile(GatewayPath(), gateway_v1);  // the gateway restarts from a stale backup
  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_TRUE(Contains(check.out, "lagging")) << check.out;
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(report["seams"][0]["status"], "drift");
  EXPECT_EQ(report["seams"][0]["intended"]["version"], 4);
  EXPECT_EQ(SideOf(report, "gateway")["verdict"], "lagging");
  EXPECT_EQ(SideOf(report, "gateway")["holds_version"], 1);
  EXPECT_EQ(SideOf(report, "gateway")["detail"], "holds rev 1; rev 2 is intended");
  EXPECT_EQ(SideOf(report, "cli")["verdict"], "in_sync");
  EXPECT_EQ(SideOf(report, "cli")["holds_version"], 4);

  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(GatewayField("token_sha256"), Sha256HexOf(*v2));
  EXPECT_EQ(GatewayField("device_id"), "device-42");
  EXPECT_EQ(CliField("token"), v2);
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);

  const std::vector<nlohmann::json> events = LogEvents();
  EXPECT_EQ(EventTypes(events), (std::vector<std::string>{"PairingCreated", "SideApplied", "SideApplied",
                                                     "PairingTokenRotated", "SideApplied", "SideApplied",
                                                     "DriftOpened", "SideRepaired", "DriftClosed"}));
  ASSERT_EQ(events.size(), 9U);
  EXPECT_EQ(events[6]["details"]["side"], "gateway");
  EXPECT_EQ(events[6]["details"]["verdict"], "lagging");
  EXPECT_EQ(events[6]["details"]["holds_version"], 1);
  EXPECT_EQ(events[7]["details"]["side"], "gateway");
  EXPECT_EQ(events[7]["details"]["verdict_before"], "lagging");
  EXPECT_EQ(events[7]["details"]["held_version"], 1);
  EXPECT_EQ(events[7]["details"]["version_written"], 4);
  EXPECT_EQ(events[8]["details"]["how"], "repaired");
  EXPECT_EQ(events[8]["details"]["opened_version"], 7);
  EXPECT_FALSE(Contains(AllOutput(), v1));
  EXPECT_FALSE(Contains(AllOutput(), *v2));
}

TEST_F(PairingTest, HandEditedDeviceIdIsForeignNamingTheFieldAndRepairRewritesIt) {
  ASSERT_NO_FATAL_FAILURE(InitAndPair());
  const std::string token = *CliField("token");
  EditCli("device_id", "device-43");

  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_TRUE(Contains(check.out, "foreign")) << check.out;
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1);
  const nlohmann::json cli = SideOf(report, "cli");
  EXPECT_EQ(cli["verdict"], "foreign");
  EXPECT_TRUE(cli["holds_version"].is_null()) << cli.dump();
  EXPECT_EQ(cli["detail"], "holds a record the log never had: field device_id differs from rev 1");
  EXPECT_EQ(SideOf(report, "gateway")["verdict"], "in_sync");
  EXPECT_FALSE(Contains(report.dump(), "device-43")) << "the detail names the field, not its value";

  ProcessResult repair = Seamctl({"repair"});  // authority: the log
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(CliField("device_id"), "device-42");
  EXPECT_EQ(CliField("token"), token);
  EXPECT_EQ(CliField("gateway_url"), kGatewayUrl);
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
  const std::vector<nlohmann::json> events = LogEvents();
  // the pairing and its two SideApplied, then the drift found, repaired and closed
  ASSERT_EQ(events.size(), 6U);
  EXPECT_EQ(events[3]["type"], "DriftOpened");
  EXPECT_EQ(events[3]["details"]["verdict"], "foreign");
  EXPECT_EQ(events[4]["type"], "SideRepaired");
  EXPECT_EQ(events[4]["details"]["side"], "cli");
  EXPECT_EQ(events[4]["details"]["verdict_before"], "foreign");
  EXPECT_EQ(events[5]["type"], "DriftClosed");
}

TEST_F(PairingTest, SideLackingOneMappedFieldIsMissingNamingIt) {
  ASSERT_NO_FATAL_FAILURE(InitAndPair());
  EditCli("gateway_url", std::nullopt);

  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_TRUE(Contains(check.out, "lacks field gateway_url")) << check.out;
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(report["seams"][0]["status"], "drift");
  EXPECT_EQ(SideOf(report, "cli")["verdict"], "missing");
  EXPECT_EQ(SideOf(report, "cli")["detail"], "lacks field gateway_url; rev 1 is intended");
  EXPECT_EQ(SideOf(report, "gateway")["verdict"], "in_sync");

  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(CliField("gateway_url"), kGatewayUrl);
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

TEST_F(PairingTest, UnpairRemovesEveryMappedFieldFromBothSides) {
  ASSERT_NO_FATAL_FAILURE(InitAndPair());
  const std::string cli_paired = ReadFile(CliPath());
  ProcessResult unpair = Seamctl({"unpair", kPairing, "--reason", "device retired"});
  ASSERT_EQ(unpair.exit_code, 0) << unpair.out << unpair.err;
  // v1 the pairing, v2-3 its SideApplied, v4 the removal.
  EXPECT_TRUE(Contains(unpair.out, "unpair recorded as rev 2 (log version 4)")) << unpair.out;

  for (const char* field : {"device_id", "token", "gateway_url"}) {
    EXPECT_EQ(CliField(field), std::nullopt) << field << " left in " << ReadFile(CliPath());
  }
  for (const char* field : {"device_id", "token_sha256"}) {
    EXPECT_EQ(GatewayField(field), std::nullopt) << field << " left in " << ReadFile(GatewayPath());
  }
  // Only the pairing's members go.
  EXPECT_EQ(CliField("client"), "demo-cli");
  EXPECT_EQ(StringAt(GatewayPath(), "/listen"), "127.0.0.1:8080");

  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(report["seams"][0]["status"], "in_sync");
  EXPECT_EQ(report["seams"][0]["intended"]["state"], "revoked");
  EXPECT_EQ(report["seams"][0]["intended"]["version"], 4);
  EXPECT_TRUE(report["seams"][0]["intended"]["fingerprint"].is_null());
  for (const char* side : {"cli", "gateway"}) {
    EXPECT_EQ(SideOf(report, side)["verdict"], "in_sync") << side;
    EXPECT_EQ(SideOf(report, side)["detail"], "holds no pairing (revoked)") << side;
  }
  const std::vector<nlohmann::json> events = LogEvents();
  EXPECT_EQ(EventTypes(events), (std::vector<std::string>{"PairingCreated", "SideApplied", "SideApplied",
                                                     "PairingRemoved", "SideApplied", "SideApplied"}));
  ASSERT_EQ(events.size(), 6U);
  EXPECT_EQ(events[3]["details"]["reason"], "device retired");

  // The paired file restored from a backup is drift that names the removal; repair removes it.
  WriteFile(CliPath(), cli_paired);
  nlohmann::json drift = CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(SideOf(drift, "cli")["verdict"], "lagging");
  EXPECT_EQ(SideOf(drift, "cli")["holds_version"], 1);
  EXPECT_EQ(SideOf(drift, "cli")["detail"], "holds rev 1; the pairing was removed at rev 2");
  // Part of a pairing put back by hand matches no version.
  EditCli("token", std::nullopt);
  drift = CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(SideOf(drift, "cli")["verdict"], "foreign");
  EXPECT_EQ(SideOf(drift, "cli")["detail"], "holds a value although the pairing was removed at rev 2");
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 0);
  for (const char* field : {"device_id", "token", "gateway_url"}) EXPECT_EQ(CliField(field), std::nullopt) << field;
  EXPECT_EQ(CliField("client"), "demo-cli");

  // After an unpair, pair works again and makes a new token.
  ProcessResult again = Seamctl({"pair", kPairing, "--device", "device-42"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_TRUE(CliField("token").has_value());
  EXPECT_EQ(CliField("gateway_url"), std::nullopt);  // not given this time
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

TEST_F(PairingTest, AdoptFromTheCliRecordsPairingAdoptedAndWritesTheGateway) {
  ASSERT_NO_FATAL_FAILURE(InitAndPair());
  const std::string chosen = "token-chosen-by-hand-on-the-cli-side-0001";
  EditCli("token", chosen);
  ProcessResult adopt = Seamctl({"adopt", kPairing, "--from", "cli"});
  EXPECT_EQ(adopt.exit_code, 0) << adopt.out << adopt.err;
  EXPECT_EQ(GatewayField("token_sha256"), Sha256HexOf(chosen));
  EXPECT_EQ(CliField("device_id"), "device-42");
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
  // v1-3 the pairing; v4 the adoption, then its SideApplied on gateway (written) and cli.
  const std::vector<nlohmann::json> events = LogEvents();
  EXPECT_EQ(EventTypes(events), (std::vector<std::string>{"PairingCreated", "SideApplied", "SideApplied",
                                                     "PairingAdopted", "SideApplied", "SideApplied"}));
  ASSERT_EQ(events.size(), 6U);
  EXPECT_EQ(events[3]["type"], "PairingAdopted");
  EXPECT_EQ(events[3]["details"]["side"], "cli");
  EXPECT_EQ(events[3]["details"]["device_id"], "device-42");
  EXPECT_EQ(events[4]["details"]["side"], "gateway");
  EXPECT_EQ(events[4]["details"]["version"], 4);
  EXPECT_EQ(events[5]["details"]["side"], "cli");
  EXPECT_EQ(events[5]["details"]["version"], 4);
  EXPECT_FALSE(Contains(AllOutput(), chosen));
  EXPECT_FALSE(Contains(StateBytes(), chosen));
}

TEST_F(PairingTest, BadPairRequestsAreRefusedWithOneLineAndWriteNothing) {
  ASSERT_NO_FATAL_FAILURE(InitAndPair());
  // A token seam beside the pairing seam, on files of its own.
  WriteConfig(std::string(kPairingConfig) + kTokenSeam);
  const Snapshot before = TakeSnapshot(Root());

  ProcessResult twice = Seamctl({"pair", kPairing, "--device", "device-42"});
  EXPECT_TRUE(IsCleanError(twice, "already paired"));
  EXPECT_TRUE(Contains(twice.err, "seamctl unpair device-pairing")) << twice.err;
  EXPECT_TRUE(Contains(twice.err, "seamctl token rotate device-pairing")) << twice.err;

  ProcessResult on_token = Seamctl({"pair", "device-token", "--device", "device-42"});
  EXPECT_TRUE(IsCleanError(on_token, "seam device-token is a token seam; `seamctl pair` is for pairing seams"));
  ProcessResult unpair_token = Seamctl({"unpair", "device-token"});
  EXPECT_TRUE(IsCleanError(unpair_token, "is for pairing seams"));

  ProcessResult spaced = Seamctl({"pair", kPairing, "--device", "device 42"});
  EXPECT_TRUE(IsCleanError(spaced, "--device must be 1 to 256 printable ASCII characters without spaces"));
  ProcessResult empty = Seamctl({"pair", kPairing, "--device", ""});
  EXPECT_TRUE(IsCleanError(empty, "--device"));
  ProcessResult bad_url = Seamctl({"pair", kPairing, "--device", "device-42", "--gateway-url", "ftp://gw"});
  EXPECT_TRUE(IsCleanError(bad_url, "--gateway-url"));
  ProcessResult no_device = Seamctl({"pair", kPairing});
  EXPECT_TRUE(IsCleanError(no_device, "--device"));
  ProcessResult nobody = Seamctl({"pair", "no-such-seam", "--device", "device-42"});
  EXPECT_TRUE(IsCleanError(nobody, "no-such-seam"));

  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
  EXPECT_EQ(LogEvents().size(), 3U);  // the pairing and its two SideApplied
}

TEST_F(PairingTest, UnpairOfAnUnpairedSeamIsRefused) {
  ASSERT_NO_FATAL_FAILURE(InitPairing());
  const Snapshot before = TakeSnapshot(Root());
  EXPECT_TRUE(IsCleanError(Seamctl({"unpair", kPairing}), "is not paired"));
  EXPECT_TRUE(IsCleanError(Seamctl({"token", "rotate", kPairing}), "use `seamctl pair device-pairing`"));
  EXPECT_TRUE(IsCleanError(Seamctl({"token", "issue", kPairing}), "use `seamctl pair device-pairing`"));
  EXPECT_TRUE(IsCleanError(Seamctl({"token", "revoke", kPairing}), "use `seamctl unpair device-pairing`"));
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
  EXPECT_TRUE(LogEvents().empty());
}

TEST_F(PairingTest, UnknownFieldInAFieldsTableNamesTheLineAndTheKindsFields) {
  std::string config = kPairingConfig;
  const std::string good = "gateway_url = \"/gateway_url\"\n";
  config.replace(config.find(good), good.size(), good + "serial = \"/serial\"\n");
  WriteConfig(config);
  WriteUnpairedSides();
  const int line = LineStartingWith(config, "serial = ");
  ASSERT_GT(line, 0);
  const Snapshot before = TakeSnapshot(Root());

  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"init"}, {"check"}, {"pair", kPairing, "--device", "device-42"}}) {
    ProcessResult r = Seamctl(args);
    EXPECT_TRUE(IsCleanError(r, "seam.toml:" + std::to_string(line) + ": seam `device-pairing` side `cli`"))
        << args[0];
    EXPECT_TRUE(Contains(r.err, "`fields.serial`: kind `pairing` has no field `serial`; its fields: "
                                "device_id, token, gateway_url, paired_at"))
        << r.err;
  }
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");  // not even .seam/ was created
}

}  // namespace
}  // namespace seam::e2e
