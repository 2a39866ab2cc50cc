// The exec and http-json sides through the real seamctl: an external program as a side (its
// protocol, its failures), and an HTTP side that cannot be reached. Verdicts, exit codes, and
// nothing written anywhere when a side is unreadable.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tests/e2e/e2e_fixture.h"
#include "tests/support/vault_scripts.h"

namespace seam::e2e {
namespace {

using seam::testing::ReadFile;
using seam::testing::WriteFile;

// A store seam does not know: a file that only these two scripts touch.

class ExecHttpSeamTest : public SeamctlTest {
 protected:
  void WriteScript(const std::string& name, const std::string& text) const {
    WriteFile(Root() / name, text);
    fs::permissions(Root() / name, fs::perms::owner_all);
  }
  void SetUpSeam(const std::string& gateway_side) {
    seam::testing::WriteVaultScripts(Root());
    WriteFreshSides();
    WriteConfig(R"([[seam]]
name = "device-token"
kind = "token"
entity = "device-42"
[seam.sides.vault]
plugin = "exec"
read = ["./vault-read.sh"]
write = ["./vault-write.sh"]
timeout_ms = "3000"
)" + gateway_side + R"(
[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
pointer = "/token"
)");
    ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  }
};

TEST_F(ExecHttpSeamTest, AnExternalProgramIsASideThatSeamIssuesToChecksAndRepairs) {
  ASSERT_NO_FATAL_FAILURE(SetUpSeam(""));
  ProcessResult issue = Seamctl({"token", "issue", "device-token"});
  ASSERT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  EXPECT_EQ(ReadFile(Root() / "vault.txt"), CliToken().value() + "\n");
  WriteFile(Root() / "vault.txt", "rotated-out-of-band\n");
  int code = -1;
  nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(report["seams"][0]["sides"][0]["verdict"], "foreign") << report.dump(2);
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 0);
  EXPECT_EQ(ReadFile(Root() / "vault.txt"), CliToken().value() + "\n");
}

TEST_F(ExecHttpSeamTest, AFailingReadProgramIsUnreadableAndBlocksOperations) {
  ASSERT_NO_FATAL_FAILURE(SetUpSeam(""));
  ASSERT_EQ(Seamctl({"token", "issue", "device-token"}).exit_code, 0);
  WriteScript("vault-read.sh", "#!/bin/sh\necho 'vault sealed: operator action needed' >&2\nexit 1\n");
  const Snapshot before = TakeSnapshot(Root());
  int code = -1;
  nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 2);
  EXPECT_EQ(report["seams"][0]["sides"][0]["verdict"], "unreadable");
  EXPECT_TRUE(Contains(report["seams"][0]["sides"][0]["detail"].get<std::string>(),
                       "exited 1: vault sealed: operator action needed"))
      << report.dump(2);
  const std::size_t events_before = LogEvents().size();
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 2);
  ExpectOnlyAnUnreadableSpell(before, events_before, "vault");
  const Snapshot after_repair = TakeSnapshot(Root());
  EXPECT_TRUE(IsCleanError(Seamctl({"token", "rotate", "device-token"}), "side vault is unreadable"));
  EXPECT_EQ(SnapshotDiff(after_repair, TakeSnapshot(Root())), "");
}

// `check --deadline`: a side still waiting when the check's deadline comes is unreadable, named
// with the deadline, and the check answers then (exit 2) instead of at the side's own timeout;
// the other sides are judged as usual. A bad duration is one line, exit 2.
TEST_F(ExecHttpSeamTest, CheckWithADeadlineAnswersThenNamingTheSideStillWaiting) {
  ASSERT_NO_FATAL_FAILURE(SetUpSeam(""));
  ASSERT_EQ(Seamctl({"token", "issue", "device-token"}).exit_code, 0);
  WriteScript("vault-read.sh", seam::testing::VaultReadScript("sleep 2\n"));
  const Snapshot before = TakeSnapshot(Root());
  ProcessResult slow = Seamctl({"check", "--json", "--deadline", "300ms"});
  EXPECT_EQ(slow.exit_code, 2) << slow.out << slow.err;
  nlohmann::json report = nlohmann::json::parse(slow.out);
  const nlohmann::json& vault = report["seams"][0]["sides"][0];
  EXPECT_EQ(vault["verdict"], "unreadable") << report.dump(2);
  EXPECT_TRUE(Contains(vault["detail"].get<std::string>(), "exec `./vault-read.sh`: no answer by the deadline ("))
      << report.dump(2);
  EXPECT_EQ(report["seams"][0]["sides"][1]["verdict"], "in_sync") << report.dump(2);
  EXPECT_TRUE(Contains(slow.err, "no answer by the deadline")) << slow.err;
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");

  // Without it, or with a deadline past the side's wait, the same check is in sync.
  EXPECT_EQ(Seamctl({"check", "--deadline", "30s"}).exit_code, 0);
  EXPECT_TRUE(IsCleanError(Seamctl({"check", "--deadline", "soon"}), "--deadline `soon` is not a duration"));
}

TEST_F(ExecHttpSeamTest, AnUnreachableHttpSideIsUnreadableAndNothingIsWritten) {
  unsigned short port = 0;
  {  // a port that was just free: nothing listens there
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  ASSERT_NO_FATAL_FAILURE(SetUpSeam("[seam.sides.gateway]\nplugin = \"http-json\"\nurl = \"http://127.0.0.1:" +
                                    std::to_string(port) + "/pairings/device-42\"\npointer = \"/token_sha256\"\n"
                                    "transform = \"sha256-hex\"\ntimeout_ms = \"500\"\n"));
  const Snapshot before = TakeSnapshot(Root());
  int code = -1;
  nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 2);
  EXPECT_EQ(report["seams"][0]["sides"][1]["name"], "gateway");
  EXPECT_EQ(report["seams"][0]["sides"][1]["verdict"], "unreadable");
  EXPECT_TRUE(Contains(report["seams"][0]["sides"][1]["detail"].get<std::string>(), "connection refused"))
      << report.dump(2);
  EXPECT_TRUE(IsCleanError(Seamctl({"token", "issue", "device-token"}), "side gateway is unreadable"));
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
  EXPECT_TRUE(LogEvents().empty());
}

}  // namespace
}  // namespace seam::e2e

namespace seam::e2e {
namespace {

// A config found as ./seam.toml (no directory in its path) runs exec programs in the current
// directory (it once gave them an empty working directory and every operation was refused).
TEST_F(SeamctlTest, ExecSideWithAConfigNamedWithoutADirectoryRunsInTheCurrentOne) {
  WriteExecVaultSeam("15s");
  ASSERT_EQ(SeamctlRaw({"init"}).exit_code, 0);
  ProcessResult issue = SeamctlRaw({"token", "issue", kSeam});
  EXPECT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  EXPECT_EQ(ReadFile(Root() / "vault.txt"), CliToken().value_or("<none>") + "\n");
}

}  // namespace
}  // namespace seam::e2e
