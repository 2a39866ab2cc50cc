// seamd's status listener (--listen) as a real process answering real HTTP on 127.0.0.1:
// /healthz, /status (the check --json schema from the last pass), /metrics (Prometheus text),
// POST /reconcile, the limits, the loopback-only rule and the bearer token; and `seamctl
// status` against the running daemon and a dead port. Waits are conditions with a deadline.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "tests/e2e/daemon_process.h"
#include "tests/e2e/http_request.h"
#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

// The 1-based line of `config` whose text starts with `key`.
int ConfigLine(const std::string& config, const std::string& key) {
  int line = 1;
  for (std::size_t at = 0; at < config.size(); at = config.find('\n', at) + 1, ++line) {
    if (config.compare(at, key.size(), key) == 0) return line;
    if (config.find('\n', at) == std::string::npos) break;
  }
  return 0;
}

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using seam::testing::ReadFile;
using seam::testing::WriteFile;
using std::chrono::milliseconds;

constexpr milliseconds kDeadline{5000};

bool WaitFor(const std::function<bool()>& condition, milliseconds deadline = kDeadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(milliseconds(15));
  }
}

// The samples of a Prometheus text exposition: "name{labels}" -> value (comments skipped).
std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

std::map<std::string, double> ParseMetrics(const std::string& text) {
  std::map<std::string, double> samples;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

class SeamdStatusTest : public SeamctlTest {
 protected:
  fs::path DaemonLogFile() const { return Root() / "seamd.log"; }
  std::string DaemonLog() const { return ReadFile(DaemonLogFile()); }
  fs::path PortFile() const { return Root() / "seamd.port"; }

  // Starts seamd listening on an ephemeral loopback port (plus `extra` flags) and waits for
  // the port file and the start-up pass.
  void StartSeamd(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {SEAMD_PATH, "-c", ConfigPath().string(), "--log-level", "debug",
                                     "--listen", "127.0.0.1:0", "--port-file", PortFile().string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::string error;
    ASSERT_TRUE(seamd_.Start(argv, Root(), DaemonLogFile(), {},
                             {"SEAM_CONFIG", "SEAM_LOG_LEVEL", "SEAM_FAULT", "SEAM_ACTOR"}, &error))
        << error;
    ASSERT_TRUE(WaitFor([&] { return fs::exists(PortFile()) && !ReadFile(PortFile()).empty(); })) << DaemonLog();
    port_ = static_cast<unsigned short>(std::stoul(ReadFile(PortFile())));
    ASSERT_TRUE(WaitFor([&] { return Contains(DaemonLog(), std::string("seam ") + kSeam + " ("); })) << DaemonLog();
  }
  // Runs seamd with `args` and expects exit 2 with one line on stderr containing `needle`.
  void ExpectRefused(const std::vector<std::string>& args, const std::string& needle) {
    std::vector<std::string> argv = {SEAMD_PATH, "-c", ConfigPath().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string error;
    ASSERT_TRUE(seamd_.Start(argv, Root(), DaemonLogFile(), {}, {"SEAM_CONFIG", "SEAM_LOG_LEVEL"}, &error)) << error;
    EXPECT_EQ(seamd_.Wait(kDeadline), 2);
    const std::string log = DaemonLog();
    EXPECT_EQ(log.rfind("seamd: error: ", 0), 0u) << log;
    EXPECT_TRUE(Contains(log, needle)) << log;
    EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
  }
  void TearDown() override {
    if (seamd_.running()) {
      seamd_.Signal(SIGTERM);
      EXPECT_EQ(seamd_.Wait(kDeadline), 0) << DaemonLog();
    }
    if (HasFailure()) std::cerr << "--- seamd log ---\n" << DaemonLog();
  }

  nlohmann::json Status() {
    const HttpReply r = Http(port_, http::verb::get, "/status");
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  }
  std::map<std::string, double> Metrics() {
    const HttpReply r = Http(port_, http::verb::get, "/metrics");
    EXPECT_EQ(r.status, 200) << r.body;
    return ParseMetrics(r.body);
  }

  DaemonProcess seamd_;
  unsigned short port_ = 0;
};

TEST_F(SeamdStatusTest, HealthzStatusAndMetricsBeforeAndAfterARepair) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string token = CliToken().value();
  ASSERT_NO_FATAL_FAILURE(StartSeamd());

  HttpReply health = Http(port_, http::verb::get, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(nlohmann::json::parse(health.body, nullptr, false), nlohmann::json({{"status", "ok"}})) << health.body;

  nlohmann::json status = Status();
  ASSERT_TRUE(status.is_object() && status["seams"].size() == 1) << status.dump(2);
  const nlohmann::json seam = status["seams"][0];
  EXPECT_EQ(seam["name"], kSeam);
  EXPECT_EQ(seam["status"], "in_sync");
  EXPECT_TRUE(seam["last_pass_at"].is_string()) << seam.dump(2);
  EXPECT_EQ(seam["sides"].size(), 2u);
  // On a store one host keeps this seamd owns every seam, unfenced (README "Many hosts").
  EXPECT_TRUE(status["agent"].is_string() && !status["agent"].get<std::string>().empty()) << status.dump(2);
  EXPECT_EQ(seam["owner"], nlohmann::json({{"agent", status["agent"]}, {"epoch", 0}, {"held", true},
                                           {"this_process", true}}));
  // Each side with who observed it and when: this seamd, at its last pass.
  for (const nlohmann::json& side : seam["sides"]) {
    EXPECT_EQ(side["agent"], status["agent"]) << seam.dump(2);
    EXPECT_EQ(side["observed_at"], seam["last_pass_at"]) << seam.dump(2);
    EXPECT_TRUE(side["age_s"].is_number() && side["age_s"].get<double>() >= 0) << seam.dump(2);
  }
  // The same schema as `check --json` (plus last_pass_at, owner and the observers).
  nlohmann::json check = CheckJson()["seams"][0];
  nlohmann::json without_time = seam;
  without_time.erase("last_pass_at");
  without_time.erase("owner");
  for (nlohmann::json& side : without_time["sides"]) {
    side.erase("agent");
    side.erase("observed_at");
    side.erase("age_s");
  }
  EXPECT_EQ(without_time, check) << without_time.dump(2) << check.dump(2);

  std::map<std::string, double> metrics = Metrics();
  EXPECT_EQ(metrics["seam_in_sync{seam=\"device-token\"}"], 1);
  EXPECT_EQ(metrics["seam_side_verdict{seam=\"device-token\",side=\"cli\",verdict=\"in_sync\"}"], 1);
  EXPECT_EQ(metrics["seam_side_verdict{seam=\"device-token\",side=\"cli\",verdict=\"foreign\"}"], 0);
  EXPECT_GE(metrics["seam_reconcile_duration_seconds_count"], 1);
  EXPECT_EQ(metrics["seam_reconcile_duration_seconds_bucket{le=\"+Inf\"}"], metrics["seam_reconcile_duration_seconds_count"]);
  EXPECT_EQ(metrics.count("seam_repairs_total{seam=\"device-token\",side=\"cli\",result=\"ok\"}"), 0u);
  // The lanes passes run on (tools/seamd/pass_lanes.h): the slow lane has [daemon] workers
  // (default 4) threads; nothing is queued or running once the start-up pass is over.
  EXPECT_GE(metrics["seamd_workers{lane=\"file\"}"], 1);
  EXPECT_EQ(metrics["seamd_workers{lane=\"slow\"}"], 4);
  EXPECT_EQ(metrics["seamd_workers{lane=\"network\"}"], 1);
  EXPECT_EQ(metrics.count("seamd_queue_depth{lane=\"file\"}"), 1u);
  EXPECT_EQ(metrics["seamd_queue_depth{lane=\"slow\"}"], 0);
  EXPECT_EQ(metrics.count("seamd_workers_busy{lane=\"slow\"}"), 1u);
  const double events_before = metrics["seam_log_events_total"];
  EXPECT_GE(events_before, 2);
  EXPECT_TRUE(Contains(Http(port_, http::verb::get, "/metrics").content_type, "version=0.0.4"));

  // A foreign edit, which seamd repairs: the status shows the last pass, the counters count it.
  SetCliToken("edited-behind-seams-back");
  ASSERT_TRUE(WaitFor([&] { return CliToken() == token; })) << DaemonLog();
  ASSERT_TRUE(WaitFor([&] {
    return Metrics()["seam_repairs_total{seam=\"device-token\",side=\"cli\",result=\"ok\"}"] == 1;
  })) << Http(port_, http::verb::get, "/metrics").body;
  // The head as seamd's append watch last read it: the repair's events show within a second.
  ASSERT_TRUE(WaitFor([&] { return Metrics()["seam_log_events_total"] > events_before; }));
  metrics = Metrics();
  EXPECT_EQ(metrics["seam_in_sync{seam=\"device-token\"}"], 1);
  EXPECT_EQ(metrics.count("seam_repairs_total{seam=\"device-token\",side=\"cli\",result=\"failed\"}"), 0u);
  status = Status();
  EXPECT_EQ(status["seams"][0]["status"], "in_sync") << status.dump(2);
  EXPECT_EQ(SideOf(status, "cli")["verdict"], "in_sync");
}

TEST_F(SeamdStatusTest, TheListenerRefusesWhatItDoesNotServe) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  EXPECT_EQ(Http(port_, http::verb::get, "/nothing-here").status, 404);
  EXPECT_EQ(Http(port_, http::verb::post, "/status").status, 405);
  EXPECT_EQ(Http(port_, http::verb::get, "/reconcile?seam=device-token").status, 405);
  EXPECT_EQ(Http(port_, http::verb::post, "/reconcile?seam=no-such-seam").status, 404);
  // Bytes that are not UTF-8 in the name are answered (404), not a crash.
  const HttpReply not_utf8 = Http(port_, http::verb::post, "/reconcile?seam=%FF%FEx");
  EXPECT_EQ(not_utf8.status, 404) << not_utf8.body;
  EXPECT_EQ(Http(port_, http::verb::get, "/healthz").status, 200);
  EXPECT_EQ(Http(port_, http::verb::post, "/reconcile").status, 400);
  EXPECT_EQ(Http(port_, http::verb::post, "/reconcile?seam=device-token", "", std::string(2048, 'x')).status, 413);
  // Still serving.
  EXPECT_EQ(Http(port_, http::verb::get, "/healthz").status, 200);
}

// An exec side polled once an hour: POST /reconcile makes the repair happen now.
TEST_F(SeamdStatusTest, PostReconcileRunsAPassNow) {
  WriteExecVaultSeam("1h");
  ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  ASSERT_EQ(Seamctl({"token", "issue", kSeam}).exit_code, 0);
  const std::string token = CliToken().value();
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  WriteFile(Root() / "vault.txt", "rotated-behind-seams-back\n");
  const HttpReply queued = Http(port_, http::verb::post, "/reconcile?seam=device-token");
  EXPECT_EQ(queued.status, 202) << queued.body;
  ASSERT_TRUE(WaitFor([&] { return ReadFile(Root() / "vault.txt") == token + "\n"; })) << DaemonLog();
  EXPECT_TRUE(Contains(DaemonLog(), "pass (POST /reconcile)")) << DaemonLog();
  EXPECT_TRUE(WaitFor([&] {
    return Metrics()["seam_repairs_total{seam=\"device-token\",side=\"vault\",result=\"ok\"}"] == 1;
  }));
}

// A drift seamd may not repair (repair = "manual") stays open: /status gives its start times,
// /metrics its age; once fixed by hand both say it is over.
TEST_F(SeamdStatusTest, AnOpenDriftShowsItsStartInStatusAndItsAgeInMetrics) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue({.repair = "manual"}));
  const std::string good = ReadFile(CliFile());
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  SetCliToken("edited-by-hand");
  const std::string series = "seam_drift_open_seconds{seam=\"device-token\",side=\"cli\"}";
  nlohmann::json drift;
  ASSERT_TRUE(WaitFor([&] {
    const nlohmann::json status = Status();
    drift = SideOf(status, "cli")["drift"];
    return drift.is_object();
  })) << DaemonLog();
  EXPECT_EQ(drift["verdict"], "foreign");
  const std::vector<nlohmann::json> events = LogEvents();
  ASSERT_EQ(events.back()["type"], "DriftOpened");
  EXPECT_EQ(drift["first_seen_at"], events.back()["details"]["first_seen_at"]);
  EXPECT_EQ(drift["last_in_sync_at"], events.back()["details"]["last_in_sync_at"]);
  EXPECT_FALSE(drift["last_in_sync_at"].is_null()) << "confirmed by the start-up pass";
  EXPECT_TRUE(WaitFor([&] { return Metrics().count(series) == 1; }));
  EXPECT_GE(Metrics()[series], 0.0);

  WriteFile(CliFile(), good);  // put back by hand
  ASSERT_TRUE(WaitFor([&] { return SideOf(Status(), "cli")["drift"].is_null(); })) << DaemonLog();
  EXPECT_EQ(Metrics().count(series), 0U);
  EXPECT_EQ(LogEvents().back()["details"]["how"], "external");
}

// A side seamd cannot read (another program left invalid JSON) is an unreadable spell: one
// SideUnreadable however many passes see it, its age in /metrics and /status, a grey band on the
// page, the spell in `seamctl audit`; the file is never written over. Read again, the spell
// stays open for seamd's 60 s hold (a side that flaps is one spell).
TEST_F(SeamdStatusTest, AnUnreadableSideIsOneSpellOnTheRecordWithItsAgeInMetrics) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string token = CliToken().value();
  const std::string good = ReadFile(CliFile());
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  const std::string series = "seam_side_unreadable_seconds{seam=\"device-token\",side=\"cli\"}";
  EXPECT_EQ(Metrics().count(series), 0U);
  const std::string broken = "{\"token\": \"" + token + "\",\n  oops}";
  WriteFile(CliFile(), broken);
  ASSERT_TRUE(WaitFor([&] { return Metrics().count(series) == 1; })) << DaemonLog();
  // More changes, more passes: still one spell.
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(milliseconds(200));
    WriteFile(CliFile(), broken + std::string(static_cast<std::size_t>(i), ' '));
  }
  ASSERT_TRUE(WaitFor([&] { return Metrics()[series] >= 1.0; })) << DaemonLog();
  // The scrape, new series included, is what Prometheus' own linter accepts.
  const fs::path scrape = Root() / "scrape.txt";
  WriteFile(scrape, Http(port_, http::verb::get, "/metrics").body);
  ProcessResult lint = RunProcess({"sh", "-c", "promtool check metrics < \"$0\"", scrape.string()});
  EXPECT_EQ(lint.exit_code, 0) << "promtool (Debian package prometheus): " << lint.out << lint.err;
  std::vector<std::string> types = EventTypes(LogEvents());
  EXPECT_EQ(std::count(types.begin(), types.end(), "SideUnreadable"), 1) << ::testing::PrintToString(types);
  EXPECT_EQ(std::count(types.begin(), types.end(), "DriftOpened"), 0);
  EXPECT_EQ(std::count(types.begin(), types.end(), "SideRepaired"), 0);
  const std::vector<nlohmann::json> events = LogEvents();
  nlohmann::json spell;
  for (const nlohmann::json& e : events) {
    if (e["type"] == "SideUnreadable") spell = e["details"];
  }
  EXPECT_EQ(spell["side"], "cli");
  EXPECT_TRUE(Contains(spell["reason"].get<std::string>(), "invalid JSON at line 2")) << spell.dump();
  const nlohmann::json side = SideOf(Status(), "cli");
  EXPECT_EQ(side["verdict"], "unreadable");
  EXPECT_EQ(side["unreadable_since"], spell["since"]) << side.dump();
  EXPECT_EQ(Metrics()["seam_flapping{seam=\"device-token\"}"], 0);
  EXPECT_TRUE(Contains(ReadFile(CliFile()), "oops")) << "never written over";

  // Readable again: the spell stays open (the 60 s hold), the series goes.
  WriteFile(CliFile(), good);
  ASSERT_TRUE(WaitFor([&] { return Metrics().count(series) == 0; })) << DaemonLog();
  types = EventTypes(LogEvents());
  EXPECT_EQ(std::count(types.begin(), types.end(), "SideReadable"), 0) << ::testing::PrintToString(types);

  ProcessResult audit = Seamctl({"audit", kSeam, "--json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.out << audit.err;
  const nlohmann::json a = nlohmann::json::parse(audit.out, nullptr, false);
  ASSERT_TRUE(a.is_object()) << audit.out;
  ASSERT_EQ(a["unreadable"].size(), 1U) << a.dump(2);
  EXPECT_EQ(a["unreadable"][0]["side"], "cli");
  EXPECT_EQ(a["unreadable"][0]["since"], spell["since"]);
  EXPECT_TRUE(a["unreadable"][0]["until"].is_null());
  ProcessResult text = Seamctl({"audit", kSeam});
  EXPECT_TRUE(Contains(text.out, "unreadable:\n  cli from ")) << text.out;
  const HttpReply page = Http(port_, http::verb::get, "/");
  EXPECT_TRUE(Contains(page.body, "<rect class=\"seg unreadable\" data-seam=\"device-token\" data-side=\"cli\""))
      << page.body.substr(0, 2000);
  for (const std::string& out : {audit.out, text.out, page.body, DaemonLog()}) EXPECT_FALSE(Contains(out, token));
}

// GET / is the audit page of every seam, live: it reloads itself, and a drift seamd repaired
// shows on it (a repair mark, a closed foreign spell on the side).
TEST_F(SeamdStatusTest, TheRootIsTheLiveTimelinePage) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string token = CliToken().value();
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  SetCliToken("edited");
  ASSERT_TRUE(WaitFor([&] { return CliToken() == token; })) << DaemonLog();
  ASSERT_TRUE(WaitFor([&] { return LogEvents().back()["type"] == "DriftClosed"; })) << DaemonLog();
  const HttpReply page = Http(port_, http::verb::get, "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(Contains(page.body, "<meta http-equiv=\"refresh\" content=\"5\"")) << page.body.substr(0, 500);
  EXPECT_TRUE(Contains(page.body, "device-token"));
  EXPECT_TRUE(Contains(page.body, "<g class=\"mark repair\""));
  EXPECT_TRUE(Contains(page.body, "<rect class=\"seg foreign\" data-seam=\"device-token\" data-side=\"cli\""));
  EXPECT_FALSE(Contains(page.body, token));
  EXPECT_EQ(Http(port_, http::verb::post, "/").status, 405);
}

// The page leads with what needs a person: a summary of every seam's status, the drifting seam
// first, the unknown one next, the seam in sync last (config order puts it first); ?status=
// shows one status only, and an unknown status is refused.
TEST_F(SeamdStatusTest, ThePageLeadsWithTheSeamsThatNeedAPerson) {
  WriteConfig(StandardConfig() + R"(
[[seam]]
name = "z-drifting"
kind = "value"
entity = "z"
secret = "false"
repair = "manual"
[seam.sides.app]
plugin = "env-file"
path = "app/.env"
variable = "API_URL"

[[seam]]
name = "m-unreadable"
kind = "value"
entity = "m"
secret = "false"
[seam.sides.worker]
plugin = "yaml-file"
path = "worker/config.yaml"
pointer = "/api/url"
)");
  WriteFreshSides();
  WriteFile(Root() / "app/.env", "API_URL=unset\n");
  WriteFile(Root() / "worker/config.yaml", "api:\n  url: unset\n");
  ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  ASSERT_EQ(Seamctl({"token", "issue", kSeam}).exit_code, 0);
  ASSERT_EQ(Seamctl({"value", "set", "z-drifting", "--value", "https://one.example"}).exit_code, 0);
  ASSERT_EQ(Seamctl({"value", "set", "m-unreadable", "--value", "https://two.example"}).exit_code, 0);
  WriteFile(Root() / "app/.env", "API_URL=https://edited.example\n");
  WriteFile(Root() / "worker/config.yaml", "api:\n  url: [unclosed\n");
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  auto status_of = [&](const std::string& seam) {
    const nlohmann::json status = Status();
    for (const nlohmann::json& s : status["seams"]) {
      if (s["name"] == seam) return s["status"].get<std::string>();
    }
    return std::string();
  };
  ASSERT_TRUE(WaitFor([&] { return status_of("z-drifting") == "drift" && status_of("m-unreadable") == "unknown"; }))
      << Status().dump(2);

  const HttpReply page = Http(port_, http::verb::get, "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(Contains(page.body, "<h1>seamd: 3 seams</h1>\n<p class=\"summary\">3 seams: 1 drifting, 1 unknown, 1 in sync</p>"))
      << page.body.substr(0, 3000);
  const std::size_t drifting = page.body.find("<section class=\"seam\" data-seam=\"z-drifting\" data-status=\"drift\">");
  const std::size_t unknown = page.body.find("<section class=\"seam\" data-seam=\"m-unreadable\" data-status=\"unknown\">");
  const std::size_t in_sync = page.body.find("<section class=\"seam\" data-seam=\"device-token\" data-status=\"in_sync\">");
  ASSERT_NE(drifting, std::string::npos) << page.body.substr(0, 3000);
  ASSERT_NE(unknown, std::string::npos);
  ASSERT_NE(in_sync, std::string::npos);
  EXPECT_LT(drifting, unknown);
  EXPECT_LT(unknown, in_sync);

  const HttpReply only = Http(port_, http::verb::get, "/?status=drift");
  ASSERT_EQ(only.status, 200);
  EXPECT_TRUE(Contains(only.body, "data-seam=\"z-drifting\""));
  EXPECT_FALSE(Contains(only.body, "<section class=\"seam\" data-seam=\"device-token\""));
  EXPECT_FALSE(Contains(only.body, "<section class=\"seam\" data-seam=\"m-unreadable\""));
  EXPECT_TRUE(Contains(only.body, "<p class=\"filter\">Showing the 1 with status drift. Show: ")) << only.body.substr(0, 3000);
  EXPECT_TRUE(Contains(only.body, "3 seams: 1 drifting, 1 unknown, 1 in sync")) << "the summary counts every seam";
  const HttpReply bogus = Http(port_, http::verb::get, "/?status=purple");
  EXPECT_EQ(bogus.status, 400);
  EXPECT_TRUE(Contains(bogus.body, "unknown status in ?status=; use drift, flapping, unknown, in_sync or unset")) << bogus.body;
}

TEST_F(SeamdStatusTest, ANonLoopbackAddressIsRefused) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ASSERT_NO_FATAL_FAILURE(ExpectRefused({"--listen", "192.0.2.1:0"}, "is not a loopback address"));
}

TEST_F(SeamdStatusTest, AllowRemoteWithoutATokenFileIsRefused) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ASSERT_NO_FATAL_FAILURE(ExpectRefused({"--listen", "0.0.0.0:0", "--allow-remote"}, "--allow-remote needs --token-file"));
}

TEST_F(SeamdStatusTest, WithATokenFileEveryRequestNeedsTheBearerToken) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string secret = "status-token-0123456789";
  WriteFile(Root() / "status.token", secret + "\n");
  ASSERT_NO_FATAL_FAILURE(StartSeamd({"--allow-remote", "--token-file", (Root() / "status.token").string()}));
  EXPECT_EQ(Http(port_, http::verb::get, "/status").status, 401);
  EXPECT_EQ(Http(port_, http::verb::get, "/healthz").status, 401);
  EXPECT_EQ(Http(port_, http::verb::get, "/status", "wrong-token").status, 401);
  EXPECT_EQ(Http(port_, http::verb::post, "/reconcile?seam=device-token").status, 401);
  EXPECT_EQ(Http(port_, http::verb::get, "/status", secret).status, 200);
  EXPECT_EQ(Http(port_, http::verb::get, "/metrics", secret).status, 200);

  const std::string url = "http://127.0.0.1:" + std::to_string(port_);
  ProcessResult without = Seamctl({"status", "--daemon", url});
  EXPECT_EQ(without.exit_code, 2) << without.out << without.err;
  EXPECT_TRUE(Contains(without.err, "401")) << without.err;
  ProcessResult with = Seamctl({"status", "--daemon", url, "--token-file", (Root() / "status.token").string()});
  EXPECT_EQ(with.exit_code, 0) << with.out << with.err;
  EXPECT_FALSE(Contains(DaemonLog() + without.err + with.out + with.err, secret));
}

// [daemon] token_file, and a browser behind it: GET / without the token links to /login, whose
// form (the token typed once) sets a session cookie; the cookie opens the pages but not
// POST /reconcile; a wrong token sets none. `seamctl status` sends the config's token itself.
TEST_F(SeamdStatusTest, ABrowserLogsInOnceBehindTheConfigsTokenFile) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string secret = "page-token-0123456789+/=";
  WriteFile(Root() / "status.token", secret + "\n");
  // [daemon] listen takes a real port (no 0): one the kernel just gave out, then released.
  unsigned short free_port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    free_port = probe.local_endpoint().port();
  }
  std::string config = ReadFile(ConfigPath());
  config.insert(config.find("[[seam]]"), "[daemon]\nlisten = \"127.0.0.1:" + std::to_string(free_port) +
                                             "\"\ntoken_file = \"status.token\"\n\n");
  WriteConfig(config);
  std::vector<std::string> argv = {SEAMD_PATH, "-c", ConfigPath().string(), "--port-file", PortFile().string()};
  std::string error;
  ASSERT_TRUE(seamd_.Start(argv, Root(), DaemonLogFile(), {}, {"SEAM_CONFIG", "SEAM_LOG_LEVEL"}, &error)) << error;
  ASSERT_TRUE(WaitFor([&] { return fs::exists(PortFile()) && !ReadFile(PortFile()).empty(); })) << DaemonLog();
  port_ = static_cast<unsigned short>(std::stoul(ReadFile(PortFile())));
  // The page below must show the start-up pass's verdict (under a loaded CI it once showed the
  // seam before its first pass had judged it).
  ASSERT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "ready: "); })) << DaemonLog();

  const HttpReply locked = Http(port_, http::verb::get, "/");
  EXPECT_EQ(locked.status, 401);
  EXPECT_TRUE(Contains(locked.body, "<a href=\"/login\">log in</a>")) << locked.body;
  EXPECT_EQ(Http(port_, http::verb::get, "/status").status, 401);
  const HttpReply form = Http(port_, http::verb::get, "/login");
  EXPECT_EQ(form.status, 200);
  EXPECT_TRUE(Contains(form.body, "<input type=\"password\" name=\"token\"")) << form.body;

  const std::vector<std::pair<std::string, std::string>> urlencoded = {
      {"Content-Type", "application/x-www-form-urlencoded"}};
  const HttpReply wrong = Http(port_, http::verb::post, "/login", "", "token=not-it", urlencoded);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.set_cookie, "");
  // The form sends the token percent-encoded: '+' '/' '=' as %2B %2F %3D.
  const HttpReply in = Http(port_, http::verb::post, "/login", "", "token=page-token-0123456789%2B%2F%3D", urlencoded);
  EXPECT_EQ(in.status, 303) << in.body;
  EXPECT_EQ(in.location, "/");
  ASSERT_EQ(in.set_cookie.rfind("seamd_session=", 0), 0u) << in.set_cookie;
  EXPECT_TRUE(Contains(in.set_cookie, "; HttpOnly; SameSite=Strict")) << in.set_cookie;
  EXPECT_FALSE(Contains(in.set_cookie, secret));
  const std::string cookie = in.set_cookie.substr(0, in.set_cookie.find(';'));

  const HttpReply page = Http(port_, http::verb::get, "/", "", "", {{"Cookie", "theme=dark; " + cookie}});
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(Contains(page.body, "<p class=\"summary\">1 seam: 1 in sync</p>")) << page.body.substr(0, 2000);
  EXPECT_EQ(Http(port_, http::verb::get, "/status", "", "", {{"Cookie", cookie}}).status, 200);
  EXPECT_EQ(Http(port_, http::verb::post, "/reconcile?seam=device-token", "", "", {{"Cookie", cookie}}).status, 401)
      << "the cookie reads; a pass still needs the bearer token";
  EXPECT_EQ(Http(port_, http::verb::get, "/", "", "", {{"Cookie", "seamd_session=" + std::string(64, 'a')}}).status, 401);

  const std::string url = "http://127.0.0.1:" + std::to_string(port_);
  ProcessResult status = Seamctl({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_FALSE(Contains(DaemonLog() + status.out + status.err + page.body, secret));
}

// A [daemon] token_file that cannot be read stops seamd with the config line that names it.
TEST_F(SeamdStatusTest, AMissingConfigTokenFileIsRefusedNamingItsLine) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  std::string config = ReadFile(ConfigPath());
  config.insert(config.find("[[seam]]"), "[daemon]\ntoken_file = \"no-such.token\"\n\n");
  WriteConfig(config);
  std::string error;
  ASSERT_TRUE(seamd_.Start({SEAMD_PATH, "-c", ConfigPath().string(), "--listen", "127.0.0.1:0"}, Root(), DaemonLogFile(),
                           {}, {"SEAM_CONFIG", "SEAM_LOG_LEVEL"}, &error))
      << error;
  EXPECT_EQ(seamd_.Wait(kDeadline), 2);
  EXPECT_TRUE(Contains(DaemonLog(), "seamd: error: " + ConfigPath().string() + ":" +
                                        std::to_string(ConfigLine(config, "token_file")) + ": [daemon] token_file " +
                                        (Root() / "no-such.token").string() + ": cannot read it"))
      << DaemonLog();
}

TEST_F(SeamdStatusTest, SeamctlStatusAsksTheRunningDaemon) {
  ConfigOptions options;
  options.repair = "off";
  ASSERT_NO_FATAL_FAILURE(InitAndIssue(options));
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  const std::string url = "http://127.0.0.1:" + std::to_string(port_);

  ProcessResult text = Seamctl({"status", "--daemon", url});
  EXPECT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_TRUE(Contains(text.out, "device-token (token/device-42): in_sync")) << text.out;
  EXPECT_TRUE(Contains(text.out, "cli")) << text.out;

  // The address from the config's [daemon] listen.
  WriteConfig(StandardConfig(options) + "\n[daemon]\nlisten = \"127.0.0.1:" + std::to_string(port_) + "\"\n");
  ProcessResult json = Seamctl({"status", "--json"});
  EXPECT_EQ(json.exit_code, 0) << json.out << json.err;
  const nlohmann::json report = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << json.out;
  EXPECT_EQ(report["seams"][0]["status"], "in_sync");
  EXPECT_TRUE(report["seams"][0]["last_pass_at"].is_string());

  // Drift seamd may not repair (repair = "off"): exit 1 once its pass has seen it.
  SetCliToken("left-alone");
  ASSERT_TRUE(WaitFor([&] { return Seamctl({"status"}).exit_code == 1; })) << Seamctl({"status"}).out;
  EXPECT_TRUE(Contains(Seamctl({"status"}).out, "foreign")) << Seamctl({"status"}).out;

  // A daemon that is gone: exit 2, one line naming the URL.
  seamd_.Signal(SIGTERM);
  ASSERT_EQ(seamd_.Wait(kDeadline), 0);
  ProcessResult dead = Seamctl({"status", "--daemon", url});
  EXPECT_EQ(dead.exit_code, 2);
  EXPECT_TRUE(dead.out.empty()) << dead.out;
  EXPECT_EQ(dead.err.rfind("seamctl: error: ", 0), 0u) << dead.err;
  EXPECT_TRUE(Contains(dead.err, url)) << dead.err;
  EXPECT_EQ(std::count(dead.err.begin(), dead.err.end(), '\n'), 1) << dead.err;
}

// `status --watch` for a person watching a seam: not on a terminal, the table as plain lines
// under a time line each time it changes (a drift seen, seamd gone), nothing when nothing
// changed; on a terminal (a pty from script(1)) the screen is redrawn every second. Ctrl-C ends
// it with exit 0.
TEST_F(SeamdStatusTest, StatusWatchPrintsTheTableAsItChangesUntilInterrupted) {
  ConfigOptions options;
  options.repair = "off";
  ASSERT_NO_FATAL_FAILURE(InitAndIssue(options));
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  const std::string url = "http://127.0.0.1:" + std::to_string(port_);
  EXPECT_TRUE(IsCleanError(Seamctl({"status", "--watch", "--json", "--daemon", url}), "--watch"));

  const fs::path out = Root() / "watch.out";
  DaemonProcess watch;
  std::string error;
  ASSERT_TRUE(watch.Start({SEAMCTL_PATH, "status", "--watch", "--daemon", url}, Root(), out, {}, {}, &error)) << error;
  ASSERT_TRUE(WaitFor([&] { return Contains(ReadFile(out), "device-token (token/device-42): in_sync"); }))
      << ReadFile(out);
  std::this_thread::sleep_for(milliseconds(2500));  // two more polls, nothing changed
  EXPECT_EQ(Count(ReadFile(out), "--- "), 1u) << ReadFile(out);
  SetCliToken("edited-while-watched");
  ASSERT_TRUE(WaitFor([&] { return Contains(ReadFile(out), "device-token (token/device-42): drift"); }))
      << ReadFile(out);
  EXPECT_TRUE(Contains(ReadFile(out), "foreign")) << ReadFile(out);
  EXPECT_EQ(ReadFile(out).find("\x1b["), std::string::npos) << "no escape codes into a file";
  // seamd gone: said once, the watch goes on.
  seamd_.Signal(SIGTERM);
  ASSERT_EQ(seamd_.Wait(kDeadline), 0);
  ASSERT_TRUE(WaitFor([&] { return Contains(ReadFile(out), "is not reachable"); })) << ReadFile(out);
  std::this_thread::sleep_for(milliseconds(2200));
  EXPECT_EQ(Count(ReadFile(out), "is not reachable"), 1u) << ReadFile(out);
  watch.Signal(SIGINT);
  EXPECT_EQ(watch.Wait(kDeadline), 0) << ReadFile(out);
  EXPECT_EQ(ReadFile(out).find("edited-while-watched"), std::string::npos);

  // On a terminal: redrawn every second.
  fs::remove(PortFile());  // the new seamd's port, not the old one's
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  const std::string tty_url = "http://127.0.0.1:" + std::to_string(port_);
  const fs::path screen = Root() / "screen.out";
  DaemonProcess on_tty;
  const std::string command = std::string(SEAMCTL_PATH) + " status --watch --daemon " + tty_url;
  ASSERT_TRUE(on_tty.Start({"/usr/bin/script", "-qfec", command, "/dev/null"}, Root(), screen, {}, {}, &error)) << error;
  ASSERT_TRUE(WaitFor([&] { return Count(ReadFile(screen), "\x1b[H\x1b[2J") >= 3; })) << ReadFile(screen);
  const std::string shown = ReadFile(screen);
  EXPECT_TRUE(Contains(shown, "seamd at " + tty_url + ", ")) << shown;
  EXPECT_TRUE(Contains(shown, "(every 1 s; Ctrl-C stops)")) << shown;
  EXPECT_TRUE(Contains(shown, "device-token (token/device-42): drift")) << shown;
  on_tty.Signal(SIGTERM);  // script(1) ends, and its pty's hangup ends the watch
  EXPECT_NE(on_tty.Wait(kDeadline), -1);
}

TEST_F(SeamdStatusTest, ABadDaemonListenInTheConfigNamesTheLine) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  WriteConfig(StandardConfig() + "\n[daemon]\nlisten = \"127.0.0.1\"\n");
  EXPECT_TRUE(IsCleanError(Seamctl({"status"}), "daemon: key `listen` must be HOST:PORT"));
}

// The listener lives on the event loop, passes on the lanes' workers (tools/seamd/pass_lanes.h):
// with the slow lane's only worker held by an exec read blocked on a FIFO, /healthz, /status
// and /metrics still answer, and /metrics shows the busy worker.
TEST_F(SeamdStatusTest, TheListenerAnswersWhileEveryWorkerIsBusy) {
  ASSERT_NO_FATAL_FAILURE(InitWithBlockingExecSeam("\n[daemon]\nworkers = 1\n"));
  ASSERT_NO_FATAL_FAILURE(StartSeamd());
  WriteFile(Root() / "block", "");
  ASSERT_TRUE(WaitFor([&] { return fs::exists(Root() / "reading-fifo"); }, milliseconds(10'000))) << DaemonLog();

  EXPECT_EQ(Http(port_, http::verb::get, "/healthz").status, 200);
  const nlohmann::json status = Status();
  ASSERT_TRUE(status.is_object()) << status;
  EXPECT_EQ(status["seams"].size(), 2u) << status.dump(2);
  const std::map<std::string, double> metrics = Metrics();
  EXPECT_EQ(metrics.at("seamd_workers{lane=\"slow\"}"), 1);
  EXPECT_EQ(metrics.at("seamd_workers_busy{lane=\"slow\"}"), 1);
  // The cause, not a time: all of that was answered while the read was still blocked.
  EXPECT_TRUE(fs::exists(Root() / "reading-fifo")) << "the exec read ended before the answers:\n" << DaemonLog();

  fs::remove(Root() / "block");
  WriteFile(Root() / "fifo", "go\n");
  EXPECT_TRUE(WaitFor([&] { return !fs::exists(Root() / "reading-fifo"); }, milliseconds(10'000)));
}

// A socket on 127.0.0.1 that listens and never accepts: connections complete in the kernel's
// backlog, requests are sent, nothing ever answers.
class SilentServer {
 public:
  SilentServer() : acceptor_(io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    acceptor_.listen(128);
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
};

// Network sides hold no worker while they wait (tools/seamd/seam_runner.h): eight http-json
// seams whose server never answers are observed at once on the network thread while the slow
// lane's only worker is held by an exec read blocked on a FIFO, and a hand edit of a json-file
// seam is still repaired. The cause, not a time: all of it happens while the exec read is still
// blocked and the eight requests are still unanswered (their timeout is 60 s).
TEST_F(SeamdStatusTest, HangingNetworkSidesHoldNoWorker) {
  SilentServer silent;
  std::string seams = "\n[daemon]\nworkers = 1\n";
  constexpr int kHanging = 8;
  for (int i = 0; i < kHanging; ++i) {
    seams += "\n[[seam]]\nname = \"hanging-" + std::to_string(i) + "\"\nkind = \"token\"\nentity = \"h-" +
             std::to_string(i) + "\"\ninterval = \"1s\"\n[seam.sides.gateway]\nplugin = \"http-json\"\n" +
             "url = \"http://127.0.0.1:" + std::to_string(silent.port()) + "/t/" + std::to_string(i) + "\"\n" +
             "pointer = \"/token\"\ntimeout_ms = \"60000\"\n[seam.sides.copy]\nplugin = \"json-file\"\n" +
             "path = \"hanging-" + std::to_string(i) + ".json\"\npointer = \"/token\"\n";
  }
  ASSERT_NO_FATAL_FAILURE(InitWithBlockingExecSeam(seams));
  WriteFile(Root() / "block", "");
  std::vector<std::string> argv = {SEAMD_PATH, "-c", ConfigPath().string(), "--log-level", "debug",
                                   "--listen", "127.0.0.1:0", "--port-file", PortFile().string()};
  std::string error;
  ASSERT_TRUE(seamd_.Start(argv, Root(), DaemonLogFile(), {}, {"SEAM_CONFIG", "SEAM_LOG_LEVEL"}, &error)) << error;
  ASSERT_TRUE(WaitFor([&] { return fs::exists(PortFile()) && !ReadFile(PortFile()).empty(); })) << DaemonLog();
  port_ = static_cast<unsigned short>(std::stoul(ReadFile(PortFile())));
  ASSERT_TRUE(WaitFor([&] { return fs::exists(Root() / "reading-fifo"); }, milliseconds(10'000))) << DaemonLog();
  ASSERT_TRUE(WaitFor([&] { return Metrics()["seamd_observations_in_flight"] == kHanging; }, milliseconds(10'000)))
      << DaemonLog();
  ASSERT_TRUE(WaitFor([&] { return Contains(DaemonLog(), std::string("seam ") + kSeam + " ("); })) << DaemonLog();

  SetCliToken("hand-edited");
  const std::optional<std::string> issued = GatewayToken();
  ASSERT_TRUE(WaitFor([&] { return CliToken() != "hand-edited"; }, milliseconds(10'000))) << DaemonLog();
  EXPECT_TRUE(issued.has_value());
  const std::map<std::string, double> metrics = Metrics();
  EXPECT_EQ(metrics.at("seamd_observations_in_flight"), kHanging);
  EXPECT_EQ(metrics.at("seamd_workers_busy{lane=\"slow\"}"), 1);
  EXPECT_EQ(metrics.at("seamd_workers_busy{lane=\"network\"}"), 0);
  EXPECT_TRUE(fs::exists(Root() / "reading-fifo")) << "the exec read ended before the repair:\n" << DaemonLog();
  EXPECT_TRUE(Contains(DaemonLog(), "seam device-token (")) << DaemonLog();

  fs::remove(Root() / "block");
  WriteFile(Root() / "fifo", "go\n");
  EXPECT_TRUE(WaitFor([&] { return !fs::exists(Root() / "reading-fifo"); }, milliseconds(10'000)));
}

}  // namespace
}  // namespace seam::e2e
