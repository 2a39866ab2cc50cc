// Every config error names the file, the line and the key.
#include <cstdlib>
#include <string>

#include "tests/core/config_fixture.h"

namespace seam::config_test {
namespace {

using ConfigErrorTest = ConfigTest;

TEST_F(ConfigErrorTest, MissingFileNamesItAndHowToChooseAnother) {
  Result<Config> r = LoadConfig(dir_ / "absent.toml", schema_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "cannot read config " + (dir_ / "absent.toml").string() +
                ": No such file or directory (pass -c FILE, or set SEAM_CONFIG)");
}

TEST_F(ConfigErrorTest, DirectoryIsNotAConfig) {
  Result<Config> r = LoadConfig(dir_.path(), schema_);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("cannot read config " + dir_.path().string()));
}

TEST_F(ConfigErrorTest, FileOverSixteenMebibytesIsRefused) {
  std::string huge = "# " + std::string(16 << 20, 'x') + "\n";
  EXPECT_THAT(LoadError(huge), HasSubstr("limit is 16 MiB"));
  Result<Config> parsed = ParseConfig(huge, "seam.toml", schema_);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), HasSubstr("limit is 16 MiB"));
}

// 10,000 seams take megabytes of TOML: a config of many seams (here 7,000, about 1.3 MB, over
// the old 1 MiB limit) loads whole.
TEST_F(ConfigErrorTest, AConfigOfThousandsOfSeamsLoads) {
  std::string text;
  for (int i = 0; i < 7000; ++i) {
    const std::string n = std::to_string(i);
    text += "[[seam]]\nname = \"s" + n + "\"\nkind = \"token\"\nentity = \"s" + n +
            "\"\n[seam.sides.cli]\nplugin = \"fake-file\"\npath = \"cli/s" + n +
            ".json\"\n[seam.sides.gateway]\nplugin = \"fake-file\"\npath = \"gw/s" + n + ".json\"\n";
  }
  ASSERT_GT(text.size(), std::size_t{1} << 20);
  Result<Config> loaded = Load(text);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->seams.size(), 7000U);
  EXPECT_EQ(loaded->seams.back().name, "s6999");
}

TEST_F(ConfigErrorTest, TomlSyntaxErrorNamesLineAndColumn) {
  const std::string m = LoadError("[store]\npath = \"x\"\nbad = = 1\n");
  EXPECT_THAT(m, HasSubstr(file().string() + ":3:7: invalid TOML: "));
}

TEST_F(ConfigErrorTest, UnknownTopLevelKeyIsAnError) {
  EXPECT_THAT(LoadError("verbose = true\n" + Seam("a", "e")),
              HasSubstr(At(1) + "unknown key `verbose`"));
}

TEST_F(ConfigErrorTest, StoreRejectsUnknownKeysWrongTypesAndEmptyPath) {
  EXPECT_THAT(LoadError("[store]\npath = \"x\"\nmode = 1\n"),
              HasSubstr(At(3) + "store: unknown key `mode`"));
  EXPECT_THAT(LoadError("[store]\npath = 3\n"),
              HasSubstr(At(2) + "store: key `path` must be a string"));
  EXPECT_THAT(LoadError("[store]\npath = \"\"\n"), HasSubstr(At(2) + "store: key `path` is empty"));
  EXPECT_THAT(LoadError("store = 1\n"), HasSubstr(At(1) + "key `store` must be a table"));
}

TEST_F(ConfigErrorTest, SeamMustBeAnArrayOfTables) {
  EXPECT_THAT(LoadError("[seam]\nname = \"a\"\n"),
              HasSubstr(At(1) + "key `seam` must be an array of tables"));
  EXPECT_THAT(LoadError("seam = [1]\n"), HasSubstr(At(1) + "each `seam` entry must be a table"));
}

TEST_F(ConfigErrorTest, UnknownSeamKeyNamesSeamLineAndKey) {
  EXPECT_EQ(LoadError(Seam("device-token", "e", "repiar = \"auto\"\n")),
            At(5) + "seam `device-token`: unknown key `repiar`");
}

TEST_F(ConfigErrorTest, RequiredSeamKeysAreNamedAtTheSeamHeader) {
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "name = \"a\"\n", "")),
              HasSubstr(At(1) + "seam: missing required key `name`"));
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "kind = \"token\"\n", "")),
              HasSubstr(At(1) + "seam `a`: missing required key `kind`"));
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "entity = \"e\"\n", "")),
              HasSubstr(At(1) + "seam `a`: missing required key `entity`"));
  EXPECT_THAT(LoadError("[[seam]]\nname = \"a\"\nkind = \"token\"\nentity = \"e\"\n"),
              HasSubstr(At(1) + "seam `a`: missing required key `sides`"));
}

TEST_F(ConfigErrorTest, WrongValueTypesNameTheKey) {
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "name = \"a\"", "name = 7")),
              HasSubstr(At(2) + "seam: key `name` must be a string"));
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "kind = \"token\"", "kind = true")),
              HasSubstr(At(3) + "seam `a`: key `kind` must be a string"));
  EXPECT_THAT(LoadError(Seam("a", "e", "authority = 1\n")),
              HasSubstr(At(5) + "seam `a`: key `authority` must be a string"));
  EXPECT_THAT(LoadError(Seam("a", "e", "order = \"cli\"\n")),
              HasSubstr(At(5) + "seam `a`: key `order` must be an array"));
  EXPECT_THAT(LoadError(Seam("a", "e", "order = [\"cli\", 2]\n")),
              HasSubstr(At(5) + "seam `a`: key `order` must be an array"));
}

TEST_F(ConfigErrorTest, NamesAndEntitiesMustUseTheNameAlphabet) {
  EXPECT_THAT(LoadError(Seam("Device", "e")), HasSubstr(At(2) + "seam: invalid name `Device`"));
  EXPECT_THAT(LoadError(Seam("a", "device 42")),
              HasSubstr(At(4) + "seam `a`: invalid entity `device 42`"));
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "[seam.sides.cli]", "[seam.sides._cli]")),
              HasSubstr(At(5) + "seam `a`: invalid side name `_cli`"));
}

TEST_F(ConfigErrorTest, UnknownKindListsKnownKinds) {
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "\"token\"", "\"cert\"")),
              HasSubstr(At(3) + "seam `a`: unknown kind `cert`; known kinds: token"));
}

TEST_F(ConfigErrorTest, DuplicateSeamNameNamesBothLines) {
  const std::string m = LoadError(Seam("a", "e1") + Seam("a", "e2"));
  EXPECT_THAT(m, HasSubstr(At(11) + "seam `a`: duplicate seam name"));
  EXPECT_THAT(m, HasSubstr("line 1"));
}

TEST_F(ConfigErrorTest, TwoSeamsOnOneStreamAreRefused) {
  EXPECT_THAT(
      LoadError(Seam("a", "e") + Seam("b", "e")),
      HasSubstr(At(11) + "seam `b`: stream `token/e` is already owned by seam `a` (line 1)"));
}

TEST_F(ConfigErrorTest, SeamNeedsAtLeastOneSide) {
  EXPECT_THAT(LoadError("[[seam]]\nname = \"a\"\nkind = \"token\"\nentity = \"e\"\n[seam.sides]\n"),
              HasSubstr(At(1) + "seam `a`: declares no sides; a seam needs at least one"));
}

TEST_F(ConfigErrorTest, SidesMustBeATableOfTables) {
  const std::string head = "[[seam]]\nname = \"a\"\nkind = \"token\"\nentity = \"e\"\n";
  EXPECT_THAT(LoadError(head + "sides = 3\n"),
              HasSubstr(At(5) + "seam `a`: key `sides` must be a table"));
  EXPECT_THAT(LoadError(head + "sides = { cli = 1 }\n"),
              HasSubstr(At(5) + "seam `a`: side `cli` must be a table"));
}

TEST_F(ConfigErrorTest, RepairMustBeAKnownPolicy) {
  EXPECT_THAT(LoadError(Seam("a", "e", "repair = \"sometimes\"\n")),
              HasSubstr(At(5) + "seam `a`: key `repair` must be \"auto\", \"manual\", \"notify\" or \"off\""));
}

// [[notify]] tables are checked whole at load (core/config_notify.cc): a misspelt target is a
// one-line error naming its line, never a silence at 3 a.m.
TEST_F(ConfigErrorTest, NotifyTablesAreCheckedWhole) {
  const std::string seam = Seam("a", "e");  // 10 lines
  EXPECT_THAT(LoadError(seam + "[[notify]]\nname = \"x\"\n"),
              HasSubstr(At(11) + "[[notify]] x: give exactly one of `command` (a list: program and arguments), `webhook` (a URL) or "
                                  "`alertmanager` (Alertmanager's URL)"));
  EXPECT_THAT(LoadError(seam + "[[notify]]\ncommand = [\"a\"]\nwebhook = \"http://h/\"\n"), HasSubstr("give exactly one of"));
  EXPECT_THAT(LoadError(seam + "[[notify]]\nwebhook = \"ftp://h/\"\n"),
              HasSubstr(At(12) + "[[notify]] notify-1: key `webhook` must be an http:// or https:// URL"));
  EXPECT_THAT(LoadError(seam + "[[notify]]\ncommand = \"pager.sh\"\n"),
              HasSubstr(At(12) + "[[notify]] notify-1: key `command` must be a list of non-empty strings"));
  EXPECT_THAT(LoadError(seam + "[[notify]]\ncommand = [\"p\"]\non = [\"drift_opend\"]\n"),
              HasSubstr(At(13) + "[[notify]] notify-1: unknown notification `drift_opend`"));
  EXPECT_THAT(LoadError(seam + "[[notify]]\ncommand = [\"p\"]\non = []\n"),
              HasSubstr("key `on` is empty: leave it out for every notification"));
  EXPECT_THAT(LoadError(seam + "[[notify]]\ncommand = [\"p\"]\nseams = [\"b\"]\n"),
              HasSubstr(At(13) + "[[notify]] notify-1: key `seams` names `b`, which is no [[seam]] of this config"));
  EXPECT_THAT(LoadError(seam + "[[notify]]\ncommand = [\"p\"]\nsecret_file = \"k\"\n"),
              HasSubstr("key `secret_file` is for a webhook"));
  EXPECT_THAT(LoadError(seam + "[[notify]]\nalertmanager = \"http://am:9093\"\non = [\"flapping\"]\n"),
              HasSubstr(At(13) + "[[notify]] notify-1: key `on` is not for an alertmanager target"));
  EXPECT_THAT(LoadError(seam + "[[notify]]\nwebhook = \"http://h/\"\nheader_from_env = [\"Authorization\"]\n"),
              HasSubstr(At(13) + "[[notify]] notify-1: key `header_from_env`: each entry is \"Header-Name: VARIABLE\", got `Authorization`"));
  EXPECT_THAT(LoadError(seam + "[[notify]]\ncommand = [\"p\"]\nheader_from_file = [\"A: f\"]\n"),
              HasSubstr("key `header_from_file` is for a webhook or an alertmanager"));
  EXPECT_THAT(LoadError(seam + "[[notify]]\ncommand = [\"p\"]\ntimeout = \"1h\"\n"),
              HasSubstr("key `timeout` must be a duration from 1s to 5m"));
  EXPECT_THAT(LoadError(seam + "[[notify]]\ncommand = [\"p\"]\nretries = 3\n"), HasSubstr(At(13) + "[[notify]] notify-1: unknown key `retries`"));
  EXPECT_THAT(LoadError(seam + "[[notify]]\ncommand = [\"p\"]\n[[notify]]\nname = \"notify-1\"\ncommand = [\"q\"]\n"),
              HasSubstr(At(13) + "[[notify]] notify-1: another [[notify]] table has this name"));
  EXPECT_THAT(LoadError("notify = 3\n" + seam), HasSubstr("key `notify` must be an array of tables ([[notify]])"));
}

TEST_F(ConfigErrorTest, NotifyTablesParse) {
  Result<Config> config = Load(Seam("a", "e") + "[[notify]]\nname = \"pager\"\non = [\"drift_opened\", \"unreadable\"]\n"
                               "seams = [\"a\"]\ncommand = [\"pager.sh\", \"--urgent\"]\ntimeout = \"10s\"\n"
                               "[[notify]]\nwebhook = \"https://hooks.example/seam\"\nsecret_file = \"hook.key\"\n"
                               "header_from_env = [\"Authorization: HOOK_TOKEN\"]\nheader_from_file = [\"X-Team: team.txt\"]\n"
                               "[[notify]]\nalertmanager = \"http://127.0.0.1:9093\"\nseams = [\"a\"]\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->notify.size(), 3u);
  const NotifyConfig& pager = config->notify[0];
  EXPECT_EQ(pager.name, "pager");
  EXPECT_EQ(pager.command, (std::vector<std::string>{"pager.sh", "--urgent"}));
  EXPECT_EQ(pager.timeout_ms, 10000);
  EXPECT_TRUE(pager.Wants("drift_opened", "a"));
  EXPECT_FALSE(pager.Wants("drift_closed", "a"));
  EXPECT_FALSE(pager.Wants("drift_opened", "b"));
  const NotifyConfig& hook = config->notify[1];
  EXPECT_EQ(hook.name, "notify-2");
  EXPECT_EQ(hook.on.size(), 6u) << "every kind by default";
  EXPECT_TRUE(hook.secret_file.is_absolute()) << "relative to the config's directory";
  EXPECT_EQ(hook.timeout_ms, 5000);
  ASSERT_EQ(hook.header_from_env.size(), 1u);
  EXPECT_EQ(hook.header_from_env[0], (std::pair<std::string, std::string>{"Authorization", "HOOK_TOKEN"}));
  ASSERT_EQ(hook.header_from_file.size(), 1u);
  EXPECT_EQ(hook.header_from_file[0].first, "X-Team");
  EXPECT_TRUE(hook.header_from_file[0].second.is_absolute());
  const NotifyConfig& am = config->notify[2];
  EXPECT_EQ(am.alertmanager, "http://127.0.0.1:9093");
  EXPECT_TRUE(am.Wants("drift_opened", "a"));
  EXPECT_TRUE(am.Wants("drift_closed", "a"));
  EXPECT_FALSE(am.Wants("unreadable", "a"));
}

TEST_F(ConfigErrorTest, AuthorityMustNameASide) {
  EXPECT_THAT(
      LoadError(Seam("a", "e", "authority = \"db\"\n")),
      HasSubstr(At(5) +
                "seam `a`: authority `db` names no side; use \"log\" or one of: cli, gateway"));
}

TEST_F(ConfigErrorTest, AuthoritySideMustStoreARecoverableValue) {
  const std::string text = Replace(Seam("a", "e", "authority = \"gateway\"\n"), "path = \"g.json\"",
                                   "path = \"g.json\"\ntransform = \"sha256-hex\"");
  EXPECT_EQ(LoadError(text),
            At(5) +
                "seam `a`: authority side `gateway` stores sha256-hex digests, from "
                "which the value cannot be recovered; choose a side with transform = "
                "\"plain\"");
}

TEST_F(ConfigErrorTest, OrderMustListEverySideExactlyOnce) {
  EXPECT_THAT(LoadError(Seam("a", "e", "order = [\"cli\", \"db\"]\n")),
              HasSubstr(At(5) + "seam `a`: `order` names `db`, which is not a side of this seam"));
  EXPECT_THAT(LoadError(Seam("a", "e", "order = [\"cli\", \"cli\", \"gateway\"]\n")),
              HasSubstr(At(5) + "seam `a`: `order` lists side `cli` twice"));
  EXPECT_THAT(LoadError(Seam("a", "e", "order = [\"cli\"]\n")),
              HasSubstr(At(5) + "seam `a`: `order` does not list side `gateway`"));
}

TEST_F(ConfigErrorTest, SidePluginIsRequiredAndMustBeRegistered) {
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "plugin = \"fake-file\"\n", "")),
              HasSubstr(At(5) + "seam `a` side `cli`: missing required key `plugin`"));
  EXPECT_THAT(
      LoadError(Replace(Seam("a", "e"), "\"fake-file\"", "\"json-fil\"")),
      HasSubstr(
          At(6) +
          "seam `a` side `cli`: unknown plugin `json-fil`; registered plugins: fake-file, other"));
}

TEST_F(ConfigErrorTest, UnknownTransformIsAnError) {
  EXPECT_THAT(
      LoadError(
          Replace(Seam("a", "e"), "path = \"c.json\"", "path = \"c.json\"\ntransform = \"md5\"")),
      HasSubstr(At(8) +
                "seam `a` side `cli`: key `transform` must be \"plain\" or \"sha256-hex\""));
}

TEST_F(ConfigErrorTest, UnsupportedOptionValueTypeNamesTheKey) {
  EXPECT_THAT(
      LoadError(Replace(Seam("a", "e"), "path = \"c.json\"", "path = \"c.json\"\ntimeout = 1.5")),
      HasSubstr(At(8) + "seam `a` side `cli`: unsupported value type for key `timeout`"));
  EXPECT_THAT(
      LoadError(Replace(Seam("a", "e"), "path = \"c.json\"", "path = \"c.json\"\nlist = [1, 2]")),
      HasSubstr(At(8) + "seam `a` side `cli`: unsupported value type for key `list`"));
}

TEST_F(ConfigErrorTest, PluginErrorsPassThroughWithTheirLine) {
  // Integers, booleans and string arrays reach the plugin, which does not know them.
  EXPECT_THAT(
      LoadError(Replace(Seam("a", "e"), "path = \"c.json\"", "path = \"c.json\"\nretries = 3")),
      HasSubstr(At(8) + "seam `a` side `cli`: unknown key `retries`"));
  EXPECT_THAT(
      LoadError(Replace(Seam("a", "e"), "path = \"c.json\"", "path = \"c.json\"\nhosts = [\"x\"]")),
      HasSubstr(At(8) + "seam `a` side `cli`: unknown key `hosts`"));
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "path = \"c.json\"\n", "")),
              HasSubstr(At(5) + "seam `a` side `cli`: missing required key `path`"));
}

TEST_F(ConfigErrorTest, KeysAPluginForgetsToTakeAreStillRejected) {
  registry_.Register("lax", [](SideOptions&) -> Result<std::unique_ptr<Side>> {
    return std::unique_ptr<Side>(std::make_unique<FakeSide>("x", ""));
  });
  EXPECT_THAT(LoadError(Replace(Seam("a", "e"), "\"fake-file\"", "\"lax\"")),
              HasSubstr(At(7) + "seam `a` side `cli`: unknown key `path`"));
}

// A plugin that takes a field map as json-file does, to drive `[seam.sides.NAME.fields]`
// through the real loader.
Result<std::unique_ptr<Side>> MakeFieldedSide(SideOptions& options) {
  SEAM_ASSIGN_OR_RETURN(std::vector<FieldPlace> places, options.TakeFieldMap("pointer"));
  SEAM_RETURN_IF_ERROR(options.RejectUnknown());
  std::string described;
  for (const FieldPlace& p : places) described += p.field + "=" + p.place + "@" + std::to_string(p.line) + " ";
  return std::unique_ptr<Side>(std::make_unique<FakeSide>("fielded", described));
}

std::string PairingSeam(const std::string& cli_fields) {
  return "[[seam]]\nname = \"p\"\nkind = \"pairing\"\nentity = \"e\"\n"  // lines 1-4
         "[seam.sides.cli]\nplugin = \"fielded\"\n"                         // 5-6
         "[seam.sides.cli.fields]\n" + cli_fields +                           // 7-
         "[seam.sides.gateway]\nplugin = \"fielded\"\npointer = \"/t\"\n";
}

TEST_F(ConfigErrorTest, FieldTablesReachThePluginWithTheirLines) {
  registry_.Register("fielded", MakeFieldedSide);
  Result<Config> config = Load(PairingSeam("device_id = \"/d\"\ntoken = \"/t\"\n"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const SideConfig& cli = config->seams[0].sides[0];
  // Kind order (token first), each with the line it was written on.
  EXPECT_EQ(cli.side->Describe(), "fake fielded#token=/t@9 device_id=/d@8 ");
}

TEST_F(ConfigErrorTest, FieldTableErrorsNameTheLineAndTheKindsFields) {
  registry_.Register("fielded", MakeFieldedSide);
  EXPECT_THAT(LoadError(PairingSeam("device_id = \"/d\"\ndevice = \"/x\"\n")),
              HasSubstr(At(9) + "seam `p` side `cli`: `fields.device`: kind `pairing` has no field "
                                "`device`; its fields: token, device_id, gateway_url, paired_at"));
  EXPECT_THAT(LoadError(PairingSeam("token = \"\"\n")),
              HasSubstr(At(8) + "seam `p` side `cli`: `fields.token` is empty"));
  EXPECT_THAT(LoadError(PairingSeam("token = 3\n")),
              HasSubstr(At(7) + "seam `p` side `cli`: unsupported value type for key `fields`"));
  EXPECT_THAT(LoadError(Replace(PairingSeam("token = \"/t\"\n"), "[seam.sides.cli.fields]",
                                "pointer = \"/tok\"\n[seam.sides.cli.fields]")),
              HasSubstr(At(7) + "seam `p` side `cli`: key `pointer` places field `token`, which "
                                "`fields` (line 8) places too; keep one"));
  // Neither the table nor the shorthand: the shorthand is what is missing.
  EXPECT_THAT(LoadError(Replace(PairingSeam(""), "[seam.sides.cli.fields]\n", "")),
              HasSubstr(At(5) + "seam `p` side `cli`: missing required key `pointer`"));
}

TEST_F(ConfigErrorTest, RenewBeforeIsForCertificatesAndMustBeADuration) {
  EXPECT_THAT(LoadError(Seam("a", "e", "renew_before = \"30d\"\n")),
              HasSubstr(At(5) + "seam `a`: key `renew_before` applies to certificate seams only"));
  const std::string cert = Replace(Seam("a", "e"), "kind = \"token\"", "kind = \"certificate\"");
  for (const char* bad : {"\"30\"", "\"d\"", "\"-3d\"", "\"3w\"", "\"0d\"", "\"99999d\"", "30"}) {
    EXPECT_THAT(LoadError(Replace(cert, "[seam.sides.cli]", std::string("renew_before = ") + bad +
                                                                "\n[seam.sides.cli]")),
                HasSubstr(At(5) + "seam `a`: key `renew_before` must be a duration"))
        << bad;
  }
  Result<Config> ok = Load(Replace(cert, "[seam.sides.cli]", "renew_before = \"12h\"\n[seam.sides.cli]"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->seams[0].renew_before_us, 12LL * 3600 * 1'000'000);
  Result<Config> by_default = Load(cert);
  ASSERT_TRUE(by_default.ok()) << by_default.status().ToString();
  EXPECT_EQ(by_default->seams[0].renew_before_us, 30LL * 86'400 * 1'000'000);
}

}  // namespace
}  // namespace seam::config_test
