// The config index (tools/common/config_for_seam.h) through the real seamctl: `init` writes it;
// `audit`, `drift`, `log` and `check` about one seam read only that seam's lines through it,
// write nothing, and answer exactly what a whole parse answers. A changed, broken, unsplittable
// config, or a hostile or lying index file, falls back to the whole parse and its own errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

const std::map<std::string, std::string> kDebug = {{"SEAM_LOG_LEVEL", "debug"}};

// A token seam `other-N` with two json-file sides of its own.
std::string OtherSeam(int n) {
  const std::string id = std::to_string(n);
  return "\n[[seam]]\nname = \"other-" + id + "\"\nkind = \"token\"\nentity = \"other-" + id +
         "\"\n\n[seam.sides.a]\nplugin = \"json-file\"\npath = \"other/a" + id +
         ".json\"\npointer = \"/token\"\n\n[seam.sides.b]\nplugin = \"json-file\"\npath = \"other/b" + id +
         ".json\"\npointer = \"/token\"\n";
}

// The demo's seam (lines 4-22, its blank last line included), three others, and [daemon] last.
std::string Fleet() {
  return StandardConfig() + OtherSeam(1) + OtherSeam(2) + OtherSeam(3) + "\n[daemon]\nlisten = \"127.0.0.1:9477\"\n";
}

fs::path IndexFile(const fs::path& root) { return root / ".seam/config-index.db"; }

bool ReadThroughIndex(const ProcessResult& r, const std::string& seam) {
  return r.err.find("seam `" + seam + "` from lines") != std::string::npos;
}

// `audit --json` without its `now` (the only field that differs between two runs).
nlohmann::json AuditOf(const ProcessResult& r) {
  nlohmann::json audit = nlohmann::json::parse(r.out, nullptr, false);
  if (audit.is_object()) audit.erase("now");
  return audit;
}

// `seamctl COMMAND SEAM` (`log --seam SEAM`).
std::vector<std::string> About(const std::string& command, const std::string& seam) {
  if (command == "log") return {"log", "--seam", seam};
  return {command, seam};
}

class ConfigIndexTest : public SeamctlTest {
 protected:
  void InitFleet(const std::string& config = Fleet()) {
    WriteConfig(config);
    WriteFreshSides();
    ProcessResult init = Seamctl({"init"}, {{"SEAM_LOG_LEVEL", "info"}});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    ProcessResult issue = Seamctl({"token", "issue", kSeam});
    ASSERT_EQ(issue.exit_code, 0) << issue.err;
    SetCliToken("edited-by-hand");  // a drift, so audit and drift have something to say
    ProcessResult repair = Seamctl({"repair", kSeam});
    ASSERT_EQ(repair.exit_code, 0) << repair.err;
  }
  // The four one-seam commands, each through the index or not as `indexed` says.
  std::vector<ProcessResult> OneSeamCommands(const std::string& seam, bool indexed) {
    std::vector<ProcessResult> out;
    for (const char* command : {"audit", "drift", "log", "check"}) {
      std::vector<std::string> args = About(command, seam);
      args.emplace_back("--json");
      ProcessResult r = Seamctl(args, kDebug);
      EXPECT_EQ(ReadThroughIndex(r, seam), indexed) << args.front() << ": " << r.err;
      out.push_back(std::move(r));
    }
    return out;
  }
  void ExpectSameAnswers(const std::vector<ProcessResult>& a, const std::vector<ProcessResult>& b) {
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(AuditOf(a[0]), AuditOf(b[0]));
    EXPECT_FALSE(AuditOf(a[0]).is_discarded());
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].exit_code, b[i].exit_code) << i;
      if (i > 0) {
        EXPECT_EQ(a[i].out, b[i].out) << i;
      }
    }
  }
};

TEST_F(ConfigIndexTest, InitWritesItAndOneSeamCommandsReadOnlyThatSeamAndWriteNothing) {
  ASSERT_NO_FATAL_FAILURE(InitFleet());
  ASSERT_TRUE(fs::is_regular_file(IndexFile(Root())));
  EXPECT_NE(transcript_.front().err.find("config index"), std::string::npos) << transcript_.front().err;

  const Snapshot before = TakeSnapshot(Root());
  const std::vector<ProcessResult> indexed = OneSeamCommands(kSeam, true);
  EXPECT_NE(indexed[0].err.find("seam `device-token` from lines 4-22"), std::string::npos) << indexed[0].err;
  EXPECT_EQ(indexed[1].exit_code, 0) << "the drift was repaired";
  EXPECT_NE(indexed[1].out.find("repaired"), std::string::npos) << indexed[1].out;
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "") << "one-seam commands write nothing, not even the index";

  ASSERT_TRUE(fs::remove(IndexFile(Root())));
  ExpectSameAnswers(indexed, OneSeamCommands(kSeam, false));
  EXPECT_FALSE(fs::exists(IndexFile(Root()))) << "only init and seamd write it";

  // A seam in the middle and the last one (its lines end the file) answer the same too.
  ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  for (const char* seam : {"other-2", "other-3"}) {
    SCOPED_TRACE(seam);
    const std::vector<ProcessResult> through = OneSeamCommands(seam, true);
    ASSERT_TRUE(fs::remove(IndexFile(Root())));
    ExpectSameAnswers(through, OneSeamCommands(seam, false));
    ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  }

  // Commands that write, or are about several seams, parse the whole config.
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"repair", kSeam}, {"check", kSeam, "other-1"}, {"token", "rotate", kSeam}}) {
    ProcessResult r = Seamctl(args, kDebug);
    EXPECT_EQ(r.exit_code, 0) << args.front() << ": " << r.err;
    EXPECT_FALSE(Contains(r.err, "from lines")) << args.front() << ": " << r.err;
  }
}

// The index is keyed by the text and by what checked it (seam's version, kinds, plugins): one
// another version wrote is a miss, never a vouching for a text this one did not check.
TEST_F(ConfigIndexTest, AnIndexForAnotherKeyIsAMiss) {
  ASSERT_NO_FATAL_FAILURE(InitFleet());
  ProcessResult tampered = RunSqlite(IndexFile(Root()), "UPDATE config_text SET text_key = 'written-by-another-seam'");
  ASSERT_EQ(tampered.exit_code, 0) << tampered.err;
  OneSeamCommands(kSeam, false);
  ProcessResult init = Seamctl({"init"}, {{"SEAM_LOG_LEVEL", "info"}});
  EXPECT_TRUE(Contains(init.err, "written for")) << init.err;
  OneSeamCommands(kSeam, true);
}

TEST_F(ConfigIndexTest, AChangedConfigIsParsedWholeUntilInitIndexesItAgain) {
  ASSERT_NO_FATAL_FAILURE(InitFleet());
  std::string config = Fleet();
  config.replace(config.find("name = \"other-2\""), 16, "name = \"other-two\"");
  WriteConfig(config);

  ProcessResult renamed = Seamctl(About("log", "other-two"), kDebug);
  EXPECT_EQ(renamed.exit_code, 0) << renamed.err;
  EXPECT_FALSE(ReadThroughIndex(renamed, "other-two"));
  EXPECT_TRUE(IsCleanError(Seamctl({"audit", "other-2"}), "no seam named `other-2`"));

  ProcessResult init = Seamctl({"init"}, {{"SEAM_LOG_LEVEL", "info"}});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_NE(init.err.find("config index"), std::string::npos) << init.err;
  EXPECT_TRUE(ReadThroughIndex(Seamctl(About("log", "other-two"), kDebug), "other-two"));
  ProcessResult again = Seamctl({"init"}, kDebug);
  EXPECT_NE(again.err.find("up to date"), std::string::npos) << again.err;
}

TEST_F(ConfigIndexTest, ABrokenSeamElsewhereStillFailsTheCommandWithItsLine) {
  ASSERT_NO_FATAL_FAILURE(InitFleet());
  std::string config = Fleet();
  config.replace(config.find("entity = \"other-3\""), 18, "entity = \"other-3\"\nrepiar = \"off\"");
  WriteConfig(config);
  const Snapshot before = TakeSnapshot(Root());
  for (const char* command : {"audit", "drift", "log", "check"}) {
    ProcessResult r = Seamctl(About(command, kSeam));
    EXPECT_TRUE(IsCleanError(r, "seam.toml:57: seam `other-3`: unknown key `repiar`")) << command << ": " << r.err;
  }
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

TEST_F(ConfigIndexTest, HostileOrLyingIndexFilesAreIgnored) {
  ASSERT_NO_FATAL_FAILURE(InitFleet());
  const std::vector<ProcessResult> good = OneSeamCommands(kSeam, true);

  struct Case {
    const char* what;
    std::string sql;  // run on the index, or "" to replace it with garbage
  };
  const std::vector<Case> cases = {
      {"garbage", ""},
      {"device-token's row points at other-1's lines",
       "UPDATE seam_lines SET first_line = (SELECT first_line FROM seam_lines WHERE name = 'other-1'), "
       "end_line = (SELECT end_line FROM seam_lines WHERE name = 'other-1') WHERE name = 'device-token'"},
      {"device-token's row points at half a seam", "UPDATE seam_lines SET end_line = 10 WHERE name = 'device-token'"},
      {"device-token's row is gone", "DELETE FROM seam_lines WHERE name = 'device-token'"},
      {"another application id", "PRAGMA application_id = 1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ASSERT_EQ(Seamctl({"init"}).exit_code, 0);  // a fresh, good index
    if (c.sql.empty()) {
      seam::testing::WriteFile(IndexFile(Root()), std::string(5000, '\x7f'));
    } else {
      ProcessResult tampered = RunSqlite(IndexFile(Root()), c.sql);
      ASSERT_EQ(tampered.exit_code, 0) << tampered.err;
    }
    const Snapshot before = TakeSnapshot(Root());
    ExpectSameAnswers(good, OneSeamCommands(kSeam, false));
    EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
  }
}

TEST_F(ConfigIndexTest, SeamsThatDoNotSitOnLinesOfTheirOwnAreNotIndexed) {
  // [daemon] between the seam's own keys and its sides: valid TOML, and the sides still belong
  // to the seam; the lexical split would cut them off, and its check sees that.
  std::string config = StandardConfig();
  config.replace(config.find("[seam.sides.cli]"), 16, "[daemon]\nlisten = \"127.0.0.1:9477\"\n\n[seam.sides.cli]");
  ASSERT_NO_FATAL_FAILURE(InitFleet(config + OtherSeam(1)));
  EXPECT_FALSE(fs::exists(IndexFile(Root())));
  ProcessResult init = Seamctl({"init"}, {{"SEAM_LOG_LEVEL", "info"}});
  EXPECT_NE(init.err.find("not written: in " + ConfigPath().string() +
                          ", the lines outside the seams do not parse to `hook_path`, [store], [daemon] and [agent] alone"),
            std::string::npos)
      << init.err;
  const std::vector<ProcessResult> whole = OneSeamCommands(kSeam, false);
  EXPECT_EQ(whole[1].exit_code, 0) << whole[1].err;
  EXPECT_EQ(whole[3].exit_code, 0) << whole[3].err;
}

// An index that cannot be written is a warning, never a failure of init: the commands still
// answer, through the whole parse.
TEST_F(ConfigIndexTest, AnIndexThatCannotBeWrittenIsOneWarning) {
  ASSERT_NO_FATAL_FAILURE(InitFleet());
  ASSERT_TRUE(fs::remove(IndexFile(Root())));
  fs::create_directory(IndexFile(Root()));
  std::string config = Fleet();
  config.replace(config.find("name = \"other-1\""), 16, "name = \"other-one\"");
  WriteConfig(config);
  ProcessResult init = Seamctl({"init"});
  EXPECT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(std::count(init.err.begin(), init.err.end(), '\n'), 1) << init.err;
  EXPECT_TRUE(Contains(init.err, "config index not written: config index " + IndexFile(Root()).string())) << init.err;
  EXPECT_TRUE(fs::is_directory(IndexFile(Root())));
  const std::vector<ProcessResult> whole = OneSeamCommands(kSeam, false);
  EXPECT_EQ(whole[1].exit_code, 0) << whole[1].err;
}

}  // namespace
}  // namespace seam::e2e
