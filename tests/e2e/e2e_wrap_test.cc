// `seamctl wrap SEAM -- CMD...` end to end: the wrapped tools are small shell scripts written by
// each test (seamctl itself runs them without a shell); they rotate, rewrite, fail, conflict or
// get killed, and the log and the side files are checked afterwards. Real seamctl, real files.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

using seam::testing::ReadFile;
using seam::testing::WriteFile;

// What the scripts write: never printed by seamctl (tests check), recorded only sealed.
constexpr char kNewToken[] = "token-written-by-the-wrapped-tool-0001";
constexpr char kOtherToken[] = "another-token-written-by-the-tool-0002";

std::size_t CountType(const std::vector<nlohmann::json>& events, const std::string& type) {
  std::size_t n = 0;
  for (const nlohmann::json& e : events) n += e["type"] == type ? 1U : 0U;
  return n;
}

const nlohmann::json* LastOfType(const std::vector<nlohmann::json>& events, const std::string& type) {
  const nlohmann::json* found = nullptr;
  for (const nlohmann::json& e : events) {
    if (e["type"] == type) found = &e;
  }
  return found;
}

class WrapTest : public SeamctlTest {
 protected:
  // Writes an executable /bin/sh script at the root of the temp dir (seamctl runs in it); the
  // returned path is what goes after `--`.
  std::string Script(const std::string& name, const std::string& body) const {
    const fs::path path = Root() / name;
    WriteFile(path, "#!/bin/sh\nset -e\n" + body);
    ::chmod(path.c_str(), 0755);
    return "./" + name;
  }

  ProcessResult Wrap(const std::vector<std::string>& command, const std::string& seam = kSeam) {
    std::vector<std::string> args{"wrap", seam, "--"};
    args.insert(args.end(), command.begin(), command.end());
    return Seamctl(args);
  }

  // What a tool writes to the CLI's file: the whole document, a new token in it.
  static std::string CliDocument(const std::string& token) {
    return "{ \"device_id\": \"device-42\", \"gateway_url\": \"http://127.0.0.1:8080\", \"token\": \"" + token +
           "\" }";
  }

  // No token value of this test in anything seamctl printed.
  void ExpectNoValueInOutput(const std::vector<std::string>& values) const {
    for (const ProcessResult& r : transcript_) {
      for (const std::string& v : values) {
        EXPECT_FALSE(Contains(r.out + r.err, v)) << "a token value was printed:\n" << r.out << r.err;
      }
    }
  }
};

TEST_F(WrapTest, ATokenTheCommandRotatedIsAdoptedAndTheGatewayFollows) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::size_t events_before = LogEvents().size();
  const std::string tool = Script("rotate-cli.sh", "printf '%s\\n' '" + CliDocument(kNewToken) +
                                                       "' > cli/paired.json.tmp\nmv cli/paired.json.tmp cli/paired.json\n"
                                                       "echo rotated by the tool\n");

  ProcessResult r = Wrap({tool, "--device", "device-42"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "rotated by the tool\n")) << "the tool's stdout is inherited:\n" << r.out;
  EXPECT_TRUE(Contains(r.out, "wrap: side cli changed to a new value fp:")) << r.out;
  EXPECT_TRUE(Contains(r.out, "; adopted as rev 2 (TokenAdopted)")) << r.out;
  EXPECT_TRUE(Contains(r.out, "wrap: gateway written to rev 2")) << r.out;
  EXPECT_TRUE(Contains(r.out, "wrap: device-token is in_sync (intended rev 2, intended fp:")) << r.out;
  EXPECT_EQ(r.err, "");

  EXPECT_EQ(CliToken(), kNewToken);
  EXPECT_EQ(GatewayToken(), Sha256HexOf(kNewToken));
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);

  const std::vector<nlohmann::json> events = LogEvents();
  // The adoption and one SideApplied for each side (the cli's: it already held the value).
  EXPECT_EQ(events.size(), events_before + 3);
  const nlohmann::json* adopted = LastOfType(events, "TokenAdopted");
  ASSERT_NE(adopted, nullptr);
  EXPECT_EQ((*adopted)["version"], 4);
  EXPECT_EQ((*adopted)["actor"], "e2e");
  EXPECT_EQ((*adopted)["details"]["side"], "cli");
  EXPECT_EQ((*adopted)["details"]["reason"], "wrap: ./rotate-cli.sh --device device-42");
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
  ExpectNoValueInOutput({kNewToken, Sha256HexOf(kNewToken)});
}

TEST_F(WrapTest, ACommandThatChangesNothingRecordsNothing) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::size_t events_before = LogEvents().size();
  // Rewrites the CLI's file with the very same bytes (new inode, new mtime): that is no change.
  const std::string tool = Script("same.sh", "cp cli/paired.json cli/copy.json\nsleep 0.01\n"
                                             "mv cli/copy.json cli/paired.json\ntouch ran.marker\n");
  const std::string before = ReadFile(CliFile());

  ProcessResult r = Wrap({tool});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(fs::exists(Root() / "ran.marker"));
  EXPECT_TRUE(Contains(r.out, "wrap: nothing changed\n")) << r.out;
  EXPECT_FALSE(Contains(r.out, "adopted")) << r.out;
  EXPECT_EQ(ReadFile(CliFile()), before);
  EXPECT_EQ(LogEvents().size(), events_before);
}

TEST_F(WrapTest, AFailingCommandGivesItsExitCodeAndWhatItChangedIsStillRecorded) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string tool =
      Script("half-done.sh", "printf '%s\\n' '" + CliDocument(kNewToken) + "' > cli/paired.json\n"
                             "echo 'could not reach the gateway' >&2\nexit 5\n");

  ProcessResult r = Wrap({tool, std::string(300, 'x')});
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "could not reach the gateway")) << "the tool's stderr is inherited";
  EXPECT_TRUE(Contains(r.out, "wrap: `./half-done.sh` exited with 5; recording what it changed")) << r.out;
  EXPECT_TRUE(Contains(r.out, "adopted as rev 2 (TokenAdopted)")) << r.out;

  const std::vector<nlohmann::json> events = LogEvents();
  const nlohmann::json* adopted = LastOfType(events, "TokenAdopted");
  ASSERT_NE(adopted, nullptr);
  // "wrap: " and the command line cut to 200 bytes, the cut marked.
  EXPECT_EQ((*adopted)["details"]["reason"], "wrap: ./half-done.sh " + std::string(200 - 3 - 15, 'x') + "...");
  EXPECT_EQ(GatewayToken(), Sha256HexOf(kNewToken));
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

TEST_F(WrapTest, ACommandKilledBySignalGives128PlusTheSignal) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string tool =
      Script("crash.sh", "printf '%s\\n' '" + CliDocument(kNewToken) + "' > cli/paired.json\nkill -KILL $$\n");

  ProcessResult r = Wrap({tool});
  EXPECT_EQ(r.exit_code, 128 + 9) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "was killed by SIGKILL")) << r.out;
  EXPECT_EQ(CountType(LogEvents(), "TokenAdopted"), 1U);
  EXPECT_EQ(GatewayToken(), Sha256HexOf(kNewToken));
}

TEST_F(WrapTest, SigtermSentToSeamctlIsForwardedToTheCommand) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  // The tool signals its parent (seamctl), which passes SIGTERM on; the tool's trap records it.
  const std::string tool = Script("term.sh",
                                  "sleep 10 </dev/null >/dev/null 2>&1 &\npid=$!\n"
                                  "trap 'kill $pid; echo got-term > term.marker; exit 7' TERM\n"
                                  "kill -TERM $PPID\n"
                                  "wait $pid || true\n");
  ProcessResult r = Wrap({tool});
  EXPECT_EQ(r.exit_code, 7) << "seamctl must survive and pass the tool's code on:\n" << r.out << r.err;
  EXPECT_EQ(ReadFile(Root() / "term.marker"), "got-term\n");
  EXPECT_TRUE(Contains(r.out, "wrap: nothing changed")) << r.out;
}

TEST_F(WrapTest, TwoSidesChangedToDifferentNewValuesAdoptsNothing) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::size_t events_before = LogEvents().size();
  const std::string gateway_doc =
      "{ \"listen\": \"127.0.0.1:8080\", \"devices\": { \"device-42\": { \"token\": \"" +
      Sha256HexOf(kOtherToken) + "\" } } }";
  const std::string tool = Script("split.sh", "printf '%s\\n' '" + CliDocument(kNewToken) +
                                                  "' > cli/paired.json\nprintf '%s\\n' '" + gateway_doc +
                                                  "' > gateway/state.json\n");
  ProcessResult r = Wrap({tool});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "wrap: side cli changed to a new value fp:")) << r.out;
  EXPECT_TRUE(Contains(r.out, "wrap: side gateway changed to a new value")) << r.out;
  EXPECT_TRUE(Contains(r.out, "changed to different new values; nothing adopted")) << r.out;

  // The log is as it was, and so are the sides the command wrote.
  EXPECT_EQ(LogEvents().size(), events_before);
  EXPECT_EQ(CliToken(), kNewToken);
  EXPECT_EQ(GatewayToken(), Sha256HexOf(kOtherToken));
  EXPECT_EQ(Seamctl({"check"}).exit_code, 1);
  ExpectNoValueInOutput({kNewToken, kOtherToken, Sha256HexOf(kNewToken), Sha256HexOf(kOtherToken)});
}

TEST_F(WrapTest, TwoSidesChangedToTheSameNewValueIsOneAdoption) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string gateway_doc =
      "{ \"listen\": \"127.0.0.1:8080\", \"devices\": { \"device-42\": { \"token\": \"" +
      Sha256HexOf(kNewToken) + "\" } } }";
  const std::string tool = Script("both.sh", "printf '%s\\n' '" + gateway_doc + "' > gateway/state.json\n"
                                             "printf '%s\\n' '" + CliDocument(kNewToken) + "' > cli/paired.json\n");
  ProcessResult r = Wrap({tool});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // Adopted from the side the token can be recovered from; the gateway already holds it.
  EXPECT_TRUE(Contains(r.out, "adopted as rev 2 (TokenAdopted)")) << r.out;
  EXPECT_TRUE(Contains(r.out, "wrap: gateway already holds rev 2")) << r.out;
  const std::vector<nlohmann::json> events = LogEvents();
  const nlohmann::json* adopted = LastOfType(events, "TokenAdopted");
  ASSERT_NE(adopted, nullptr);
  EXPECT_EQ((*adopted)["details"]["side"], "cli");
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

TEST_F(WrapTest, ANewValueOnlyOnADigestSideCannotBeAdopted) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::size_t events_before = LogEvents().size();
  const std::string tool = Script("gateway-only.sh",
                                  "printf '%s\\n' '{ \"devices\": { \"device-42\": { \"token\": \"" +
                                      Sha256HexOf(kNewToken) + "\" } } }' > gateway/state.json\n");
  ProcessResult r = Wrap({tool});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "stores sha256-hex digests, from which the token cannot be recovered; nothing adopted"))
      << r.out;
  EXPECT_EQ(LogEvents().size(), events_before);
  EXPECT_EQ(GatewayToken(), Sha256HexOf(kNewToken));  // left as the command made it
}

TEST_F(WrapTest, AValueTheLogAlreadyHadIsNotAdoptedButRepairedPerPolicy) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string old_token = *CliToken();
  ProcessResult rotate = Seamctl({"token", "rotate", kSeam});
  ASSERT_EQ(rotate.exit_code, 0) << rotate.out << rotate.err;
  const std::string current = *CliToken();
  ASSERT_NE(current, old_token);

  // The tool "restores" the token of version 1.
  const std::string tool = Script("restore.sh", "printf '%s\\n' '" + CliDocument(old_token) + "' > cli/paired.json\n");
  ProcessResult r = Wrap({tool});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "wrap: side cli changed to rev 1's value fp:")) << r.out;
  EXPECT_TRUE(Contains(r.out, "which the log already holds; not adopted")) << r.out;
  EXPECT_TRUE(Contains(r.out, "wrap: cli repaired to rev 2")) << r.out;
  EXPECT_EQ(CliToken(), current);
  const std::vector<nlohmann::json> events = LogEvents();
  EXPECT_EQ(CountType(events, "TokenAdopted"), 0U);
  EXPECT_EQ(CountType(events, "SideRepaired"), 1U);
  ExpectNoValueInOutput({old_token, current});
}

TEST_F(WrapTest, AValueTheLogAlreadyHadStaysWhenRepairIsOff) {
  ConfigOptions options;
  options.repair = "off";
  ASSERT_NO_FATAL_FAILURE(InitAndIssue(options));
  const std::string old_token = *CliToken();
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);

  const std::string tool = Script("restore.sh", "printf '%s\\n' '" + CliDocument(old_token) + "' > cli/paired.json\n");
  ProcessResult r = Wrap({tool});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "wrap: cli not repaired: repair = \"off\"")) << r.out;
  EXPECT_TRUE(Contains(r.out, "wrap: device-token is drift")) << r.out;
  EXPECT_EQ(CliToken(), old_token);
  EXPECT_EQ(CountType(LogEvents(), "TokenAdopted"), 0U);
}

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

TEST_F(WrapTest, APairingTheCommandRewroteIsAdoptedAsPairingAdopted) {
  WriteConfig(kPairingConfig);
  WriteFile(CliFile(), "{ \"client\": \"demo-cli\" }\n");
  WriteFile(GatewayFile(), "{ \"devices\": {} }\n");
  ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  ProcessResult pair = Seamctl({"pair", "device-pairing", "--device", "device-42", "--gateway-url", "http://gw"});
  ASSERT_EQ(pair.exit_code, 0) << pair.out << pair.err;

  // The tool re-pairs the CLI under a new device id with a new token (gateway_url kept).
  const std::string tool = Script(
      "repair-cli.sh", "printf '%s\\n' '{ \"client\": \"demo-cli\", \"device_id\": \"device-42b\", \"token\": \"" +
                           std::string(kNewToken) + "\", \"gateway_url\": \"http://gw\" }' > cli/paired.json\n");
  ProcessResult r = Wrap({tool, "-v"}, "device-pairing");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "adopted as rev 2 (PairingAdopted)")) << r.out;
  EXPECT_TRUE(Contains(r.out, "wrap: gateway written to rev 2")) << r.out;

  const std::vector<nlohmann::json> events = LogEvents();
  const nlohmann::json* adopted = LastOfType(events, "PairingAdopted");
  ASSERT_NE(adopted, nullptr);
  EXPECT_EQ((*adopted)["details"]["device_id"], "device-42b");
  EXPECT_EQ((*adopted)["details"]["side"], "cli");
  EXPECT_EQ((*adopted)["details"]["reason"], "wrap: ./repair-cli.sh -v");
  const nlohmann::json gateway = nlohmann::json::parse(ReadFile(GatewayFile()));
  EXPECT_EQ(gateway["devices"]["device-42"]["device_id"], "device-42b");
  EXPECT_EQ(gateway["devices"]["device-42"]["token_sha256"], Sha256HexOf(kNewToken));
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
  ExpectNoValueInOutput({kNewToken});
}

TEST_F(WrapTest, AFirstTokenMadeByTheCommandBecomesTheLogsFirstValue) {
  ASSERT_NO_FATAL_FAILURE(InitStandard());  // no token issued: the log holds none
  const std::string tool = Script("enroll.sh", "printf '%s\\n' '" + CliDocument(kNewToken) + "' > cli/paired.json\n");
  ProcessResult r = Wrap({tool});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "adopted as rev 1 (TokenAdopted)")) << r.out;
  EXPECT_EQ(GatewayToken(), Sha256HexOf(kNewToken));
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

TEST_F(WrapTest, ASideUnreadableAfterTheCommandRecordsNothing) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::size_t events_before = LogEvents().size();
  const std::string tool = Script("break.sh", "printf '{ \"token\": ' > cli/paired.json\n");
  ProcessResult r = Wrap({tool});
  EXPECT_TRUE(IsCleanError(r, "side cli is unreadable after the command")) << r.err;
  EXPECT_TRUE(Contains(r.err, "nothing was recorded")) << r.err;
  EXPECT_EQ(LogEvents().size(), events_before);
}

TEST_F(WrapTest, AnUnreadableSideBeforeRefusesWithoutRunningTheCommand) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  WriteFile(CliFile(), "{ \"token\": ");  // not JSON
  const std::string tool = Script("never.sh", "touch ran.marker\n");
  const Snapshot with_script = TakeSnapshot(Root());

  ProcessResult r = Wrap({tool});
  EXPECT_TRUE(IsCleanError(r, "side cli is unreadable")) << r.err;
  EXPECT_TRUE(Contains(r.err, "the command was not run")) << r.err;
  EXPECT_FALSE(fs::exists(Root() / "ran.marker"));
  EXPECT_EQ(SnapshotDiff(with_script, TakeSnapshot(Root())), "");
}

TEST_F(WrapTest, ArgumentsWithLeadingDashesReachTheCommandUntouched) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string tool = Script("args.sh", "for a in \"$@\"; do printf '%s\\n' \"$a\" >> args.txt; done\n");
  ProcessResult r = Wrap({tool, "-v", "--config", "x.toml", "--", "-c", "--help", "two words", ""});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ReadFile(Root() / "args.txt"), "-v\n--config\nx.toml\n--\n-c\n--help\ntwo words\n\n");
  EXPECT_TRUE(Contains(r.out, "wrap: nothing changed")) << r.out;

  // The global -c may also come after the subcommand, before `--`.
  ProcessResult late = SeamctlRaw({"wrap", kSeam, "-c", ConfigPath().string(), "--", tool, "-q"});
  EXPECT_EQ(late.exit_code, 0) << late.out << late.err;
  EXPECT_TRUE(Contains(ReadFile(Root() / "args.txt"), "\n-q\n"));
}

TEST_F(WrapTest, ACommandThatCannotBeStartedIs127WithOneLine) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::size_t events_before = LogEvents().size();
  ProcessResult r = Wrap({"./no-such-tool"});
  EXPECT_EQ(r.exit_code, 127) << r.out << r.err;
  EXPECT_EQ(r.err, "seamctl: error: seam device-token: wrap: cannot run `./no-such-tool`: No such file or directory\n");
  EXPECT_EQ(LogEvents().size(), events_before);

  ProcessResult none = Seamctl({"wrap", kSeam});
  EXPECT_TRUE(IsCleanError(none, "CMD")) << none.err;
}

}  // namespace
}  // namespace seam::e2e
