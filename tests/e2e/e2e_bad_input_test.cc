// Bad input never half-applies: each case gets exit 2, one line "seamctl: error: ..." on stderr
// that says what is wrong, and not one byte of a side file, the log or the key changes.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <functional>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

using seam::testing::ReadFile;
using seam::testing::WriteFile;

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  if (at == std::string::npos) {
    ADD_FAILURE() << "`" << from << "` not in the config";
    return text;
  }
  return text.replace(at, from.size(), to);
}

const char kSecondSeam[] = R"(
[[seam]]
name = "device-token"
kind = "token"
entity = "device-43"

[seam.sides.a]
plugin = "json-file"
path = "a.json"
pointer = "/token"

[seam.sides.b]
plugin = "json-file"
path = "b.json"
pointer = "/token"
)";

struct ConfigCase {
  const char* name;
  std::string toml;
  std::vector<std::string> needles;  // each must appear in the error line
};

// Line numbers refer to StandardConfig(): 1 [store], 5 name, 8 repair, 9 authority, 10 order,
// 12 [seam.sides.cli], 13 its plugin, 15 its pointer, 17 [seam.sides.gateway].
std::vector<ConfigCase> ConfigCases() {
  const std::string good = StandardConfig();
  return {
      {"UnknownTopLevelKey", "colour = \"blue\"\n" + good, {"seam.toml:1:", "`colour`"}},
      {"UnknownSeamKey", Replace(good, "repair = \"auto\"", "repiar = \"auto\""), {"seam.toml:8:", "`repiar`"}},
      {"UnknownSideKey", Replace(good, "pointer = \"/token\"\n", "pointer = \"/token\"\nmode = \"0600\"\n"), {"seam.toml:16:", "`mode`"}},
      {"MisspeltRequiredSideKey", Replace(good, "pointer = \"/token\"", "pointr = \"/token\""), {"seam.toml:12:", "`pointer`"}},
      {"UnknownStoreKey", Replace(good, "path = \".seam/events.db\"", "paht = \".seam/events.db\""), {"seam.toml:2:", "`paht`"}},
      {"UnknownPlugin", Replace(good, "plugin = \"json-file\"", "plugin = \"json-fiel\""), {"seam.toml:13:", "json-fiel"}},
      {"UnknownKind", Replace(good, "kind = \"token\"", "kind = \"tokn\""), {"seam.toml:6:", "tokn"}},
      {"UnknownTransform", Replace(good, "transform = \"sha256-hex\"", "transform = \"md5\""), {"seam.toml:21:", "`transform`"}},
      {"BadRepairPolicy", Replace(good, "repair = \"auto\"", "repair = \"sometimes\""), {"seam.toml:8:", "repair"}},
      {"DuplicateSeamNames", good + kSecondSeam, {"seam.toml:", "duplicate"}},
      {"BadSeamName", Replace(good, "name = \"device-token\"", "name = \"Device_Token\""), {"seam.toml:5:", "Device_Token"}},
      {"SecretKeyOnATokenSeam", Replace(good, "repair = \"auto\"", "repair = \"auto\"\nsecret = \"false\""), {"seam.toml:9:", "`secret` applies to value seams only"}},
      {"AuthorityNamingNoSide", Replace(good, "authority = \"log\"", "authority = \"server\""), {"seam.toml:9:", "server"}},
      {"AuthorityOnADigestSide", Replace(good, "authority = \"log\"", "authority = \"gateway\""), {"seam.toml:9:", "gateway"}},
      {"OrderNamingNoSide", Replace(good, "order = [\"gateway\", \"cli\"]", "order = [\"gateway\", \"client\"]"), {"seam.toml:10:", "client"}},
      {"OrderMissingASide", Replace(good, "order = [\"gateway\", \"cli\"]", "order = [\"gateway\"]"), {"seam.toml:10:", "cli"}},
      {"InvalidTomlSyntax", Replace(good, "name = \"device-token\"", "name = \"device-token"), {"seam.toml:5:", "invalid TOML"}},
      {"EmptyPointer", Replace(good, "pointer = \"/token\"", "pointer = \"\""), {"seam.toml:", "pointer"}},
  };
}

void PrintTo(const ConfigCase& c, std::ostream* os) { *os << c.name; }

class ConfigErrorTest : public SeamctlTest, public ::testing::WithParamInterface<ConfigCase> {};

TEST_P(ConfigErrorTest, EveryCommandRefusesWithOneLineAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const ConfigCase& c = GetParam();
  WriteConfig(c.toml);
  Snapshot before = TakeSnapshot(Root());
  const std::vector<std::vector<std::string>> commands = {
      {"check"}, {"check", "--json"}, {"repair"}, {"token", "rotate", kSeam}, {"token", "revoke", kSeam},
      {"adopt", kSeam, "--from", "cli"}, {"log"}, {"verify"}, {"init"}};
  for (const std::vector<std::string>& args : commands) {
    ProcessResult r = Seamctl(args);
    for (const std::string& needle : c.needles) {
      EXPECT_TRUE(IsCleanError(r, needle)) << "command: " << ::testing::PrintToString(args);
    }
    EXPECT_EQ(r.out, "") << ::testing::PrintToString(args);
  }
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

INSTANTIATE_TEST_SUITE_P(Config, ConfigErrorTest, ::testing::ValuesIn(ConfigCases()),
                         [](const ::testing::TestParamInfo<ConfigCase>& p) { return std::string(p.param.name); });

using BadInputTest = SeamctlTest;

TEST_F(BadInputTest, MissingConfigFileIsNamedWithTheWayToPassOne) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const Snapshot before = TakeSnapshot(Root());
  ProcessResult r = SeamctlRaw({"-c", (Root() / "nowhere.toml").string(), "check"});
  EXPECT_TRUE(IsCleanError(r, "nowhere.toml"));
  EXPECT_TRUE(IsCleanError(SeamctlRaw({"-c", "nowhere.toml", "init"}), "-c FILE"));
  EXPECT_TRUE(IsCleanError(SeamctlRaw({"check"}, {{"SEAM_CONFIG", "elsewhere.toml"}}), "elsewhere.toml"));
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

TEST_F(BadInputTest, ConfigIsFoundThroughSeamConfigOrTheWorkingDirectory) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  EXPECT_EQ(SeamctlRaw({"check"}).exit_code, 0);  // ./seam.toml
  EXPECT_EQ(SeamctlRaw({"check"}, {{"SEAM_CONFIG", ConfigPath().string()}}).exit_code, 0);
}

// An invalid side file is unreadable, never repaired over: it belongs to another program.
TEST_F(BadInputTest, InvalidJsonSideIsUnreadableWithLineAndColumnAndIsLeftAlone) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string secret = *CliToken();
  WriteFile(CliFile(), "{ \"token\": \"" + secret + "\",\n  \"device_id\": }\n");
  const Snapshot before = TakeSnapshot(Root());

  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 2) << check.out << check.err;
  EXPECT_TRUE(Contains(check.out, "unreadable")) << check.out;
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 2);
  const nlohmann::json& side = report["seams"][0]["sides"][1];
  ASSERT_EQ(side["name"], "cli") << report.dump(2);
  EXPECT_EQ(side["verdict"], "unreadable");
  EXPECT_TRUE(Contains(side["detail"].get<std::string>(), "line 2, column")) << side.dump();
  EXPECT_EQ(report["seams"][0]["status"], "unknown");

  const std::size_t events_before = LogEvents().size();
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 2) << repair.out << repair.err;
  ExpectOnlyAnUnreadableSpell(before, events_before, "cli");
  // The parser's message quotes the text around the error; it must not reach the output.
  for (const ProcessResult& r : transcript_) {
    if (&r == &transcript_.front()) continue;
    EXPECT_FALSE(Contains(r.out + r.err, secret)) << r.out << r.err;
  }
}

// DESIGN.md, error conventions: exit 2 (trouble, which includes an unreadable side) comes with
// one line "seamctl: error: ..." saying what to do next -- also for check and repair.
TEST_F(BadInputTest, UnreadableSideAlsoGetsAnErrorLineOnStderr) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  WriteFile(CliFile(), "{ \"token\": \n");
  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_TRUE(IsCleanError(check, "cli/paired.json")) << "check";
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 2);
  EXPECT_TRUE(IsCleanError(repair, "cli/paired.json")) << "repair";
}

TEST_F(BadInputTest, SideThatIsADirectoryIsUnreadable) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  fs::remove(CliFile());
  fs::create_directory(CliFile());
  const Snapshot before = TakeSnapshot(Root());
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 2);
  EXPECT_EQ(report["seams"][0]["sides"][1]["verdict"], "unreadable") << report.dump(2);
  EXPECT_TRUE(Contains(report["seams"][0]["sides"][1]["detail"].get<std::string>(), "directory"));
  const std::size_t events_before = LogEvents().size();
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 2) << repair.out << repair.err;
  ExpectOnlyAnUnreadableSpell(before, events_before, "cli");
  const Snapshot after_repair = TakeSnapshot(Root());
  ProcessResult rotate = Seamctl({"token", "rotate", kSeam});
  EXPECT_EQ(rotate.exit_code, 2) << rotate.out << rotate.err;
  EXPECT_TRUE(fs::is_directory(CliFile()));
  // Bad input does not half-apply: every side is observed first, so nothing is recorded and the
  // gateway is not written either.
  EXPECT_TRUE(Contains(rotate.err, "seamctl: error:")) << rotate.err;
  EXPECT_TRUE(Contains(rotate.err, "nothing was recorded or written")) << rotate.err;
  EXPECT_EQ(SnapshotDiff(after_repair, TakeSnapshot(Root())), "");
}

TEST_F(BadInputTest, SideFileWithoutReadPermissionIsUnreadable) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads chmod 000 files";
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ASSERT_EQ(::chmod(CliFile().c_str(), 0), 0);
  const Snapshot before = TakeSnapshot(Root());
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 2);
  EXPECT_EQ(report["seams"][0]["sides"][1]["verdict"], "unreadable") << report.dump(2);
  const std::size_t events_before = LogEvents().size();
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 2);
  ExpectOnlyAnUnreadableSpell(before, events_before, "cli");
}

TEST_F(BadInputTest, NonStringTokenIsUnreadableAndNeverOverwritten) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  WriteFile(CliFile(), "{ \"device_id\": \"device-42\", \"token\": 42 }\n");
  const Snapshot before = TakeSnapshot(Root());
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 2);
  EXPECT_EQ(report["seams"][0]["sides"][1]["verdict"], "unreadable") << report.dump(2);
  EXPECT_TRUE(Contains(report["seams"][0]["sides"][1]["detail"].get<std::string>(), "not a string"));
  const std::size_t events_before = LogEvents().size();
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 2) << repair.out << repair.err;
  ExpectOnlyAnUnreadableSpell(before, events_before, "cli");
}

TEST_F(BadInputTest, EventLogThatIsNotSqliteIsRefusedUntouched) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  fs::remove(fs::path(DbFile().string() + "-wal"));
  fs::remove(fs::path(DbFile().string() + "-shm"));
  WriteFile(DbFile(), "this is not a database, it is a text file\n");
  const Snapshot before = TakeSnapshot(Root());
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"check"}, {"repair"}, {"log"}, {"verify"}, {"token", "rotate", kSeam}, {"init"}}) {
    EXPECT_TRUE(IsCleanError(Seamctl(args), DbFile().string())) << ::testing::PrintToString(args);
  }
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

TEST_F(BadInputTest, EventLogFromANewerSchemaIsRefusedUntouched) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ProcessResult sql = RunSqlite(DbFile(), "PRAGMA user_version=99;");
  ASSERT_EQ(sql.exit_code, 0) << sql.err;
  const Snapshot before = TakeSnapshot(Root());
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"check"}, {"repair"}, {"log"}, {"verify"}, {"token", "rotate", kSeam}, {"init"}}) {
    EXPECT_TRUE(IsCleanError(Seamctl(args), "99")) << ::testing::PrintToString(args);
  }
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

TEST_F(BadInputTest, MissingKeyFileIsRefusedAndPointsAtInit) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  fs::remove(KeyFile());
  const Snapshot before = TakeSnapshot(Root());
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"check"}, {"repair"}, {"log"}, {"token", "rotate", kSeam}}) {
    EXPECT_TRUE(IsCleanError(Seamctl(args), "does not exist")) << ::testing::PrintToString(args);
  }
  // The hash chain needs no key: verify still works when the key is lost.
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

TEST_F(BadInputTest, MissingEventLogPointsAtInit) {
  ASSERT_NO_FATAL_FAILURE(InitStandard());
  fs::remove(DbFile());
  const Snapshot before = TakeSnapshot(Root());
  EXPECT_TRUE(IsCleanError(Seamctl({"check"}), "seamctl init"));
  EXPECT_TRUE(IsCleanError(Seamctl({"token", "issue", kSeam}), "seamctl init"));
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

struct KeyCase {
  const char* name;
  std::function<void(const fs::path&)> spoil;
  std::string needle;
};

void PrintTo(const KeyCase& c, std::ostream* os) { *os << c.name; }

class KeyFileTest : public SeamctlTest, public ::testing::WithParamInterface<KeyCase> {};

TEST_P(KeyFileTest, BadKeyFileIsRefusedByEveryCommandAndNeverReplaced) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  GetParam().spoil(KeyFile());
  const Snapshot before = TakeSnapshot(Root());
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"check"}, {"repair"}, {"log"}, {"token", "rotate", kSeam}, {"init"}}) {
    EXPECT_TRUE(IsCleanError(Seamctl(args), GetParam().needle)) << ::testing::PrintToString(args);
  }
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0) << "verify needs no key";
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

INSTANTIATE_TEST_SUITE_P(
    Key, KeyFileTest,
    ::testing::Values(
        KeyCase{"Short", [](const fs::path& key) {
                  std::string bytes = ReadFile(key);
                  WriteFile(key, bytes.substr(0, 31));
                }, "31 bytes"},
        KeyCase{"WorldReadable", [](const fs::path& key) { ::chmod(key.c_str(), 0644); }, "chmod 600"},
        KeyCase{"Directory", [](const fs::path& key) {
                  fs::remove(key);
                  fs::create_directory(key);
                }, "not a regular file"}),
    [](const ::testing::TestParamInfo<KeyCase>& p) { return std::string(p.param.name); });

// A missing key is refused by every command but init, which would create one. With a log that
// already holds sealed secrets, a fresh key could never open them: init must refuse too.
TEST_F(BadInputTest, InitDoesNotCreateAKeyForALogSealedWithAnother) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  fs::remove(KeyFile());
  const Snapshot before = TakeSnapshot(Root());
  ProcessResult init = Seamctl({"init"});
  EXPECT_TRUE(IsCleanError(init, "key"));
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

TEST_F(BadInputTest, UnknownSeamNameIsRefusedBeforeAnyWork) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  SetCliToken("drift");  // repair of the known seam must not happen either
  const Snapshot before = TakeSnapshot(Root());
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"check", "nope"}, {"repair", kSeam, "nope"}, {"token", "issue", "nope"}, {"token", "rotate", "nope"},
           {"token", "revoke", "nope"}, {"adopt", "nope", "--from", "cli"}, {"log", "--seam", "nope"}}) {
    ProcessResult r = Seamctl(args);
    EXPECT_TRUE(IsCleanError(r, "`nope`")) << ::testing::PrintToString(args);
    EXPECT_TRUE(Contains(r.err, kSeam)) << "lists the configured seams: " << r.err;
  }
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

TEST_F(BadInputTest, CommandLineMistakesExitTwoWithOneLine) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const Snapshot before = TakeSnapshot(Root());
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"frobnicate"}, {"token", "issue"}, {"token"}, {"token", "mint", kSeam}, {"adopt", kSeam},
           {"check", "--jsn"}, {"--log-level", "loud", "check"}, {}}) {
    ProcessResult r = Seamctl(args);
    EXPECT_TRUE(IsCleanError(r, "")) << ::testing::PrintToString(args);
  }
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

}  // namespace
}  // namespace seam::e2e
