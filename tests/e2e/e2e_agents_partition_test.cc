// A partition between an owning agent and the database (issue 15, ../shared/REAL-PEERS.md):
// gw2's seamd runs in a network namespace of this test's own, reaching a PostgreSQL server of
// this test's own over a veth pair only (TCP, 10.x.y.0/30); gw1's seamd runs beside the server.
// The link is set down: packets vanish (no RST), as when a host is cut off. gw1 takes the seam
// over once gw2's lease has run out and repairs the shared side; gw2, cut off past libpq's
// tcp_user_timeout, says its claims fail and records nothing (no stale-epoch event), and once the
// link is back it carries on as an agent: an operation from gw1's host reaches gw2's side again.
//
// Needs root (ip netns, veth); a machine where they cannot be made fails the test, naming why.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/e2e/seamd_fixture.h"
#include "tests/e2e/veth_namespace.h"
#include "tests/support/agents_seam.h"
#include "tests/support/throwaway_postgres.h"

namespace seam::e2e {
namespace {

using Steady = std::chrono::steady_clock;

class AgentsPartitionTest : public SeamdTest {
 protected:
  void SetUp() override {
    SeamdTest::SetUp();
    ASSERT_EQ(ns_.Create(), "");
    server_.ListenOn(ns_.host_addr(), 5432, ns_.clients());
    const std::string started = server_.Start();
    ASSERT_EQ(started, "");
    db_ = server_.NewDatabase("partition");
    ASSERT_FALSE(db_.empty());
    // gw1 (and seamctl) reach the server over its Unix socket; gw2, in its namespace, by TCP
    // over the pair (ns.toml: the same seams).
    WriteConfig("[store]\nurl = \"" + server_.Url(db_) + "\"\n" + seam::testing::kAgentsSeamToml);
    WriteFile(Root() / "ns.toml",
              "[store]\nurl = \"postgresql://seam_admin@" + ns_.host_addr() + ":5432/" + db_ + "\"\n" + seam::testing::kAgentsSeamToml);

    for (const fs::path& f : {CliFile(), Gw(), Shared()}) {
      fs::create_directories(f.parent_path());
      WriteFile(f, "{}\n");
    }
    ProcessResult init = Seamctl({"init"});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  }

  void TearDown() override {
    for (auto& [name, process] : agents_) {
      if (!process.running()) continue;
      process.Signal(SIGKILL);
      process.Wait(kDeadline);
      if (HasFailure()) std::cerr << "--- agent " << name << " ---\n" << ReadFile(Root() / (name + ".log"));
    }
    server_.Stop();
    SeamdTest::TearDown();
  }

  fs::path Gw() const { return Root() / "gateway/state.json"; }
  fs::path Shared() const { return Root() / "shared/token.json"; }
  std::string LogOf(const std::string& agent) const { return ReadFile(Root() / (agent + ".log")); }

  // seamd as `agent`; in the namespace when `in_ns`.
  void StartAgent(const std::string& agent, bool in_ns) {
    const std::string config = in_ns ? (Root() / "ns.toml").string() : ConfigPath().string();
    std::vector<std::string> argv = {SEAMD_PATH, "-c", config, "--agent", agent, "--log-level", "debug"};
    if (in_ns) argv = ns_.Exec(argv);
    std::string error;
    ASSERT_TRUE(agents_[agent].Start(argv, Root(), Root() / (agent + ".log"), {},
                                     {"SEAM_CONFIG", "SEAM_LOG_LEVEL", "SEAM_AGENT", "SEAM_FAULT", "NOTIFY_SOCKET"},
                                     &error))
        << error;
  }

  std::string Query(const std::string& sql) {
    std::string out;
    EXPECT_EQ(server_.Psql(sql, db_, &out), "") << sql;
    return out;
  }

  seam::testing::ThrowawayPostgres server_;
  std::string db_;
  VethNamespace ns_;
  std::map<std::string, DaemonProcess> agents_;
};

TEST_F(AgentsPartitionTest, AnOwnerCutOffFromTheDatabaseIsTakenOverAndRecordsNothingStale) {
  ProcessResult issue = Seamctl({"token", "issue", kSeam, "--wait", "0"}, {{"SEAM_AGENT", "gw1"}});
  ASSERT_EQ(issue.exit_code, 2) << issue.out << issue.err;  // gw2's side is pending on gw2
  const std::optional<std::string> token = TokenIn(CliFile());
  ASSERT_TRUE(token.has_value());

  // gw2, in its namespace, owns the seam and writes its side; then gw1 starts beside the server.
  ASSERT_NO_FATAL_FAILURE(StartAgent("gw2", true));
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw2"), "agent gw2: owns seam stream token/device-42 now"); },
                      milliseconds(10000)))
      << LogOf("gw2");
  ASSERT_TRUE(WaitFor([&] { return TokenIn(Gw()) == token; })) << LogOf("gw2");
  ASSERT_NO_FATAL_FAILURE(StartAgent("gw1", false));
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw1"), "seam device-token ("); })) << LogOf("gw1");
  ASSERT_EQ(Query("SELECT agent, epoch FROM seam_owners"), "gw2|1\n");

  // The partition, then a hand edit of the shared side (a file both hosts see here: the test
  // says which agent may touch it).
  const Steady::time_point cut = Steady::now();
  ASSERT_EQ(ns_.SetLink(false), "");
  RenameReplace(Shared(), R"({"token": "edited-by-hand-edited-by-hand-edited-by-han"})");
  ASSERT_TRUE(WaitFor([&] { return TokenIn(Shared()) == token; }, milliseconds(10000))) << LogOf("gw1");
  const double repaired_s = std::chrono::duration<double>(Steady::now() - cut).count();
  std::cerr << "partition of the owner -> the shared side repaired by the new owner: " << repaired_s << " s\n";
  EXPECT_LT(repaired_s, 4.0);  // lease 1.5 s + a renewal 0.5 s; generous for a loaded machine
  EXPECT_EQ(Query("SELECT agent, epoch FROM seam_owners"), "gw1|2\n");

  // The partition lasts past libpq's tcp_user_timeout (10 s): gw2's calls in flight fail
  // instead of waiting for TCP to give up (hours), and it says so.
  EXPECT_TRUE(WaitFor([&] { return Contains(LogOf("gw2"), "agent gw2: claiming ownership leases failed: "); },
                      milliseconds(20000)))
      << LogOf("gw2");
  // The link comes back: gw2 reconnects as an agent and writes its own side for an operation
  // from gw1's host.
  ASSERT_EQ(ns_.SetLink(true), "");
  ProcessResult rotate = Seamctl({"token", "rotate", kSeam, "--wait", "40"}, {{"SEAM_AGENT", "gw1"}});
  EXPECT_EQ(rotate.exit_code, 0) << rotate.out << rotate.err << LogOf("gw2");
  EXPECT_EQ(TokenIn(Gw()), TokenIn(CliFile()));
  EXPECT_EQ(Query("SELECT agent, epoch FROM seam_owners"), "gw1|2\n");

  // No event of gw2's epoch after gw1's first; the chain verifies.
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
  ProcessResult log = Seamctl({"log", "--json"});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  std::int64_t highest = 0;
  int stale = 0;
  std::size_t start = 0;
  while (start < log.out.size()) {
    const std::size_t end = log.out.find('\n', start);
    const nlohmann::json e = nlohmann::json::parse(log.out.substr(start, end - start), nullptr, false);
    start = end == std::string::npos ? log.out.size() : end + 1;
    if (e.is_discarded() || !e.contains("epoch")) continue;
    const std::int64_t epoch = e["epoch"];
    if (epoch == 0) continue;
    if (epoch < highest) ++stale;
    highest = std::max(highest, epoch);
  }
  EXPECT_EQ(stale, 0);
  EXPECT_EQ(highest, 2);
}

}  // namespace
}  // namespace seam::e2e
