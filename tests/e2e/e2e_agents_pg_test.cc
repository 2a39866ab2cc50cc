// Agents on one PostgreSQL log (README "Many hosts"): two seamd processes acting as agents gw1
// and gw2 (--agent), a token seam whose `cli` side is gw1's, whose `gateway` side is gw2's, and
// whose `shared` side names no agent (the owner's: a side any host reaches). Each agent writes
// only its own sides; the owner, by its lease, writes the shared one, fenced by its epoch; when
// the owner is SIGKILLed the other agent takes over with the next epoch and repairs.
//
// The hosts are processes on this machine (the same files are reachable by both: the test says
// which agent may touch which); the partition and failover benchmarks are issue 15's rest.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/e2e/pg_fixture.h"
#include "tests/e2e/seamd_fixture.h"

namespace seam::e2e {
namespace {

using AgentsTest = OnPostgres<SeamdTest>;
using Steady = std::chrono::steady_clock;

std::string AgentsConfig(const std::string& url) {
  return R"([store]
url = ")" + url + R"("

[[seam]]
name = "device-token"
kind = "token"
entity = "device-42"
order = ["gateway", "shared", "cli"]

[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
pointer = "/token"
agent = "gw1"

[seam.sides.gateway]
plugin = "json-file"
path = "gateway/state.json"
pointer = "/token"
agent = "gw2"

[seam.sides.shared]
plugin = "json-file"
path = "shared/token.json"
pointer = "/token"
)";
}

class AgentsPgTest : public AgentsTest {
 protected:
  fs::path Gw() const { return Root() / "gateway/state.json"; }
  fs::path Shared() const { return Root() / "shared/token.json"; }
  fs::path AgentLog(const std::string& agent) const { return Root() / (agent + ".log"); }
  std::string LogOf(const std::string& agent) const { return ReadFile(AgentLog(agent)); }

  void SetUp() override {
    AgentsTest::SetUp();
    WriteConfig(AgentsConfig(server_->Url(db_)));
    for (const fs::path& f : {CliFile(), Gw(), Shared()}) {
      fs::create_directories(f.parent_path());
      WriteFile(f, "{}\n");
    }
    ProcessResult init = Seamctl({"init"});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  }

  void StartAgent(const std::string& agent) {
    std::string error;
    ASSERT_TRUE(agents_[agent].Start({SEAMD_PATH, "-c", ConfigPath().string(), "--agent", agent, "--log-level", "debug"},
                                     Root(), AgentLog(agent), {},
                                     {"SEAM_CONFIG", "SEAM_LOG_LEVEL", "SEAM_FAULT", "SEAM_AGENT", "NOTIFY_SOCKET",
                                      "WATCHDOG_USEC", "WATCHDOG_PID"},
                                     &error))
        << error;
  }

  void TearDown() override {
    for (auto& [name, process] : agents_) {
      if (process.running()) {
        process.Signal(SIGTERM);
        process.Wait(kDeadline);
      }
      if (HasFailure()) std::cerr << "--- agent " << name << " ---\n" << LogOf(name);
    }
    AgentsTest::TearDown();
  }

  std::map<std::string, DaemonProcess> agents_;
};

TEST_F(AgentsPgTest, EachAgentWritesItsOwnSidesAndTheOwnerTheRestFencedByItsEpoch) {
  // seamctl on gw1's host: its own side and the shared one; gw2's side is gw2's to write.
  ProcessResult issue = Seamctl({"token", "issue", kSeam}, {{"SEAM_AGENT", "gw1"}});
  ASSERT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  const std::optional<std::string> token = TokenIn(CliFile());
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(TokenIn(Shared()), token);
  EXPECT_EQ(TokenIn(Gw()), std::nullopt);

  // gw2 starts: it owns the seam (alone) and completes its side.
  ASSERT_NO_FATAL_FAILURE(StartAgent("gw2"));
  EXPECT_TRUE(WaitFor([&] { return TokenIn(Gw()) == token; })) << LogOf("gw2");
  EXPECT_TRUE(WaitFor([&] { return Contains(LogOf("gw2"), "agent gw2: owns seam stream token/device-42 now"); }));
  ASSERT_NO_FATAL_FAILURE(StartAgent("gw1"));
  EXPECT_TRUE(WaitFor([&] { return Contains(LogOf("gw1"), "seam device-token ("); })) << LogOf("gw1");

  // The shared side drifts: the owner (gw2) repairs it; gw1 does not own it.
  RenameReplace(Shared(), R"({"token": "edited-by-hand-edited-by-hand-edited-by-han"})");
  EXPECT_TRUE(WaitFor([&] { return TokenIn(Shared()) == token; })) << LogOf("gw2");

  // gw2's host dies. Its own side is left alone by gw1 (an edit there stays) and gw1 takes the
  // seam over with the next epoch, repairing the shared side.
  const Steady::time_point killed = Steady::now();
  agents_["gw2"].Signal(SIGKILL);
  agents_["gw2"].Wait(kDeadline);
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw1"), "agent gw1: owns seam stream token/device-42 now"); }))
      << LogOf("gw1");
  const double takeover_s = std::chrono::duration<double>(Steady::now() - killed).count();
  std::cerr << "takeover after SIGKILL of the owner: " << takeover_s << " s\n";
  EXPECT_LT(takeover_s, 4.0);  // lease 1.5 s + renewal 0.5 s; generous for a loaded machine
  RenameReplace(Gw(), R"({"token": "gw2-side-edited-gw2-side-edited-gw2-side-ed"})");
  RenameReplace(Shared(), R"({"token": "edited-again-edited-again-edited-again-ed"})");
  EXPECT_TRUE(WaitFor([&] { return TokenIn(Shared()) == token; })) << LogOf("gw1");
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(TokenIn(Gw()), "gw2-side-edited-gw2-side-edited-gw2-side-ed");

  // gw2 comes back: it repairs its own side; the seam stays gw1's.
  ASSERT_NO_FATAL_FAILURE(StartAgent("gw2"));
  EXPECT_TRUE(WaitFor([&] { return TokenIn(Gw()) == token; })) << LogOf("gw2");

  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
  // Every repair of the shared side was announced by a fenced RepairStarted of its owner's
  // epoch: gw2's first (1), then gw1's (2); no event carries an epoch that was not current.
  std::vector<std::int64_t> started;
  for (const nlohmann::json& e : LogEvents()) {
    if (e["type"] == "RepairStarted" && e["details"]["side"] == "shared") started.push_back(e["epoch"]);
  }
  EXPECT_EQ(started, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(Query("SELECT agent, epoch FROM seam_owners"), "gw1|2\n");
}

TEST_F(AgentsPgTest, AStoppedOwnerReleasesItsLeaseAndAnotherTakesOverAtOnce) {
  ASSERT_EQ(Seamctl({"token", "issue", kSeam}, {{"SEAM_AGENT", "gw1"}}).exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(StartAgent("gw1"));
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw1"), "agent gw1: owns seam stream token/device-42 now"); }));
  ASSERT_NO_FATAL_FAILURE(StartAgent("gw2"));
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw2"), "seam device-token ("); })) << LogOf("gw2");

  const Steady::time_point stopped = Steady::now();
  agents_["gw1"].Signal(SIGTERM);
  EXPECT_EQ(agents_["gw1"].Wait(kDeadline), 0);
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw2"), "agent gw2: owns seam stream token/device-42 now"); }))
      << LogOf("gw2");
  // Released, not run out: the next claim (every 0.5 s) takes it.
  EXPECT_LT(std::chrono::duration<double>(Steady::now() - stopped).count(), 1.4);
}

// The owner frozen in the middle of a repair (SIGSTOP at `before-repair`, past its lease) wakes up
// after another agent took the seam over: its fenced RepairStarted is refused, so it neither
// records nor writes anything, and the log holds no event of its stale epoch after the takeover.
TEST_F(AgentsPgTest, AnOwnerPausedMidRepairWakesFencedOffAndWritesNothing) {
  ASSERT_EQ(Seamctl({"token", "issue", kSeam}, {{"SEAM_AGENT", "gw1"}}).exit_code, 0);
  const std::optional<std::string> token = TokenIn(CliFile());
  std::string error;
  ASSERT_TRUE(agents_["gw2"].Start({SEAMD_PATH, "-c", ConfigPath().string(), "--agent", "gw2", "--log-level", "debug"},
                                   Root(), AgentLog("gw2"), {{"SEAM_FAULT", "stop:before-repair:shared"}},
                                   {"SEAM_CONFIG", "SEAM_LOG_LEVEL", "SEAM_AGENT", "NOTIFY_SOCKET"}, &error))
      << error;
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw2"), "agent gw2: owns seam stream token/device-42 now"); }));
  ASSERT_TRUE(WaitFor([&] { return TokenIn(Gw()) == token; })) << LogOf("gw2");
  ASSERT_NO_FATAL_FAILURE(StartAgent("gw1"));
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw1"), "seam device-token ("); })) << LogOf("gw1");

  // gw2 decides to repair the shared side and freezes there.
  RenameReplace(Shared(), R"({"token": "edited-by-hand-edited-by-hand-edited-by-han"})");
  ASSERT_TRUE(WaitFor([&] {
    const std::string stat = ReadFile("/proc/" + std::to_string(agents_["gw2"].pid()) + "/stat");
    const std::size_t paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'T';
  })) << LogOf("gw2");
  // gw1 takes over when gw2's lease runs out, and repairs.
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw1"), "agent gw1: owns seam stream token/device-42 now"); }))
      << LogOf("gw1");
  ASSERT_TRUE(WaitFor([&] { return TokenIn(Shared()) == token; })) << LogOf("gw1");
  const std::string repaired = ReadFile(Shared());
  struct stat before {};
  ASSERT_EQ(::stat(Shared().c_str(), &before), 0);

  agents_["gw2"].Signal(SIGCONT);
  EXPECT_TRUE(WaitFor([&] { return Contains(LogOf("gw2"), "fenced off: epoch 1 is not current (gw1 holds its lease at epoch 2)"); }))
      << LogOf("gw2");
  std::this_thread::sleep_for(milliseconds(300));
  struct stat after {};
  ASSERT_EQ(::stat(Shared().c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino) << "gw2 wrote the shared side after it was fenced off";
  EXPECT_EQ(ReadFile(Shared()), repaired);

  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
  std::int64_t first_epoch_2 = 0;
  std::int64_t last_epoch_1 = 0;
  int started_epoch_1 = 0;
  for (const nlohmann::json& e : LogEvents()) {
    const std::int64_t seq = e["seq"];
    if (e["epoch"] == 2 && first_epoch_2 == 0) first_epoch_2 = seq;
    if (e["epoch"] == 1) last_epoch_1 = seq;
    if (e["epoch"] == 1 && e["type"] == "RepairStarted") ++started_epoch_1;
  }
  EXPECT_GT(first_epoch_2, 0);
  EXPECT_LT(last_epoch_1, first_epoch_2);
  EXPECT_EQ(started_epoch_1, 0);  // gw2's repair never began
}

}  // namespace
}  // namespace seam::e2e
