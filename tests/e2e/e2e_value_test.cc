// The value kind end to end: a database password kept in an app's .env (env-file) and a worker's
// JSON config (json-file), set by --generate as [seam.format] says, from a file and from stdin;
// a .env restored from a backup is lagging and repaired; `--value` refused for a secret; a plain
// config value (secret = "false") shown as it is; unset removes it everywhere. The secret never
// appears in any output or in the log's file.
#include <gtest/gtest.h>

#include <regex>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

constexpr char kPassword[] = "db-password";
constexpr char kUrl[] = "api-url";

class ValueSeamTest : public SeamctlTest {
 protected:
  fs::path Env() const { return Root() / "app/.env"; }
  fs::path WorkerJson() const { return Root() / "worker/config.json"; }

  void SetUp() override {
    seam::testing::WriteFile(Env(), "# app\nDATABASE_PASSWORD=unset\nAPI_URL=https://old.example\n");
    seam::testing::WriteFile(WorkerJson(), "{\"db\": {\"password\": null}, \"api\": {\"url\": null}}\n");
    WriteConfig(R"([[seam]]
name = "db-password"
kind = "value"
entity = "app-db"
order = ["app", "worker"]
[seam.format]
length = 24
alphabet = "alnum"
[seam.sides.app]
plugin = "env-file"
path = "app/.env"
variable = "DATABASE_PASSWORD"
[seam.sides.worker]
plugin = "json-file"
path = "worker/config.json"
pointer = "/db/password"

[[seam]]
name = "api-url"
kind = "value"
entity = "api-url"
secret = "false"
[seam.sides.app]
plugin = "env-file"
path = "app/.env"
variable = "API_URL"
[seam.sides.worker]
plugin = "json-file"
path = "worker/config.json"
pointer = "/api/url"
)");
    ProcessResult init = Seamctl({"init"});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  }
  std::optional<std::string> WorkerPassword() const {
    nlohmann::json doc = nlohmann::json::parse(seam::testing::ReadFile(WorkerJson()), nullptr, false);
    const nlohmann::json& p = doc["db"]["password"];
    return p.is_string() ? std::optional<std::string>(p.get<std::string>()) : std::nullopt;
  }
  // Everything seamctl printed, and the log's file: none may hold `secret`.
  void ExpectNowhere(const std::string& secret) {
    for (const ProcessResult& r : transcript_) {
      EXPECT_FALSE(Contains(r.out + r.err, secret)) << "in the output of a command: " << r.out << r.err;
    }
    EXPECT_FALSE(Contains(seam::testing::ReadFile(DbFile()), secret)) << "in the log's file";
  }
};

TEST_F(ValueSeamTest, AGeneratedPasswordReachesBothFilesAndAStaleEnvIsRepaired) {
  ProcessResult set = Seamctl({"value", "set", kPassword, "--generate"});
  ASSERT_EQ(set.exit_code, 0) << set.out << set.err;
  EXPECT_TRUE(Contains(set.out, "db-password: set recorded as rev 1 (log version 1) fp:")) << set.out;
  const std::optional<std::string> first = WorkerPassword();
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(std::regex_match(*first, std::regex("[A-Za-z0-9]{24}"))) << "[seam.format]: 24 alnum characters";
  EXPECT_EQ(seam::testing::ReadFile(Env()),
            "# app\nDATABASE_PASSWORD=" + *first + "\nAPI_URL=https://old.example\n");
  const std::string backup = seam::testing::ReadFile(Env());

  // Rotated from a file (an editor's final newline is not part of it), then the .env restored
  // from the backup: lagging, named by version, and repaired.
  seam::testing::WriteFile(Root() / "new-password", "Second-Pa55word-from-a-file\n");
  ProcessResult from_file = Seamctl({"value", "set", kPassword, "--from-file", "new-password"});
  ASSERT_EQ(from_file.exit_code, 0) << from_file.out << from_file.err;
  EXPECT_EQ(WorkerPassword(), "Second-Pa55word-from-a-file");
  seam::testing::WriteFile(Env(), backup);
  ProcessResult check = Seamctl({"check", kPassword, "--json"});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  const nlohmann::json report = nlohmann::json::parse(check.out, nullptr, false);
  const nlohmann::json app = SideOf(report, "app");
  EXPECT_EQ(app["verdict"], "lagging") << report.dump(2);
  ProcessResult repair = Seamctl({"repair", kPassword});
  ASSERT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(seam::testing::ReadFile(Env()),
            "# app\nDATABASE_PASSWORD=Second-Pa55word-from-a-file\nAPI_URL=https://old.example\n");

  // From stdin.
  ProcessOptions options;
  options.cwd = Root();
  options.unset_env = {"SEAM_CONFIG", "SEAM_LOG_LEVEL", "SEAM_STORE_URL"};
  ProcessResult piped = RunProcess({"/bin/sh", "-c",
                                    "printf 'Third-Pa55word-on-stdin\\n' | " + std::string(SEAMCTL_PATH) + " -c " +
                                        ConfigPath().string() + " value set db-password --stdin"},
                                   options);
  transcript_.push_back(piped);
  ASSERT_EQ(piped.exit_code, 0) << piped.out << piped.err;
  EXPECT_EQ(WorkerPassword(), "Third-Pa55word-on-stdin");
  EXPECT_EQ(Seamctl({"check", kPassword}).exit_code, 0);

  ProcessResult log = Seamctl({"log", "--seam", kPassword});
  ASSERT_EQ(log.exit_code, 0);
  EXPECT_TRUE(Contains(log.out, "ValueSet")) << log.out;
  for (const std::string& secret : {*first, std::string("Second-Pa55word-from-a-file"), std::string("Third-Pa55word-on-stdin")}) {
    ExpectNowhere(secret);
  }
}

TEST_F(ValueSeamTest, ASecretIsNeverTakenFromTheCommandLineAndBadInputRecordsNothing) {
  const std::size_t before = LogEvents().size();
  ProcessResult on_cli = Seamctl({"value", "set", kPassword, "--value", "visible-in-ps"});
  EXPECT_TRUE(IsCleanError(on_cli, "keeps a secret value: --value would show it to every user through `ps`"));
  ProcessResult two = Seamctl({"value", "set", kPassword, "--generate", "--stdin"});
  EXPECT_TRUE(IsCleanError(two, "give exactly one of --value, --from-file, --stdin and --generate"));
  ProcessResult fifo = Seamctl({"value", "set", kPassword, "--from-file", "/dev/zero"});
  EXPECT_TRUE(IsCleanError(fifo, "--from-file /dev/zero is not a regular file"));
  seam::testing::WriteFile(Root() / "huge", std::string(70 * 1024, 'x'));
  EXPECT_TRUE(IsCleanError(Seamctl({"value", "set", kPassword, "--from-file", "huge"}), "holds more than 64 KiB"));
  seam::testing::WriteFile(Root() / "empty", "\n");
  EXPECT_TRUE(IsCleanError(Seamctl({"value", "set", kPassword, "--from-file", "empty"}), "the value is empty"));
  EXPECT_TRUE(IsCleanError(Seamctl({"value", "set", kUrl, "--value", "two\nlines"}), "holds a control character"));
  EXPECT_TRUE(IsCleanError(Seamctl({"token", "issue", kPassword}), "is a value seam"));
  EXPECT_EQ(LogEvents().size(), before) << "nothing recorded";
  EXPECT_EQ(WorkerPassword(), std::nullopt);
  ExpectNowhere("visible-in-ps");
}

TEST_F(ValueSeamTest, APlainValueIsShownAsItIsAndUnsetRemovesItEverywhere) {
  ProcessResult set = Seamctl({"value", "set", kUrl, "--value", "https://api.example/v2"});
  ASSERT_EQ(set.exit_code, 0) << set.out << set.err;
  EXPECT_TRUE(Contains(set.out, "api-url: set recorded as rev 1 (log version 1) \"https://api.example/v2\"")) << set.out;
  EXPECT_EQ(seam::testing::ReadFile(Env()),
            "# app\nDATABASE_PASSWORD=unset\nAPI_URL=https://api.example/v2\n");
  // The same value again records nothing.
  ProcessResult again = Seamctl({"value", "set", kUrl, "--value", "https://api.example/v2"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_TRUE(Contains(again.out, "the log already intends this value (rev 1); nothing recorded")) << again.out;

  // A hand edit of the worker's copy: check names both values as they are.
  seam::testing::WriteFile(WorkerJson(), "{\"db\": {\"password\": null}, \"api\": {\"url\": \"https://staging.example\"}}\n");
  ProcessResult check = Seamctl({"check", kUrl});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_TRUE(Contains(check.out, "\"https://staging.example\"")) << check.out;
  ProcessResult log = Seamctl({"log", "--seam", kUrl, "--json"});
  EXPECT_TRUE(Contains(log.out, "\"value\":\"https://api.example/v2\"")) << log.out;
  ASSERT_EQ(Seamctl({"repair", kUrl}).exit_code, 0);

  ProcessResult unset = Seamctl({"value", "unset", kUrl});
  ASSERT_EQ(unset.exit_code, 0) << unset.out << unset.err;
  EXPECT_EQ(seam::testing::ReadFile(Env()), "# app\nDATABASE_PASSWORD=unset\n");
  EXPECT_EQ(seam::testing::ReadFile(WorkerJson()), "{\"db\": {\"password\": null}, \"api\": {}}\n")
      << "the one-line JSON file stays one line";
}

TEST_F(ValueSeamTest, TheSeamKeysAreCheckedWhereTheyAreWritten) {
  WriteConfig(R"([[seam]]
name = "t"
kind = "token"
entity = "t"
secret = "false"
[seam.sides.a]
plugin = "env-file"
path = "a.env"
variable = "T"
)");
  EXPECT_TRUE(IsCleanError(Seamctl({"check"}), "seam.toml:5: seam `t`: key `secret` applies to value seams only"));
  WriteConfig(R"([[seam]]
name = "v"
kind = "value"
entity = "v"
[seam.format]
alphabet = "emoji"
[seam.sides.a]
plugin = "env-file"
path = "a.env"
variable = "V"
)");
  EXPECT_TRUE(IsCleanError(Seamctl({"check"}), "seam.toml:6: seam `v`: key `format.alphabet` must be"));
}

// A Cargo-style TOML file and a .env: the set changes the value's bytes in each, nothing else.
TEST_F(ValueSeamTest, ATomlFileAndAnEnvFileKeepEveryOtherByte) {
  const std::string toml_head = "# worker settings\n[database]\nhost = \"db.internal\"  # primary\npassword = '";
  const std::string toml_tail = "'   # rotated by seam\n\n[[queues]]\nname = \"jobs\"\n";
  seam::testing::WriteFile(Root() / "worker/worker.toml", toml_head + "old-password" + toml_tail);
  WriteConfig(R"([[seam]]
name = "db-password"
kind = "value"
entity = "app-db"
[seam.format]
length = 32
alphabet = "hex"
[seam.sides.app]
plugin = "env-file"
path = "app/.env"
variable = "DATABASE_PASSWORD"
[seam.sides.worker]
plugin = "toml-file"
path = "worker/worker.toml"
pointer = "/database/password"
)");
  ASSERT_EQ(Seamctl({"value", "set", kPassword, "--generate"}).exit_code, 0);
  const std::string env = seam::testing::ReadFile(Env());
  const std::size_t at = env.find("DATABASE_PASSWORD=");
  ASSERT_NE(at, std::string::npos);
  const std::string value = env.substr(at + 18, 32);
  EXPECT_TRUE(std::regex_match(value, std::regex("[0-9a-f]{32}"))) << value;
  EXPECT_EQ(env, "# app\nDATABASE_PASSWORD=" + value + "\nAPI_URL=https://old.example\n");
  EXPECT_EQ(seam::testing::ReadFile(Root() / "worker/worker.toml"), toml_head + value + toml_tail);
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
  ExpectNowhere(value);
}

// A docker-compose.yml (yaml-file) beside the .env: a generated password reaches both, only the
// value's bytes change, a compose file restored from a backup is lagging and repaired byte for
// byte, and a malformed one is unreadable at file:line:column with nothing written.
TEST_F(ValueSeamTest, AComposeFileAndAnEnvFileAgreeAndOnlyTheValuesBytesChange) {
  const std::string head = "# compose: the db password is kept by seam\nservices:\n  db:\n    image: postgres:16\n"
                           "    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: \"";
  const std::string tail = "\"   # rotated\n    volumes:\n      - data:/var/lib/postgresql/data\nvolumes:\n  data: {}\n";
  const fs::path compose = Root() / "db/docker-compose.yml";
  seam::testing::WriteFile(compose, head + "old-password" + tail);
  WriteConfig(R"([[seam]]
name = "db-password"
kind = "value"
entity = "app-db"
[seam.format]
length = 32
alphabet = "alnum"
[seam.sides.app]
plugin = "env-file"
path = "app/.env"
variable = "DATABASE_PASSWORD"
[seam.sides.db]
plugin = "yaml-file"
path = "db/docker-compose.yml"
pointer = "/services/db/environment/POSTGRES_PASSWORD"
)");
  ProcessResult set = Seamctl({"value", "set", kPassword, "--generate"});
  ASSERT_EQ(set.exit_code, 0) << set.out << set.err;
  const std::string env = seam::testing::ReadFile(Env());
  const std::size_t at = env.find("DATABASE_PASSWORD=");
  ASSERT_NE(at, std::string::npos);
  const std::string first = env.substr(at + 18, 32);
  EXPECT_TRUE(std::regex_match(first, std::regex("[A-Za-z0-9]{32}"))) << first;
  EXPECT_EQ(seam::testing::ReadFile(compose), head + first + tail);
  const std::string backup = seam::testing::ReadFile(compose);

  ASSERT_EQ(Seamctl({"value", "set", kPassword, "--generate"}).exit_code, 0);
  const std::string second = seam::testing::ReadFile(Env()).substr(at + 18, 32);
  ASSERT_NE(second, first);
  seam::testing::WriteFile(compose, backup);
  ProcessResult check = Seamctl({"check", kPassword, "--json"});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_EQ(SideOf(nlohmann::json::parse(check.out, nullptr, false), "db")["verdict"], "lagging") << check.out;
  ASSERT_EQ(Seamctl({"repair", kPassword}).exit_code, 0);
  EXPECT_EQ(seam::testing::ReadFile(compose), head + second + tail);
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);

  const std::string broken = head + second + tail + "- not: a key\n";
  seam::testing::WriteFile(compose, broken);
  const std::string env_before = seam::testing::ReadFile(Env());
  ProcessResult bad = Seamctl({"check"});
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
  EXPECT_TRUE(Contains(bad.out + bad.err, compose.string() + ":")) << bad.out << bad.err;
  EXPECT_EQ(Seamctl({"repair", kPassword}).exit_code, 2);
  EXPECT_EQ(seam::testing::ReadFile(compose), broken);
  EXPECT_EQ(seam::testing::ReadFile(Env()), env_before);
  ExpectNowhere(first);
  ExpectNowhere(second);
}

// A seam of one side: the agreement between the log and that file.
TEST_F(ValueSeamTest, OneSideIsASeamToo) {
  WriteConfig(R"([[seam]]
name = "solo"
kind = "value"
entity = "solo"
secret = "false"
[seam.sides.app]
plugin = "env-file"
path = "app/.env"
variable = "API_URL"
)");
  ASSERT_EQ(Seamctl({"value", "set", "solo", "--value", "https://solo.example"}).exit_code, 0);
  EXPECT_EQ(seam::testing::ReadFile(Env()), "# app\nDATABASE_PASSWORD=unset\nAPI_URL=https://solo.example\n");
  seam::testing::WriteFile(Env(), "# app\nDATABASE_PASSWORD=unset\nAPI_URL=https://edited.example\n");
  EXPECT_EQ(Seamctl({"check"}).exit_code, 1);
  ASSERT_EQ(Seamctl({"repair"}).exit_code, 0);
  EXPECT_EQ(seam::testing::ReadFile(Env()), "# app\nDATABASE_PASSWORD=unset\nAPI_URL=https://solo.example\n");
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

}  // namespace
}  // namespace seam::e2e
