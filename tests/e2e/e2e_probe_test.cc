// A database password seam whose third side is the database itself (issue 17's must-show): a
// real PostgreSQL whose role `app` logs in by scram-sha-256, an exec-probe side that asks it
// "does this password log in?" through psql and sets it with ALTER ROLE, an app's .env and a
// worker's YAML config. The log adopts the password already in use; `value set --generate`
// reaches all three and the role logs in with it; a .env restored from a backup is lagging and
// repaired; a password changed behind seam's back is foreign, repaired, and kept sealed; a role
// restored to an old password is lagging by the probe alone; a server that is down is unreadable
// and nothing is written. No password appears in any output or in the log's file.
#include <gtest/gtest.h>

#include <regex>

#include "tests/e2e/e2e_fixture.h"
#include "tests/support/throwaway_postgres.h"

namespace seam::e2e {
namespace {

constexpr char kSeamName[] = "db-password";
constexpr char kInitial[] = "Initial-Pa55word-in-use";
constexpr char kBehind[] = "Changed-behind-seams-back";

class ProbeSeamTest : public SeamctlTest {
 protected:
  fs::path Env() const { return Root() / "app/.env"; }
  fs::path Yaml() const { return Root() / "worker/config.yaml"; }

  void SetUp() override {
    server_.RequirePasswordFor("app");
    ASSERT_EQ(server_.Start(), "");
    ASSERT_EQ(server_.Psql(std::string("CREATE ROLE app LOGIN PASSWORD '") + kInitial + "'"), "");
    const std::string socket_dir = server_.dir().string();
    // The probe: a login as `app` with the candidate; "password authentication failed" is a no,
    // anything else (the server down) neither yes nor no.
    WriteScript("probe.sh",
        "PGPASSWORD=$(cat); export PGPASSWORD\n"
        "out=$(psql -X -w -h '" + socket_dir + "' -p 5432 -U app -d postgres -Atc 'select 1' 2>&1) && exit 0\n"
        "case \"$out\" in *'password authentication failed'*) exit 1;; esac\n"
        "echo \"$out\" >&2; exit 3\n");
    // The write: ALTER ROLE as the superuser, the value's quotes doubled, never on a command line.
    WriteScript("write.sh",
        "v=$(cat | sed \"s/'/''/g\")\n"
        "printf \"ALTER ROLE app PASSWORD '%s';\\n\" \"$v\" | psql -X -q -v ON_ERROR_STOP=1 -h '" + socket_dir +
            "' -p 5432 -U seam_admin -d postgres\n");
    seam::testing::WriteFile(Env(), std::string("# app\nDATABASE_PASSWORD=") + kInitial + "\nPORT=8080\n");
    seam::testing::WriteFile(Yaml(), std::string("# worker\ndatabase:\n  host: localhost   # the socket\n  password: ") +
                                         kInitial + "\n  pool: 5\n");
    WriteConfig(R"([[seam]]
name = "db-password"
kind = "value"
entity = "app-db"
order = ["db", "app", "worker"]
[seam.format]
length = 32
alphabet = "alnum"
[seam.sides.db]
plugin = "exec-probe"
probe = ["./probe.sh"]
write = ["./write.sh"]
[seam.sides.app]
plugin = "env-file"
path = "app/.env"
variable = "DATABASE_PASSWORD"
[seam.sides.worker]
plugin = "yaml-file"
path = "worker/config.yaml"
pointer = "/database/password"
)");
    ProcessResult init = Seamctl({"init"});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  }

  void WriteScript(const std::string& name, const std::string& body) const {
    seam::testing::WriteFile(Root() / name, "#!/bin/sh\n" + body);
    fs::permissions(Root() / name, fs::perms::owner_all);
  }
  // Whether `password` logs in as `app`, asked by the test itself (not through seam).
  bool LogsIn(const std::string& password) {
    ProcessOptions options;
    options.env = {{"PGPASSWORD", password}};
    ProcessResult r = RunProcess({"psql", "-X", "-w", "-h", server_.dir().string(), "-p", "5432", "-U", "app", "-d",
                                  "postgres", "-Atc", "select 1"},
                                 options);
    return r.exit_code == 0;
  }
  std::string EnvPassword() const {
    std::smatch m;
    const std::string text = seam::testing::ReadFile(Env());
    return std::regex_search(text, m, std::regex("DATABASE_PASSWORD=(.*)\n")) ? m[1].str() : "";
  }
  nlohmann::json Check(int* exit_code) {
    ProcessResult check = Seamctl({"check", kSeamName, "--json"});
    *exit_code = check.exit_code;
    return nlohmann::json::parse(check.out, nullptr, false);
  }
  void ExpectNowhere(const std::string& secret) {
    for (const ProcessResult& r : transcript_) {
      EXPECT_FALSE(Contains(r.out + r.err, secret)) << "in the output of a command: " << r.out << r.err;
    }
    EXPECT_FALSE(Contains(seam::testing::ReadFile(DbFile()), secret)) << "in the log's file";
  }

  seam::testing::ThrowawayPostgres server_;
};

TEST_F(ProbeSeamTest, TheDatabaseIsASideThatCanOnlyBeAsked) {
  // Nothing in the log: the probe has nothing to ask about (in sync with no value intended);
  // the files hold a value the log lacks.
  int code = 0;
  nlohmann::json report = Check(&code);
  EXPECT_EQ(code, 1) << report.dump(2);
  EXPECT_EQ(SideOf(report, "db")["verdict"], "in_sync") << report.dump(2);
  EXPECT_EQ(SideOf(report, "app")["verdict"], "foreign") << report.dump(2);

  // The password in use adopted from the app's .env: the probe logs in with it.
  ProcessResult adopt = Seamctl({"adopt", kSeamName, "--from", "app"});
  ASSERT_EQ(adopt.exit_code, 0) << adopt.out << adopt.err;
  report = Check(&code);
  EXPECT_EQ(code, 0) << report.dump(2);
  EXPECT_EQ(SideOf(report, "db")["verdict"], "in_sync") << report.dump(2);

  // A generated password reaches the role, the .env and the YAML; the old one no longer logs in.
  ProcessResult set = Seamctl({"value", "set", kSeamName, "--generate"});
  ASSERT_EQ(set.exit_code, 0) << set.out << set.err;
  const std::string generated = EnvPassword();
  ASSERT_TRUE(std::regex_match(generated, std::regex("[A-Za-z0-9]{32}"))) << generated;
  EXPECT_TRUE(LogsIn(generated));
  EXPECT_FALSE(LogsIn(kInitial));
  EXPECT_EQ(seam::testing::ReadFile(Yaml()), "# worker\ndatabase:\n  host: localhost   # the socket\n  password: " +
                                                 generated + "\n  pool: 5\n");
  report = Check(&code);
  EXPECT_EQ(code, 0) << report.dump(2);
  for (const char* side : {"db", "app", "worker"}) EXPECT_EQ(SideOf(report, side)["verdict"], "in_sync") << side;

  // The .env restored from a backup: lagging, repaired.
  seam::testing::WriteFile(Env(), std::string("# app\nDATABASE_PASSWORD=") + kInitial + "\nPORT=8080\n");
  report = Check(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(SideOf(report, "app")["verdict"], "lagging") << report.dump(2);
  EXPECT_EQ(SideOf(report, "db")["verdict"], "in_sync") << report.dump(2);
  ProcessResult repair = Seamctl({"repair", kSeamName});
  ASSERT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(EnvPassword(), generated);

  // The role's password changed behind seam's back: foreign, by what the probe rejected.
  ASSERT_EQ(server_.Psql(std::string("ALTER ROLE app PASSWORD '") + kBehind + "'"), "");
  ProcessResult text = Seamctl({"check", kSeamName});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_TRUE(Contains(text.out, "rejects rev 2 (intended) and 1 earlier one")) << text.out;
  report = Check(&code);
  EXPECT_EQ(SideOf(report, "db")["verdict"], "foreign") << report.dump(2);
  repair = Seamctl({"repair", kSeamName});
  ASSERT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_TRUE(LogsIn(generated));
  EXPECT_FALSE(LogsIn(kBehind));
  report = Check(&code);
  EXPECT_EQ(code, 0) << report.dump(2);

  // The role restored to the password seam adopted first: lagging, by the probe alone.
  ASSERT_EQ(server_.Psql(std::string("ALTER ROLE app PASSWORD '") + kInitial + "'"), "");
  report = Check(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(SideOf(report, "db")["verdict"], "lagging") << report.dump(2);
  repair = Seamctl({"repair", kSeamName});
  ASSERT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_TRUE(LogsIn(generated));

  // The server down: unreadable (exit 2), and a repair writes nothing anywhere.
  server_.Stop();
  seam::testing::WriteFile(Env(), std::string("# app\nDATABASE_PASSWORD=") + kInitial + "\nPORT=8080\n");
  report = Check(&code);
  EXPECT_EQ(code, 2) << report.dump(2);
  EXPECT_EQ(SideOf(report, "db")["verdict"], "unreadable") << report.dump(2);
  ExpectNowhere(kInitial);
  ExpectNowhere(kBehind);
  ExpectNowhere(generated);
}

TEST_F(ProbeSeamTest, AProbeIsNeitherAnAuthorityNorASourceOfANewValue) {
  ProcessResult set = Seamctl({"value", "set", kSeamName, "--generate"});
  ASSERT_EQ(set.exit_code, 0) << set.out << set.err;
  ASSERT_EQ(server_.Psql(std::string("ALTER ROLE app PASSWORD '") + kBehind + "'"), "");
  ProcessResult adopt = Seamctl({"adopt", kSeamName, "--from", "db"});
  EXPECT_EQ(adopt.exit_code, 2) << adopt.out << adopt.err;
  EXPECT_TRUE(Contains(adopt.err, "a probe cannot show the value it holds")) << adopt.err;

  std::string config = seam::testing::ReadFile(ConfigPath());
  config.insert(config.find("[seam.format]"), "authority = \"db\"\n");
  WriteConfig(config);
  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_TRUE(Contains(check.err, "authority side `db` is a probe (exec-probe)")) << check.err;
  ExpectNowhere(kBehind);
}

}  // namespace
}  // namespace seam::e2e
