// Loading valid configs: what lands in the structs.
#include <chrono>
#include <cstdlib>
#include <string>

#include "tests/core/config_fixture.h"

namespace seam::config_test {
namespace {

TEST_F(ConfigTest, FullFileLoadsIntoStructsWithPathsRelativeToTheFile) {
  Result<Config> config = Load(R"([store]
path = "state/events.db"

[[seam]]
name = "device-token"
kind = "token"
entity = "device-42"
repair = "manual"
authority = "cli"
order = ["gateway", "cli"]
[seam.sides.cli]
plugin = "fake-file"
path = "cli/paired.json"
pointer = "/token"
[seam.sides.gateway]
plugin = "other"
path = "/abs/gateway/state.json"
pointer = "/devices/device-42/token"
transform = "sha256-hex"
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->file, file());
  EXPECT_EQ(config->store.db_path, dir_.path() / "state/events.db");
  EXPECT_EQ(config->store.state_dir, dir_.path() / "state");
  EXPECT_EQ(config->store.key_path, dir_.path() / "state/key");
  ASSERT_EQ(config->seams.size(), 1u);
  const SeamConfig& seam = config->seams[0];
  EXPECT_EQ(seam.name, "device-token");
  EXPECT_EQ(seam.kind, "token");
  EXPECT_EQ(seam.entity, "device-42");
  EXPECT_EQ(seam.stream(), "token/device-42");
  EXPECT_EQ(seam.repair, RepairPolicy::kManual);
  EXPECT_EQ(seam.authority_side, "cli");
  EXPECT_EQ(seam.line, 4);
  ASSERT_EQ(seam.sides.size(), 2u);
  EXPECT_EQ(seam.sides[0].name, "gateway");
  EXPECT_EQ(seam.sides[0].plugin, "other");
  EXPECT_EQ(seam.sides[0].transform, Transform::kSha256Hex);
  EXPECT_EQ(seam.sides[0].line, 15);
  EXPECT_EQ(seam.sides[1].name, "cli");
  EXPECT_EQ(seam.sides[1].transform, Transform::kPlain);
  EXPECT_EQ(seam.sides[1].line, 11);
  auto* cli = dynamic_cast<FakeSide*>(seam.sides[1].side.get());
  ASSERT_NE(cli, nullptr);
  EXPECT_EQ(cli->path(), dir_.path() / "cli/paired.json");
  EXPECT_EQ(cli->Describe(), "fake " + (dir_.path() / "cli/paired.json").string() + "#/token");
  auto* gateway = dynamic_cast<FakeSide*>(seam.sides[0].side.get());
  ASSERT_NE(gateway, nullptr);
  EXPECT_EQ(gateway->path(), "/abs/gateway/state.json");
  EXPECT_EQ(config->FindSeam("device-token"), &seam);
  EXPECT_EQ(config->FindSeam("nope"), nullptr);
  EXPECT_EQ(seam.FindSide("gateway"), &seam.sides[0]);
  EXPECT_EQ(seam.FindSide("nope"), nullptr);
}

TEST_F(ConfigTest, DefaultsAreRepairAutoAuthorityLogStoreBesideTheFile) {
  Result<Config> config = Load(Seam("a", "e"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->store.db_path, dir_.path() / ".seam/events.db");
  EXPECT_EQ(config->store.key_path, dir_.path() / ".seam/key");
  EXPECT_EQ(config->store.state_dir, dir_.path() / ".seam");
  EXPECT_EQ(config->seams[0].repair, RepairPolicy::kAuto);
  EXPECT_FALSE(config->seams[0].authority_side.has_value());
}

TEST_F(ConfigTest, DefaultOrderIsDeclarationOrderNotAlphabetical) {
  Result<Config> config = Load(R"([[seam]]
name = "s"
kind = "token"
entity = "e"
[seam.sides.zulu]
plugin = "fake-file"
path = "z"
[seam.sides.alpha]
plugin = "fake-file"
path = "a"
[seam.sides.mike]
plugin = "fake-file"
path = "m"
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const auto& sides = config->seams[0].sides;
  ASSERT_EQ(sides.size(), 3u);
  EXPECT_EQ(sides[0].name, "zulu");
  EXPECT_EQ(sides[1].name, "alpha");
  EXPECT_EQ(sides[2].name, "mike");
}

TEST_F(ConfigTest, InlineSideTablesKeepDeclarationOrder) {
  Result<Config> config = Load(
      "[[seam]]\nname = \"s\"\nkind = \"token\"\nentity = \"e\"\n"
      "sides = { zz = { plugin = \"fake-file\", path = \"z\" }, aa = { plugin = \"fake-file\", "
      "path = \"a\" } }\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->seams[0].sides[0].name, "zz");
  EXPECT_EQ(config->seams[0].sides[1].name, "aa");
}

TEST_F(ConfigTest, SeamsKeepFileOrderAndRepairPolicyNames) {
  Result<Config> config =
      Load(Seam("b", "e1", "repair = \"off\"\n") + Seam("a", "e2", "authority = \"log\"\n") +
           Seam("c", "e3", "repair = \"notify\"\n"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->seams.size(), 3u);
  EXPECT_EQ(config->seams[2].repair, RepairPolicy::kNotify);
  EXPECT_STREQ(RepairPolicyName(RepairPolicy::kNotify), "notify");
  EXPECT_EQ(config->seams[0].name, "b");
  EXPECT_EQ(config->seams[0].repair, RepairPolicy::kOff);
  EXPECT_STREQ(RepairPolicyName(config->seams[0].repair), "off");
  EXPECT_STREQ(RepairPolicyName(RepairPolicy::kAuto), "auto");
  EXPECT_STREQ(RepairPolicyName(RepairPolicy::kManual), "manual");
  EXPECT_EQ(config->seams[1].name, "a");
  EXPECT_FALSE(config->seams[1].authority_side.has_value());
}

TEST_F(ConfigTest, EmptyFileHasNoSeamsAndTheDefaultStore) {
  Result<Config> config = Load("");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->seams.empty());
  EXPECT_EQ(config->store.db_path, dir_.path() / ".seam/events.db");
}

TEST_F(ConfigTest, ParseConfigResolvesAgainstTheGivenFileWithoutReadingIt) {
  Result<Config> config = ParseConfig(Seam("a", "e"), "/nonexistent/dir/seam.toml", schema_);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->store.db_path, "/nonexistent/dir/.seam/events.db");
}

TEST_F(ConfigTest, RelativeConfigPathGivesRelativeStorePaths) {
  Result<Config> config = ParseConfig("[store]\npath = \"events.db\"\n", "seam.toml", schema_);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->store.db_path, "events.db");
  EXPECT_EQ(config->store.state_dir, ".");
  EXPECT_EQ(config->store.key_path, "key");
}

TEST(ResolveConfigPathTest, FlagThenEnvironmentThenDefault) {
  ::unsetenv("SEAM_CONFIG");
  EXPECT_EQ(ResolveConfigPath(""), "seam.toml");
  ::setenv("SEAM_CONFIG", "/etc/seam/seam.toml", 1);
  EXPECT_EQ(ResolveConfigPath(""), "/etc/seam/seam.toml");
  EXPECT_EQ(ResolveConfigPath("mine.toml"), "mine.toml");
  ::setenv("SEAM_CONFIG", "", 1);
  EXPECT_EQ(ResolveConfigPath(""), "seam.toml");
  ::unsetenv("SEAM_CONFIG");
}

TEST(IsValidNameTest, LowerCaseLettersDigitsDotUnderscoreDash) {
  EXPECT_TRUE(IsValidName("device-42"));
  EXPECT_TRUE(IsValidName("0.a_b-c"));
  EXPECT_TRUE(IsValidName(std::string(128, 'a')));
  EXPECT_FALSE(IsValidName(std::string(129, 'a')));
  EXPECT_FALSE(IsValidName(""));
  EXPECT_FALSE(IsValidName("-a"));
  EXPECT_FALSE(IsValidName(".a"));
  EXPECT_FALSE(IsValidName("Device"));
  EXPECT_FALSE(IsValidName("a b"));
  EXPECT_FALSE(IsValidName("a/b"));
}

}  // namespace
}  // namespace seam::config_test

namespace seam::config_test {
namespace {

TEST_F(ConfigTest, OnRepairIsTakenForEveryPluginAsAnArgvList) {
  Result<Config> r = Load(Replace(Seam("a", "e"), "path = \"g.json\"\n",
                                  "path = \"g.json\"\non_repair = [\"systemctl\", \"reload\", \"gw\"]\n"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const SideConfig* gateway = r->seams[0].FindSide("gateway");
  ASSERT_NE(gateway, nullptr);
  EXPECT_EQ(gateway->on_repair, (std::vector<std::string>{"systemctl", "reload", "gw"}));
  EXPECT_TRUE(r->seams[0].FindSide("cli")->on_repair.empty());
}

TEST_F(ConfigTest, OnRepairMustBeANonEmptyListNamingItsLine) {
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "path = \"g.json\"\n", "path = \"g.json\"\non_repair = []\n")),
              HasSubstr(At(11) + "seam `a` side `gateway`: key `on_repair` must name a program"));
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "path = \"g.json\"\n", "path = \"g.json\"\non_repair = \"reload\"\n")),
              HasSubstr(At(11) + "seam `a` side `gateway`: key `on_repair` must be a list of strings"));
}

// Servers live in /usr/sbin on Debian: the PATH of hooks and exec programs lists the sbin
// directories by default, and `hook_path` replaces it.
TEST_F(ConfigTest, HookPathDefaultsToOneWithTheSbinDirectoriesAndCanBeSet) {
  Result<Config> r = Load(Seam("a", "e"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->hook_path, "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  r = Load("hook_path = \"/opt/nginx/sbin:/usr/bin\"\n" + Seam("a", "e"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->hook_path, "/opt/nginx/sbin:/usr/bin");
}

TEST_F(ConfigTest, HookPathTakesAbsoluteDirectoriesOnly) {
  EXPECT_THAT(LoadError("hook_path = \"bin:/usr/bin\"\n" + Seam("a", "e")),
              HasSubstr(At(1) + "key `hook_path`: `bin` is not an absolute directory"));
  EXPECT_THAT(LoadError("hook_path = \"/usr/bin::/bin\"\n" + Seam("a", "e")),
              HasSubstr(At(1) + "key `hook_path`: an empty entry is not an absolute directory"));
  EXPECT_THAT(LoadError("hook_path = \"\"\n" + Seam("a", "e")), HasSubstr(At(1) + "key `hook_path` is empty"));
  EXPECT_THAT(LoadError("hook_path = [\"/usr/bin\"]\n" + Seam("a", "e")),
              HasSubstr(At(1) + "key `hook_path` must be a string of directories separated by `:`"));
  EXPECT_THAT(LoadError("hook_path = \"/usr/bin\\n\"\n" + Seam("a", "e")),
              HasSubstr(At(1) + "key `hook_path` holds a control character"));
}

TEST_F(ConfigTest, SettleMsIsTakenWithOnRepairOnly) {
  const std::string hook = "path = \"g.json\"\non_repair = [\"reload\"]\n";
  Result<Config> r = Load(Replace(Seam("a", "e"), "path = \"g.json\"\n", hook));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->seams[0].FindSide("gateway")->settle, std::chrono::milliseconds(5000));
  r = Load(Replace(Seam("a", "e"), "path = \"g.json\"\n", hook + "settle_ms = 250\n"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->seams[0].FindSide("gateway")->settle, std::chrono::milliseconds(250));
  r = Load(Replace(Seam("a", "e"), "path = \"g.json\"\n", hook + "settle_ms = \"0\"\n"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->seams[0].FindSide("gateway")->settle, std::chrono::milliseconds(0));

  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "path = \"g.json\"\n", hook + "settle_ms = -1\n")),
              HasSubstr(At(12) + "seam `a` side `gateway`: key `settle_ms` must be a whole number of milliseconds"));
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "path = \"g.json\"\n", hook + "settle_ms = 600001\n")),
              HasSubstr(At(12) + "seam `a` side `gateway`: key `settle_ms` must be a whole number"));
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "path = \"g.json\"\n", hook + "settle_ms = \"5s\"\n")),
              HasSubstr(At(12) + "seam `a` side `gateway`: key `settle_ms` must be a whole number"));
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "path = \"g.json\"\n", "path = \"g.json\"\nsettle_ms = 100\n")),
              HasSubstr(At(11) + "seam `a` side `gateway`: key `settle_ms` is how long to wait after on_repair, "
                                 "and this side has no on_repair"));
}

TEST_F(ConfigTest, MayRevokeIsAFlagOfEverySide) {
  Result<Config> r = Load(Seam("a", "e"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->seams[0].FindSide("gateway")->may_revoke);
  for (const std::string given : {"\"true\"", "true"}) {
    r = Load(Replace(Seam("a", "e"), "path = \"g.json\"\n", "path = \"g.json\"\nmay_revoke = " + given + "\n"));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->seams[0].FindSide("gateway")->may_revoke) << given;
    EXPECT_FALSE(r->seams[0].FindSide("cli")->may_revoke);
  }
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "path = \"g.json\"\n", "path = \"g.json\"\nmay_revoke = \"yes\"\n")),
              HasSubstr(At(11) + "seam `a` side `gateway`: key `may_revoke` must be \"true\" or \"false\""));
}

}  // namespace
}  // namespace seam::config_test
