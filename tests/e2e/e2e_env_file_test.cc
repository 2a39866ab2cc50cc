// A token kept in an app's commented `.env` (env-file) and a CLI's JSON file: issue writes the
// value's bytes alone, a stale restore of the .env is repaired byte for byte, a malformed .env
// is unreadable (file:line:column, nothing written, only the unreadable spell recorded), and the
// token never appears in any output.
#include <gtest/gtest.h>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

constexpr char kEnvHead[] = "# app settings: the gateway token is rotated by seam\nexport APP_ENV=production\n";
constexpr char kEnvTail[] = "  # keep\nLOG_LEVEL=info\n";

class EnvFileSeamTest : public SeamctlTest {
 protected:
  fs::path EnvFile() const { return Root() / "app/.env"; }

  void SetUpSeam() {
    WriteFreshSides();
    seam::testing::WriteFile(EnvFile(), std::string(kEnvHead) + "GATEWAY_TOKEN=\"placeholder\"" + kEnvTail);
    WriteConfig(R"([[seam]]
name = "device-token"
kind = "token"
entity = "device-42"
order = ["app", "cli"]
[seam.sides.app]
plugin = "env-file"
path = "app/.env"
variable = "GATEWAY_TOKEN"
dialect = "dotenv"
[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
pointer = "/token"
)");
    ProcessResult init = Seamctl({"init"});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  }
  std::string Env() const { return seam::testing::ReadFile(EnvFile()); }
  std::string EnvWith(const std::string& token) const {
    return std::string(kEnvHead) + "GATEWAY_TOKEN=\"" + token + "\"" + kEnvTail;
  }
};

TEST_F(EnvFileSeamTest, IssueAndRepairChangeOnlyTheValuesBytes) {
  ASSERT_NO_FATAL_FAILURE(SetUpSeam());
  ProcessResult issue = Seamctl({"token", "issue", kSeam});
  ASSERT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  const std::string token = CliToken().value();
  EXPECT_EQ(Env(), EnvWith(token)) << "the double quotes kept, every other byte too";

  // A stale restore: the .env from before.
  const std::string stale = EnvWith("placeholder");
  seam::testing::WriteFile(EnvFile(), stale);
  int code = 0;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(SideOf(report, "app")["verdict"], "foreign") << report.dump(2);
  ProcessResult repair = Seamctl({"repair", kSeam});
  ASSERT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(Env(), EnvWith(token));
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);

  for (const ProcessResult& r : transcript_) {
    EXPECT_FALSE(Contains(r.out + r.err, token)) << "the token in the output of " << r.out << r.err;
  }
}

TEST_F(EnvFileSeamTest, AMalformedEnvFileIsUnreadableWithItsLineAndNothingIsWritten) {
  ASSERT_NO_FATAL_FAILURE(SetUpSeam());
  ASSERT_EQ(Seamctl({"token", "issue", kSeam}).exit_code, 0);
  const std::string broken = std::string(kEnvHead) + "GATEWAY_TOKEN=\"unterminated\n" + kEnvTail;
  seam::testing::WriteFile(EnvFile(), broken);
  const Snapshot before = TakeSnapshot(Root());
  const std::size_t events = LogEvents().size();
  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 2) << check.out << check.err;
  EXPECT_TRUE(Contains(check.out + check.err, EnvFile().string() + ":3:15: unterminated double quote"))
      << check.out << check.err;
  ProcessResult repair = Seamctl({"repair", kSeam});
  EXPECT_EQ(repair.exit_code, 2) << repair.out << repair.err;
  EXPECT_EQ(Env(), broken);
  ExpectOnlyAnUnreadableSpell(before, events, "app");
}

}  // namespace
}  // namespace seam::e2e
