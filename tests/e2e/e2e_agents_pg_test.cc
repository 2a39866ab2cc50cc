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

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/e2e/http_receiver.h"
#include "tests/e2e/http_request.h"
#include "tests/e2e/pg_fixture.h"
#include "tests/e2e/seamd_fixture.h"
#include "tests/support/agents_seam.h"

namespace seam::e2e {
namespace {

using AgentsTest = OnPostgres<SeamdTest>;
using Steady = std::chrono::steady_clock;
namespace http = boost::beast::http;

std::string AgentsConfig(const std::string& url) {
  return "[store]\nurl = \"" + url + "\"\n" + seam::testing::kAgentsSeamToml;
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

  // Starts seamd as `agent`; `process` names it in this test (two processes of one agent: two names).
  void StartAgent(const std::string& agent, std::string process = "", const std::map<std::string, std::string>& env = {}) {
    if (process.empty()) process = agent;
    std::vector<std::string> unset = {"SEAM_CONFIG", "SEAM_LOG_LEVEL", "SEAM_AGENT", "NOTIFY_SOCKET", "WATCHDOG_USEC",
                                      "WATCHDOG_PID"};
    if (!env.contains("SEAM_FAULT")) unset.push_back("SEAM_FAULT");
    std::string error;
    fs::remove(PortOf(process));
    ASSERT_TRUE(agents_[process].Start({SEAMD_PATH, "-c", ConfigPath().string(), "--agent", agent, "--log-level", "debug",
                                        "--listen", "127.0.0.1:0", "--port-file", PortOf(process).string()},
                                       Root(), AgentLog(process), env, unset, &error))
        << error;
  }

  fs::path PortOf(const std::string& process) const { return Root() / (process + ".port"); }

  // `seamctl status` against `process`'s listener: {exit code, stdout}.
  ProcessResult StatusOf(const std::string& process, bool json) {
    std::string port;
    EXPECT_TRUE(WaitFor([&] { return !(port = ReadFile(PortOf(process))).empty(); })) << "no port from " << process;
    while (!port.empty() && port.back() == '\n') port.pop_back();
    std::vector<std::string> args = {"status", "--daemon", "http://127.0.0.1:" + port};
    if (json) args.push_back("--json");
    return Seamctl(args);
  }

  // The seam's `owner` in `process`'s /status.
  nlohmann::json OwnerSeenBy(const std::string& process) {
    const ProcessResult status = StatusOf(process, true);
    const nlohmann::json doc = nlohmann::json::parse(status.out, nullptr, false);
    if (doc.is_discarded() || !doc.contains("seams") || doc["seams"].empty()) return nullptr;
    return doc["seams"][0].value("owner", nlohmann::json());
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

  // `process`'s state letter in /proc (R, S, T stopped, Z exited and not yet waited for).
  char State(const std::string& process) {
    const std::string stat = ReadFile("/proc/" + std::to_string(agents_[process].pid()) + "/stat");
    const std::size_t paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() ? stat[paren + 2] : '?';
  }
  bool Stopped(const std::string& process) { return State(process) == 'T'; }
  bool Alive(const std::string& process) {
    const char state = State(process);
    return state != 'Z' && state != '?';
  }

  // `token issue` on gw1's host while gw2's seamd is not running: gw1's side and the shared one
  // are written; gw2's is pending on gw2 (exit 2 after --wait 0).
  void IssueOnGw1WithoutGw2() {
    ProcessResult issue = Seamctl({"token", "issue", kSeam, "--wait", "0"}, {{"SEAM_AGENT", "gw1"}});
    ASSERT_EQ(issue.exit_code, 2) << issue.out << issue.err;
    EXPECT_TRUE(Contains(issue.out, "  gateway: not confirmed by agent gw2 within 0 s")) << issue.out;
    EXPECT_TRUE(Contains(issue.err, "is pending on gateway (agent gw2): not confirmed within 0 s")) << issue.err;
  }

  std::map<std::string, DaemonProcess> agents_;
};

TEST_F(AgentsPgTest, EachAgentWritesItsOwnSidesAndTheOwnerTheRestFencedByItsEpoch) {
  // seamctl on gw1's host: its own side and the shared one; gw2's side is gw2's to write.
  ASSERT_NO_FATAL_FAILURE(IssueOnGw1WithoutGw2());
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
  // gw1's /status says so: the owner is gw1, this process, at epoch 2.
  EXPECT_TRUE(WaitFor([&] {
    const nlohmann::json owner = OwnerSeenBy("gw1");
    return owner.is_object() && owner["agent"] == "gw1" && owner["epoch"] == 2 && owner["this_process"] == true;
  })) << StatusOf("gw1", true).out;
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
  ASSERT_NO_FATAL_FAILURE(IssueOnGw1WithoutGw2());
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

// An agent with no side of a seam (gw3) claims it too, but gw1 holds it: gw3's /status shows the
// whole seam from what the agents share through the store: gw1's sides with their agent and
// age, gw2's (never started) unreadable, so the seam is `unknown` and `seamctl status` exit 2;
// /metrics has the same. gw1 killed: its side is unreadable once it is silent, never in sync.
TEST_F(AgentsPgTest, AnAgentWithNoSideOfASeamShowsTheWholeSeamAndWhichAgentOwnsIt) {
  ASSERT_NO_FATAL_FAILURE(IssueOnGw1WithoutGw2());
  ASSERT_NO_FATAL_FAILURE(StartAgent("gw1"));
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw1"), "agent gw1: owns seam stream token/device-42 now"); }));
  // gw3 runs a copy of the configuration that differs (a comment): gw1 says so, once.
  const fs::path copy = Root() / "gw3.toml";
  WriteFile(copy, ReadFile(ConfigPath()) + "\n# gw3's copy\n");
  std::string error;
  fs::remove(PortOf("gw3"));
  ASSERT_TRUE(agents_["gw3"].Start({SEAMD_PATH, "-c", copy.string(), "--agent", "gw3", "--log-level", "debug",
                                    "--listen", "127.0.0.1:0", "--port-file", PortOf("gw3").string()},
                                   Root(), AgentLog("gw3"), {},
                                   {"SEAM_CONFIG", "SEAM_LOG_LEVEL", "SEAM_AGENT", "SEAM_FAULT", "NOTIFY_SOCKET"},
                                   &error))
      << error;
  const auto side_of = [](const nlohmann::json& doc, const std::string& name) {
    for (const nlohmann::json& side : doc["seams"][0]["sides"]) {
      if (side["name"] == name) return side;
    }
    return nlohmann::json();
  };
  nlohmann::json doc;
  ASSERT_TRUE(WaitFor([&] {
    doc = nlohmann::json::parse(StatusOf("gw3", true).out, nullptr, false);
    if (doc.is_discarded() || !doc.contains("seams") || doc["seams"].empty()) return false;
    const nlohmann::json owner = doc["seams"][0].value("owner", nlohmann::json());
    return owner.is_object() && owner["agent"] == "gw1" && side_of(doc, "cli").value("agent", nlohmann::json()) == "gw1" &&
           side_of(doc, "shared").value("agent", nlohmann::json()) == "gw1";
  })) << StatusOf("gw3", true).out << LogOf("gw3");
  EXPECT_TRUE(WaitFor([&] { return Contains(LogOf("gw1"), "agent gw1: agent gw3 runs another configuration (sha256 "); }))
      << LogOf("gw1");
  EXPECT_EQ(doc["agent"], "gw3");
  EXPECT_EQ(doc["seams"][0]["owner"],
            nlohmann::json::parse(R"({"agent":"gw1","epoch":1,"held":true,"this_process":false})"));
  // gw1's sides as gw1 last observed them; gw2's, whose agent never ran, unreadable.
  const nlohmann::json cli = side_of(doc, "cli");
  EXPECT_EQ(cli["verdict"], "in_sync") << doc.dump(2);
  EXPECT_TRUE(cli["fingerprint"].is_string());
  EXPECT_TRUE(cli["observed_at"].is_string());
  EXPECT_GE(cli["age_s"].get<double>(), 0.0);
  EXPECT_LT(cli["age_s"].get<double>(), 60.0);
  EXPECT_EQ(side_of(doc, "gateway")["verdict"], "unreadable");
  EXPECT_EQ(side_of(doc, "gateway")["detail"], "agent gw2 has not reported to the store");
  EXPECT_EQ(doc["seams"][0]["status"], "unknown") << doc.dump(2);
  const ProcessResult text = StatusOf("gw3", false);
  EXPECT_EQ(text.exit_code, 2) << text.out << text.err;
  EXPECT_TRUE(Contains(text.out, "device-token (token/device-42): unknown, no pass yet, owner gw1 epoch 1")) << text.out;
  EXPECT_TRUE(Contains(text.out, " (agent gw1, ")) << text.out;
  EXPECT_TRUE(Contains(text.out, "agent gw2 has not reported to the store\n")) << text.out;
  // /metrics: the whole seam's observers and ages, the owner, the agents.
  std::string port = ReadFile(PortOf("gw3"));
  const std::string metrics = Http(static_cast<unsigned short>(std::stoi(port)), http::verb::get, "/metrics").body;
  EXPECT_TRUE(Contains(metrics, "seam_side_observed_age_seconds{seam=\"device-token\",side=\"cli\",agent=\"gw1\"} "))
      << metrics;
  EXPECT_FALSE(Contains(metrics, "side=\"gateway\",agent=")) << metrics;
  EXPECT_TRUE(Contains(metrics, "seam_owner_epoch{seam=\"device-token\",agent=\"gw1\"} 1\n")) << metrics;
  EXPECT_TRUE(Contains(metrics, "seam_owned{seam=\"device-token\"} 0\n")) << metrics;
  EXPECT_TRUE(Contains(metrics, "seamd_agent_silent{agent=\"gw1\"} 0\n")) << metrics;
  // gw1's own view: this process holds it.
  EXPECT_EQ(OwnerSeenBy("gw1")["this_process"], true);
  EXPECT_TRUE(Contains(StatusOf("gw1", false).out, ", owner gw1 epoch 1")) << StatusOf("gw1", false).out;
  // Every agent on the store, as gw3's heartbeat read them.
  ASSERT_EQ(doc["agents"].size(), 2u) << doc.dump(2);
  EXPECT_EQ(doc["agents"][0]["agent"], "gw1");
  EXPECT_EQ(doc["agents"][0]["this_process"], false);
  EXPECT_EQ(doc["agents"][0]["silent"], false);
  EXPECT_EQ(doc["agents"][0]["same_config"], false);
  EXPECT_EQ(doc["agents"][1]["agent"], "gw3");
  EXPECT_EQ(doc["agents"][1]["this_process"], true);
  EXPECT_TRUE(Contains(text.out, "agents: gw1 seen ")) << text.out;
  EXPECT_TRUE(Contains(text.out, " (another configuration), gw3 (this seamd)")) << text.out;
  // gw1 stops (SIGKILL: no goodbye); gw3 reports it silent once 10 renewals (5 s) have passed,
  // and its side unreadable, not as it was. gw3 takes the seam over meanwhile and observes the
  // owner's side itself.
  agents_["gw1"].Signal(SIGKILL);
  agents_["gw1"].Wait(kDeadline);
  EXPECT_TRUE(WaitFor(
      [&] {
        doc = nlohmann::json::parse(StatusOf("gw3", true).out, nullptr, false);
        return !doc.is_discarded() && doc["agents"].size() == 2 && doc["agents"][0]["silent"] == true &&
               side_of(doc, "cli")["verdict"] == "unreadable";
      },
      milliseconds(9000)))
      << StatusOf("gw3", true).out;
  EXPECT_TRUE(Contains(side_of(doc, "cli")["detail"].get<std::string>(), "agent gw1 silent since ")) << doc.dump(2);
  EXPECT_TRUE(side_of(doc, "cli")["fingerprint"].is_null());
  EXPECT_EQ(side_of(doc, "shared")["agent"], "gw3") << doc.dump(2);
  EXPECT_EQ(doc["seams"][0]["owner"]["agent"], "gw3");
  EXPECT_NE(doc["seams"][0]["status"], "in_sync");
  EXPECT_TRUE(Contains(StatusOf("gw3", false).out, "agents: gw1 silent since ")) << StatusOf("gw3", false).out;
  EXPECT_EQ(StatusOf("gw3", false).exit_code, 2);
  port = ReadFile(PortOf("gw3"));
  EXPECT_TRUE(Contains(Http(static_cast<unsigned short>(std::stoi(port)), http::verb::get, "/metrics").body,
                       "seamd_agent_silent{agent=\"gw1\"} 1\n"));
}

// The owner frozen in the middle of a repair (SIGSTOP at `before-repair`, past its lease) wakes up
// after another agent took the seam over: its fenced RepairStarted is refused, so it neither
// records nor writes anything, and the log holds no event of its stale epoch after the takeover.
TEST_F(AgentsPgTest, AnOwnerPausedMidRepairWakesFencedOffAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(IssueOnGw1WithoutGw2());
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
  ASSERT_TRUE(WaitFor([&] { return Stopped("gw2"); })) << LogOf("gw2");
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
  // Not a failure of the seam's: gw2 says it was fenced off and carries on as an agent.
  EXPECT_TRUE(Contains(LogOf("gw2"), ") fenced off, the seam is not this agent's now: ")) << LogOf("gw2");
  EXPECT_FALSE(Contains(LogOf("gw2"), "pass failed")) << LogOf("gw2");

  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
  std::int64_t first_epoch_2 = 0;
  std::int64_t last_epoch_1 = 0;
  int started_epoch_1 = 0;
  for (const nlohmann::json& e : LogEvents()) {
    const std::int64_t seq = e["seq"];
    if (e["epoch"] == 2 && first_epoch_2 == 0) first_epoch_2 = seq;
    if (e["epoch"] == 1) last_epoch_1 = seq;
    // (gw2 may have written its own gateway side as owner at start: that one is not the repair.)
    if (e["epoch"] == 1 && e["type"] == "RepairStarted" && e["details"]["side"] == "shared") ++started_epoch_1;
  }
  EXPECT_GT(first_epoch_2, 0);
  EXPECT_LT(last_epoch_1, first_epoch_2);
  EXPECT_EQ(started_epoch_1, 0);  // gw2's repair never began
}

// An operation on gw1's host writes gw1's side and the shared one, releases the seam, and waits
// for gw2's seamd to write and confirm gw2's side: exit 0 once every side on every host holds it.
// With gw2's seamd down it reports the operation pending there after --wait (exit 2), and gw2
// completes it when it comes back.
TEST_F(AgentsPgTest, AnOperationWaitsForTheOtherAgentsConfirmationsOrSaysWhoseArePending) {
  ASSERT_NO_FATAL_FAILURE(IssueOnGw1WithoutGw2());
  ASSERT_NO_FATAL_FAILURE(StartAgent("gw2"));
  ASSERT_TRUE(WaitFor([&] { return TokenIn(Gw()) == TokenIn(CliFile()); })) << LogOf("gw2");

  std::vector<double> confirmed_after;
  for (int i = 0; i < 5; ++i) {
    ProcessResult rotate = Seamctl({"token", "rotate", kSeam}, {{"SEAM_AGENT", "gw1"}});
    ASSERT_EQ(rotate.exit_code, 0) << rotate.out << rotate.err;
    // By the time seamctl says so, gw2's side holds the new token.
    EXPECT_EQ(TokenIn(Gw()), TokenIn(CliFile())) << rotate.out;
    EXPECT_EQ(TokenIn(Shared()), TokenIn(CliFile())) << rotate.out;
    const std::string said = "  gateway: written and confirmed by agent gw2 (after ";
    const std::size_t at = rotate.out.find(said);
    ASSERT_NE(at, std::string::npos) << rotate.out;
    confirmed_after.push_back(std::stod(rotate.out.substr(at + said.size())));
  }
  std::sort(confirmed_after.begin(), confirmed_after.end());
  std::cerr << "rotation on gw1 -> gw2's side confirmed, seconds after gw1's part: median "
            << confirmed_after[confirmed_after.size() / 2] << ", max " << confirmed_after.back() << "\n";

  agents_["gw2"].Signal(SIGTERM);
  ASSERT_EQ(agents_["gw2"].Wait(kDeadline), 0);
  const Steady::time_point started = Steady::now();
  ProcessResult pending = Seamctl({"token", "rotate", kSeam, "--wait", "1"}, {{"SEAM_AGENT", "gw1"}});
  EXPECT_GE(std::chrono::duration<double>(Steady::now() - started).count(), 1.0);
  ASSERT_EQ(pending.exit_code, 2) << pending.out << pending.err;
  EXPECT_TRUE(Contains(pending.out, "  cli: written and confirmed")) << pending.out;
  EXPECT_TRUE(Contains(pending.out, "  gateway: not confirmed by agent gw2 within 1 s")) << pending.out;
  EXPECT_TRUE(Contains(pending.err, "seamctl: error: seam device-token: the operation (rev ")) << pending.err;
  EXPECT_TRUE(Contains(pending.err, "is pending on gateway (agent gw2): not confirmed within 1 s")) << pending.err;
  EXPECT_EQ(std::count(pending.err.begin(), pending.err.end(), '\n'), 1) << pending.err;
  EXPECT_NE(TokenIn(Gw()), TokenIn(CliFile()));

  ASSERT_NO_FATAL_FAILURE(StartAgent("gw2", "gw2-again"));
  EXPECT_TRUE(WaitFor([&] { return TokenIn(Gw()) == TokenIn(CliFile()); })) << LogOf("gw2-again");
  // A value that is not a number of seconds is refused before anything is done.
  ProcessResult bad = Seamctl({"token", "rotate", kSeam, "--wait", "soon"}, {{"SEAM_AGENT", "gw1"}});
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
}

// seamd restarted on gw2's host while the old process is frozen mid-repair (not dead: a VM paused,
// a process stopped): the new process, under the same agent name, is another lease holder. It
// cannot renew the frozen one's lease; it takes it over once it has run out, with the next epoch,
// and repairs. The old process wakes fenced off and writes nothing.
TEST_F(AgentsPgTest, ASeamdRestartedBesideItsFrozenPredecessorTakesOverWithTheNextEpoch) {
  ASSERT_NO_FATAL_FAILURE(IssueOnGw1WithoutGw2());
  const std::optional<std::string> token = TokenIn(CliFile());
  ASSERT_NO_FATAL_FAILURE(StartAgent("gw2", "gw2-old", {{"SEAM_FAULT", "stop:before-repair:shared"}}));
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw2-old"), "agent gw2: owns seam stream token/device-42 now"); }));
  ASSERT_TRUE(WaitFor([&] { return TokenIn(Gw()) == token; })) << LogOf("gw2-old");
  RenameReplace(Shared(), R"({"token": "edited-by-hand-edited-by-hand-edited-by-han"})");
  ASSERT_TRUE(WaitFor([&] { return Stopped("gw2-old"); })) << LogOf("gw2-old");

  ASSERT_NO_FATAL_FAILURE(StartAgent("gw2", "gw2-new"));
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw2-new"), "agent gw2: owns seam stream token/device-42 now"); }))
      << LogOf("gw2-new");
  ASSERT_TRUE(WaitFor([&] { return TokenIn(Shared()) == token; })) << LogOf("gw2-new");
  EXPECT_EQ(Query("SELECT agent, epoch FROM seam_owners"), "gw2|2\n");
  struct stat before {};
  ASSERT_EQ(::stat(Shared().c_str(), &before), 0);

  agents_["gw2-old"].Signal(SIGCONT);
  EXPECT_TRUE(WaitFor([&] {
    return Contains(LogOf("gw2-old"), "fenced off: epoch 1 is not current (gw2 holds its lease at epoch 2)");
  })) << LogOf("gw2-old");
  std::this_thread::sleep_for(milliseconds(300));
  struct stat after {};
  ASSERT_EQ(::stat(Shared().c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino) << "the frozen process wrote the shared side after it was fenced off";
  // The old process goes on as a second holder that owns nothing: it never takes the lease back.
  std::this_thread::sleep_for(milliseconds(1000));
  EXPECT_EQ(Query("SELECT agent, epoch FROM seam_owners"), "gw2|2\n");
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
}

// The database drops every seam connection (pg_terminate_backend: a restarted pooler, a failover
// of the server, an administrator), three times a second apart. The agents make their connections
// again on the next call: the owner keeps renewing its lease, the append watch listens again, and
// a rotation from gw1's host reaches gw2's side without waiting for the periodic full pass.
TEST_F(AgentsPgTest, AgentsCarryOnWhenTheServerDropsTheirConnections) {
  ASSERT_NO_FATAL_FAILURE(IssueOnGw1WithoutGw2());
  ASSERT_NO_FATAL_FAILURE(StartAgent("gw2"));
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw2"), "agent gw2: owns seam stream token/device-42 now"); }));
  ASSERT_NO_FATAL_FAILURE(StartAgent("gw1"));
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw1"), "seam device-token ("); })) << LogOf("gw1");
  ASSERT_TRUE(WaitFor([&] { return TokenIn(Gw()) == TokenIn(CliFile()); })) << LogOf("gw2");

  for (int round = 0; round < 3; ++round) {
    const std::string killed = Query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                     "WHERE application_name = 'seam' AND datname = current_database()");
    EXPECT_NE(killed, "0\n") << "no seam connection was open to drop";
    std::this_thread::sleep_for(milliseconds(1000));
  }

  // A drift right after the connections went: the owner repairs it at once (its pass makes the
  // connection again instead of failing into a back-off).
  const std::optional<std::string> issued = TokenIn(CliFile());
  Query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'seam' "
        "AND datname = current_database()");
  RenameReplace(Shared(), R"({"token": "edited-at-once-edited-at-once-edited-at-on"})");
  EXPECT_TRUE(WaitFor([&] { return TokenIn(Shared()) == issued; }, milliseconds(2000))) << LogOf("gw2") << LogOf("gw1");

  ProcessResult rotate = Seamctl({"token", "rotate", kSeam}, {{"SEAM_AGENT", "gw1"}});
  ASSERT_EQ(rotate.exit_code, 0) << rotate.out << rotate.err;
  EXPECT_TRUE(Contains(rotate.out, "  gateway: written and confirmed by agent gw2 (after ")) << rotate.out;
  const std::optional<std::string> rotated = TokenIn(CliFile());
  ASSERT_TRUE(rotated.has_value());
  EXPECT_TRUE(WaitFor([&] { return TokenIn(Gw()) == rotated; })) << LogOf("gw2");
  RenameReplace(Shared(), R"({"token": "edited-by-hand-edited-by-hand-edited-by-han"})");
  EXPECT_TRUE(WaitFor([&] { return TokenIn(Shared()) == rotated; })) << LogOf("gw2");
  // Both agents are still up, and the seam still has one owner.
  EXPECT_TRUE(Alive("gw1")) << LogOf("gw1");
  EXPECT_TRUE(Alive("gw2")) << LogOf("gw2");
  const std::string owner = Query("SELECT agent FROM seam_owners");
  EXPECT_TRUE(owner == "gw1\n" || owner == "gw2\n") << owner;
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
}

// Notifications with many hosts (issue 16): both agents run a [[notify]] webhook, only the seam's
// owner sends, and its cursor is a row of the store: the owner killed while its receiver is down,
// the agent that takes the seam over delivers what was owed, and nothing the first owner had
// delivered is sent again.
TEST_F(AgentsPgTest, OnlyTheOwnerNotifiesAndItsSuccessorGoesOnFromTheCursorInTheStore) {
  HttpReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  const unsigned short port = receiver.port();
  WriteConfig(AgentsConfig(server_->Url(db_)) + "\n[[notify]]\nname = \"hook\"\non = [\"drift_opened\", \"drift_closed\"]\n"
              "webhook = \"" + receiver.url() + "\"\n");
  ASSERT_NO_FATAL_FAILURE(IssueOnGw1WithoutGw2());
  const std::optional<std::string> token = TokenIn(CliFile());
  ASSERT_NO_FATAL_FAILURE(StartAgent("gw2"));
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw2"), "agent gw2: owns seam stream token/device-42 now"); }))
      << LogOf("gw2");
  EXPECT_TRUE(WaitFor([&] { return TokenIn(Gw()) == token; })) << LogOf("gw2");
  ASSERT_NO_FATAL_FAILURE(StartAgent("gw1"));
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw1"), "notify hook: first start") ||
                                   Contains(LogOf("gw1"), "seam device-token ("); }))
      << LogOf("gw1");
  auto drift_seqs = [&] {
    std::vector<std::int64_t> seqs;
    for (const nlohmann::json& e : LogEvents()) {
      if (e["type"] == "DriftOpened" || e["type"] == "DriftClosed") seqs.push_back(e["seq"]);
    }
    return seqs;
  };
  auto received = [&] {
    std::map<std::int64_t, int> seqs;
    for (const ReceivedRequest& r : receiver.Requests()) ++seqs[std::stoll(r.headers.at("x-seam-seq"))];
    return seqs;
  };
  const std::size_t before = drift_seqs().size();

  // The shared side drifts: gw2, the owner, repairs it and alone tells the receiver, once each.
  RenameReplace(Shared(), R"({"token": "edited-by-hand-edited-by-hand-edited-by-han"})");
  ASSERT_TRUE(WaitFor([&] { return drift_seqs().size() >= before + 2 && TokenIn(Shared()) == token; })) << LogOf("gw2");
  const std::vector<std::int64_t> first = drift_seqs();
  ASSERT_TRUE(WaitFor([&] { return received().size() >= first.size() - before; })) << LogOf("gw2");
  std::this_thread::sleep_for(milliseconds(1500));  // a second sender would have sent by now
  for (std::size_t i = before; i < first.size(); ++i) {
    EXPECT_EQ(received()[first[i]], 1) << "seq " << first[i] << " sent once, by the owner";
    EXPECT_TRUE(Contains(LogOf("gw2"), "notify hook: delivered seq " + std::to_string(first[i]))) << LogOf("gw2");
    EXPECT_FALSE(Contains(LogOf("gw1"), "notify hook: delivered seq " + std::to_string(first[i]))) << LogOf("gw1");
  }

  // The receiver goes down, the shared side drifts again, and the owner dies retrying.
  receiver.Stop();
  RenameReplace(Shared(), R"({"token": "edited-again-edited-again-edited-again-ed"})");
  ASSERT_TRUE(WaitFor([&] { return drift_seqs().size() >= first.size() + 2 && TokenIn(Shared()) == token; }))
      << LogOf("gw2");
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw2"), "notify hook: POST"); })) << LogOf("gw2");
  agents_["gw2"].Signal(SIGKILL);
  agents_["gw2"].Wait(kDeadline);
  ASSERT_TRUE(receiver.Start(port));
  // gw1 takes the seam over and delivers what its cursor says is owed.
  ASSERT_TRUE(WaitFor([&] { return Contains(LogOf("gw1"), "agent gw1: owns seam stream token/device-42 now"); }))
      << LogOf("gw1");
  const std::vector<std::int64_t> all = drift_seqs();
  ASSERT_TRUE(WaitFor([&] {
    const std::map<std::int64_t, int> got = received();
    return std::all_of(all.begin() + static_cast<std::ptrdiff_t>(before), all.end(),
                       [&](std::int64_t seq) { return got.contains(seq); });
  }, milliseconds(20000))) << LogOf("gw1");
  EXPECT_TRUE(Contains(LogOf("gw1"), "notify hook: 1 seam(s) became this agent's; delivering what they are owed"))
      << LogOf("gw1");
  std::this_thread::sleep_for(milliseconds(1000));
  const std::map<std::int64_t, int> got = received();
  for (std::size_t i = before; i < first.size(); ++i) {
    EXPECT_EQ(got.at(first[i]), 1) << "seq " << first[i] << ": delivered by gw2 before it died, not sent again";
  }
  for (std::size_t i = first.size(); i < all.size(); ++i) {
    EXPECT_TRUE(Contains(LogOf("gw1"), "notify hook: delivered seq " + std::to_string(all[i]))) << LogOf("gw1");
  }
  // The cursor is the store's row, at or past the last drift record.
  const std::string row = Query("SELECT seq FROM seam_notify_cursors WHERE target = 'hook' AND stream = 'token/device-42'");
  ASSERT_FALSE(row.empty());
  EXPECT_GE(std::stoll(row), all.back());
}

}  // namespace
}  // namespace seam::e2e
