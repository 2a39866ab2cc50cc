// seamd's drift records and its life under a service manager, with real processes: a drift made
// while seamd was SIGKILLed is found at restart and its DriftOpened brackets the downtime; the
// demo gateway killed and restarted from a stale backup is seen by its restart marker; a
// writer fighting the repairs makes the seam flapping; SIGTERM during a repair finishes it;
// sd_notify READY/RELOADING/STOPPING/WATCHDOG on a real notify socket.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "core/clock.h"
#include "tests/e2e/http_request.h"
#include "tests/e2e/demo_gateway_fixture.h"
#include "tests/e2e/seamd_fixture.h"

namespace seam::e2e {
namespace {


class SeamdDriftTest : public SeamdTest {};

TEST_F(SeamdDriftTest, ADriftMadeWhileSeamdWasKilledIsFoundAtRestartAndBracketsTheDowntime) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string token = CliToken().value();
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  // The start-up pass confirmed both sides in sync; the book is flushed within a second.
  const fs::path book = Root() / ".seam/confirmations.db";
  std::string confirmed;
  ASSERT_TRUE(WaitFor([&] {
    if (!fs::exists(book)) return false;
    ProcessResult q = RunSqlite(book, "SELECT confirmed_at_us FROM side_confirmations WHERE side = 'cli';");
    confirmed = q.out.substr(0, q.out.find('\n'));
    return q.exit_code == 0 && !confirmed.empty();
  })) << DaemonLog();
  const std::int64_t confirmed_us = std::stoll(confirmed);

  seamd_.Signal(SIGKILL);
  ASSERT_EQ(seamd_.Wait(kDeadline), 128 + SIGKILL);
  const std::int64_t edited_after = SystemClock().NowMicros();
  SetCliToken("edited-while-seamd-was-dead");
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  ASSERT_TRUE(WaitFor([&] { return CliToken() == token; })) << ReadFile(CliFile());
  ASSERT_TRUE(WaitFor([&] { return Types().back() == "DriftClosed"; })) << ::testing::PrintToString(Types());

  const std::vector<nlohmann::json> events = LogEvents();
  const std::vector<nlohmann::json> opened = OfType(events, "DriftOpened");
  ASSERT_EQ(opened.size(), 1U);
  const nlohmann::json& d = opened[0]["details"];
  EXPECT_EQ(d["side"], "cli");
  EXPECT_EQ(d["verdict"], "foreign");
  // The bracket: last seen in sync before seamd died, first seen drifted after the restart.
  EXPECT_EQ(d["last_in_sync_at"], FormatTimeMicros(confirmed_us)) << d.dump();
  EXPECT_LT(confirmed_us, edited_after);
  EXPECT_GT(d["first_seen_at"].get<std::string>(), FormatTimeMicros(edited_after)) << d.dump();
  EXPECT_FALSE(d["side_changed_at"].is_null()) << "the file's mtime";
  const nlohmann::json closed = OfType(events, "DriftClosed").back()["details"];
  EXPECT_EQ(closed["how"], "repaired");
  EXPECT_TRUE(Contains(closed["cause"].get<std::string>(), "SideRepaired by seamd:")) << closed.dump();
  EXPECT_EQ(closed["opened_version"], opened[0]["version"]);

  // `seamctl drift` tells this story with the same bracket: in sync before seamd died, found
  // drifted after its restart, repaired by seamd.
  ProcessResult story = Seamctl({"drift", kSeam, "--json"});
  ASSERT_EQ(story.exit_code, 0) << "closed: " << story.out << story.err;
  const nlohmann::json drift = nlohmann::json::parse(story.out, nullptr, false);
  ASSERT_TRUE(drift.is_object()) << story.out;
  EXPECT_FALSE(drift["open"].get<bool>());
  EXPECT_EQ(drift["drift"]["side"], "cli");
  EXPECT_EQ(drift["drift"]["last_in_sync_at"], FormatTimeMicros(confirmed_us));
  EXPECT_EQ(drift["drift"]["first_seen_at"], d["first_seen_at"]);
  EXPECT_EQ(drift["drift"]["closed"]["how"], "repaired");
  const std::string text = drift["text"].get<std::string>();
  EXPECT_TRUE(Contains(text, "last seen in sync " + FormatTimeMicros(confirmed_us))) << text;
  EXPECT_TRUE(Contains(text, "seamd:")) << text;
}

TEST_F(SeamdDriftTest, AWriterThatFightsTheRepairsMakesTheSeamFlappingUntilForced) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue({.repair_budget = "3/10m"}));
  const std::string token = CliToken().value();
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  // The other writer: puts its own value back every time seamd repairs the side.
  int writes = 0;
  for (; writes < 10; ++writes) {
    if (!OfType(LogEvents(), "SeamFlapping").empty()) break;
    SetCliToken("the-other-writer-" + std::to_string(writes));
    ASSERT_TRUE(WaitFor([&] {
      return CliToken() == token || !OfType(LogEvents(), "SeamFlapping").empty();
    })) << DaemonLog();
  }
  ASSERT_EQ(OfType(LogEvents(), "SeamFlapping").size(), 1U) << DaemonLog();
  EXPECT_EQ(OfType(LogEvents(), "SideRepaired").size(), 3U);
  int code = -1;
  nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(report["seams"][0]["status"], "flapping") << report.dump(2);
  // seamd leaves it alone now; the drift stays open.
  EXPECT_NE(CliToken(), token);
  EXPECT_FALSE(SideOf(report, "cli")["drift"].is_null()) << report.dump(2);

  // The operator deals with the writer, then forces one repair while seamd runs.
  ProcessResult forced = Seamctl({"repair", "--force", kSeam});
  EXPECT_EQ(forced.exit_code, 0) << forced.out << forced.err;
  EXPECT_EQ(CliToken(), token);
  EXPECT_EQ(OfType(LogEvents(), "FlappingCleared").size(), 1U);
  EXPECT_EQ(CheckCode(), 0);
}

TEST_F(SeamdDriftTest, SigtermDuringARepairFinishesAndRecordsItThenExitsZero) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  // cli's on_repair hook takes a while: long enough to send SIGTERM in the middle.
  std::string config = ReadFile(ConfigPath());
  config = config.replace(config.find("pointer = \"/token\"\n"), std::string("pointer = \"/token\"\n").size(),
                          "pointer = \"/token\"\non_repair = [\"/bin/sh\", \"-c\", \"touch hook.started; sleep 0.5\"]\n");
  WriteConfig(config);
  const std::string token = CliToken().value();
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  SetCliToken("edited");
  ASSERT_TRUE(WaitFor([&] { return fs::exists(Root() / "hook.started"); })) << DaemonLog();
  seamd_.Signal(SIGTERM);
  EXPECT_EQ(seamd_.Wait(kDeadline), 0) << DaemonLog();
  // The repair in flight was finished and recorded before seamd exited.
  EXPECT_EQ(CliToken(), token);
  const std::vector<std::string> types = Types();
  ASSERT_GE(types.size(), 3U);
  EXPECT_EQ(types[types.size() - 3], "DriftOpened");
  EXPECT_EQ(types[types.size() - 2], "SideRepaired");
  EXPECT_EQ(types.back(), "DriftClosed");
  EXPECT_EQ(CheckCode(), 0);
  EXPECT_TRUE(Contains(DaemonLog(), "SIGTERM: stopping")) << DaemonLog();
}

// A unix datagram socket standing in for systemd's $NOTIFY_SOCKET.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ok_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return ok_; }
  // The next message containing `needle` (earlier ones are kept in seen()); "" on timeout.
  std::string Await(const std::string& needle, milliseconds deadline = kDeadline) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0) return "";
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) continue;
      std::string msg(buf, static_cast<std::size_t>(n));
      seen_.push_back(msg);
      if (Contains(msg, needle)) return msg;
    }
  }
  const std::vector<std::string>& seen() const { return seen_; }

 private:
  fs::path path_;
  int fd_ = -1;
  bool ok_ = false;
  std::vector<std::string> seen_;
};

TEST_F(SeamdDriftTest, TellsTheServiceManagerReadyOnlyAfterTheStartUpRepair) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string token = CliToken().value();
  SetCliToken("drifted-before-start");
  NotifySocket notify(Root() / "notify.sock");
  ASSERT_TRUE(notify.ok());
  ASSERT_NO_FATAL_FAILURE(StartSeamd({kSeam}, {{"NOTIFY_SOCKET", (Root() / "notify.sock").string()},
                                                {"WATCHDOG_USEC", "300000"}}));
  const std::string ready = notify.Await("READY=1");
  ASSERT_FALSE(ready.empty()) << DaemonLog();
  // By READY the start-up pass has repaired the side: units ordered after seamd see it agreed.
  EXPECT_EQ(CliToken(), token);
  EXPECT_TRUE(Contains(ready, "STATUS=1 seam(s): 1 in_sync")) << ready;
  // The watchdog is pinged (every 150 ms here).
  EXPECT_FALSE(notify.Await("WATCHDOG=1").empty());
  EXPECT_FALSE(notify.Await("WATCHDOG=1").empty());

  seamd_.Signal(SIGHUP);
  EXPECT_FALSE(notify.Await("RELOADING=1").empty()) << DaemonLog();
  EXPECT_FALSE(notify.Await("READY=1").empty()) << DaemonLog();
  seamd_.Signal(SIGTERM);
  EXPECT_FALSE(notify.Await("STOPPING=1").empty()) << DaemonLog();
  EXPECT_EQ(seamd_.Wait(kDeadline), 0);
}

// The demo story under seamd: the gateway (a real demo-gateway over HTTP) is killed and comes
// back from a stale backup on the same port. Its restart marker (started_at in every pairing
// response) changes: seamd records SideRestarted, the gateway's drift is dated by the
// marker, and the seam is repaired on the next poll.
class SeamdGatewayTest : public DemoGatewayTest {
 protected:
  // `gateway_keys`: more keys of the gateway side (e.g. may_revoke).
  void WritePairingConfig(const std::string& interval = "1s", const std::string& gateway_keys = "") {
    WriteConfig(R"([store]
path = ".seam/events.db"

[[seam]]
name = "device-42"
kind = "pairing"
entity = "device-42"
interval = ")" + interval + R"("
order = ["gateway", "cli"]

[seam.sides.gateway]
plugin = "http-json"
url = "http://127.0.0.1:)" + std::to_string(port_) + R"(/pairings/device-42"
transform = "sha256-hex"
restart_marker = "/started_at"
)" + gateway_keys + R"([seam.sides.gateway.fields]
device_id = "/device_id"
token = "/token_sha256"

[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
[seam.sides.cli.fields]
device_id = "/device_id"
token = "/token"
)");
  }
};

TEST_F(SeamdGatewayTest, AGatewayRestartedFromAStaleBackupIsSeenByItsRestartMarkerAndRepaired) {
  fs::create_directories(Root() / "gateway");
  fs::create_directories(Root() / "cli");
  ASSERT_NO_FATAL_FAILURE(StartGateway());
  WritePairingConfig();
  ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  ASSERT_EQ(Seamctl({"pair", "device-42", "--device", "device-42"}).exit_code, 0);
  fs::copy_file(Root() / "gateway/gateway.db", Root() / "gateway/backup.db");
  ASSERT_EQ(Seamctl({"token", "rotate", "device-42"}).exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(StartSeamd({"device-42"}));
  ASSERT_TRUE(WaitFor([&] { return !OfType(LogEvents(), "SideRestarted").empty(); })) << DaemonLog();

  // The careless restart: killed, back from the backup taken before the rotation.
  StopGateway();
  const std::int64_t restarted_after = SystemClock().NowMicros();
  ASSERT_NO_FATAL_FAILURE(StartGateway({"--restore", (Root() / "gateway/backup.db").string()}));
  ASSERT_TRUE(WaitFor([&] { return !OfType(LogEvents(), "DriftClosed").empty(); }, milliseconds(15000)))
      << DaemonLog();
  EXPECT_EQ(CheckCode(), 0) << Seamctl({"check"}).out;

  const std::vector<nlohmann::json> events = LogEvents();
  const std::vector<nlohmann::json> restarts = OfType(events, "SideRestarted");
  ASSERT_EQ(restarts.size(), 2U) << "first sight, then the restart";
  EXPECT_EQ(restarts[1]["details"]["side"], "gateway");
  EXPECT_EQ(restarts[1]["details"]["previous_marker"], restarts[0]["details"]["marker"]);
  const std::string started_at = restarts[1]["details"]["started_at"].get<std::string>();
  EXPECT_GE(started_at, FormatTimeMicros(restarted_after));
  const std::vector<nlohmann::json> opened = OfType(events, "DriftOpened");
  ASSERT_EQ(opened.size(), 1U);
  EXPECT_EQ(opened[0]["details"]["side"], "gateway");
  EXPECT_EQ(opened[0]["details"]["verdict"], "lagging");
  EXPECT_EQ(opened[0]["details"]["holds_version"], 1);
  // The drift is dated by the gateway's own start time (the marker).
  EXPECT_EQ(opened[0]["details"]["side_changed_at"], restarts[1]["details"]["started_at"]);
  EXPECT_EQ(OfType(events, "DriftClosed")[0]["details"]["how"], "repaired");
}

// The same careless restart with a poll ten minutes away: seamd holds an idle connection to the
// gateway (tools/seamd/endpoint_watch.h), sees it closed, and looks again the moment the
// gateway accepts connections. Only that can repair it within the test's 15 s.
TEST_F(SeamdGatewayTest, ARestartedServerIsLookedAtWhenItAcceptsAgainNotAtTheNextPoll) {
  fs::create_directories(Root() / "gateway");
  fs::create_directories(Root() / "cli");
  ASSERT_NO_FATAL_FAILURE(StartGateway());
  WritePairingConfig("10m");
  ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  ASSERT_EQ(Seamctl({"pair", "device-42", "--device", "device-42"}).exit_code, 0);
  fs::copy_file(Root() / "gateway/gateway.db", Root() / "gateway/backup.db");
  ASSERT_EQ(Seamctl({"token", "rotate", "device-42"}).exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(StartSeamd({"device-42"}));
  ASSERT_TRUE(WaitFor([&] { return !OfType(LogEvents(), "SideRestarted").empty(); })) << DaemonLog();
  ASSERT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "watching 1 server(s) for restarts"); })) << DaemonLog();

  StopGateway();
  ASSERT_NO_FATAL_FAILURE(StartGateway({"--restore", (Root() / "gateway/backup.db").string()}));
  ASSERT_TRUE(WaitFor([&] { return !OfType(LogEvents(), "DriftClosed").empty(); }, milliseconds(15000)))
      << DaemonLog();
  EXPECT_EQ(CheckCode(), 0) << Seamctl({"check"}).out;
  EXPECT_EQ(OfType(LogEvents(), "DriftClosed")[0]["details"]["how"], "repaired");
}

// An admin revokes the device on the gateway (DELETE, 204). With `may_revoke` on the gateway
// side, seamd records the removal (PairingRemoved, "removed on side gateway") and removes the
// pairing from the CLI, instead of re-creating it; it stays revoked.
TEST_F(SeamdGatewayTest, ADeviceRevokedOnTheGatewayWithMayRevokeStaysRevoked) {
  fs::create_directories(Root() / "gateway");
  fs::create_directories(Root() / "cli");
  ASSERT_NO_FATAL_FAILURE(StartGateway());
  WritePairingConfig("1s", "may_revoke = \"true\"\n");
  ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  ASSERT_EQ(Seamctl({"pair", "device-42", "--device", "device-42"}).exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(StartSeamd({"device-42"}));
  ASSERT_TRUE(WaitFor([&] { return !OfType(LogEvents(), "SideRestarted").empty(); })) << DaemonLog();

  ASSERT_EQ(Request(boost::beast::http::verb::delete_, "/pairings/device-42"), 204);
  ASSERT_TRUE(WaitFor([&] { return !OfType(LogEvents(), "PairingRemoved").empty(); }, milliseconds(15000)))
      << DaemonLog();
  const nlohmann::json removed = OfType(LogEvents(), "PairingRemoved").at(0);
  EXPECT_EQ(removed["details"]["reason"], "removed on side gateway");
  EXPECT_TRUE(WaitFor([&] { return !Contains(ReadFile(Root() / "cli/paired.json"), "\"token\""); }))
      << ReadFile(Root() / "cli/paired.json");
  // Three polls later: still revoked on the gateway, nothing re-created, the seam in agreement.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(Request(boost::beast::http::verb::get, "/pairings/device-42"), 404);
  EXPECT_TRUE(OfType(LogEvents(), "PairingCreated").size() == 1U);
  EXPECT_EQ(OfType(LogEvents(), "PairingRemoved").size(), 1U);
  EXPECT_EQ(CheckCode(), 0) << Seamctl({"check"}).out;
}

// The same "absent" from a gateway restored from a backup taken before the pairing is not a
// revocation: its restart marker changed, so the pairing is written back.
TEST_F(SeamdGatewayTest, AGatewayRestoredFromABackupWithoutThePairingIsRepairedNotRevoked) {
  fs::create_directories(Root() / "gateway");
  fs::create_directories(Root() / "cli");
  ASSERT_NO_FATAL_FAILURE(StartGateway());
  WritePairingConfig("1s", "may_revoke = \"true\"\n");
  ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  ASSERT_EQ(Request(boost::beast::http::verb::get, "/pairings/device-42"), 404);  // the gateway's database exists
  fs::copy_file(Root() / "gateway/gateway.db", Root() / "gateway/backup.db");
  ASSERT_EQ(Seamctl({"pair", "device-42", "--device", "device-42"}).exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(StartSeamd({"device-42"}));
  ASSERT_TRUE(WaitFor([&] { return !OfType(LogEvents(), "SideRestarted").empty(); })) << DaemonLog();

  StopGateway();
  ASSERT_NO_FATAL_FAILURE(StartGateway({"--restore", (Root() / "gateway/backup.db").string()}));
  ASSERT_TRUE(WaitFor([&] { return !OfType(LogEvents(), "DriftClosed").empty(); }, milliseconds(15000)))
      << DaemonLog();
  EXPECT_EQ(Request(boost::beast::http::verb::get, "/pairings/device-42"), 200);
  EXPECT_TRUE(OfType(LogEvents(), "PairingRemoved").empty());
  EXPECT_EQ(CheckCode(), 0) << Seamctl({"check"}).out;
}

}  // namespace
}  // namespace seam::e2e
