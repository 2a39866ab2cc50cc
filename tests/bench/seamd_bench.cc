// seamd figures (issue 5), with seamd as a real process:
//
//  1. Detection and repair latency: 1,000 rename-replace edits of a json-file side (repair
//     budget off). Detection = DriftOpened.first_seen_at - the moment just before the rename;
//     repair = the SideRepaired event's time (written, read back, recorded) - the same moment.
//     Goals: detection p50 <= 1 ms, p99 <= 10 ms; repair p99 <= 20 ms. Baseline, same run: the
//     same edit on a side seamd can only poll (an exec side) at the default interval (15 s),
//     a few edits at random moments (SEAM_BENCH_POLL_EDITS, default 6).
//  2. Scale: 10,000 seams of two json-file sides each (20,000 files, SEAM_BENCH_SCALE_SEAMS):
//     the start-up pass over every seam (seamd's own figure, in its READY status), resident
//     memory after it, and CPU used while idle for 10 s. Goals: pass <= 1 s, RSS <= 150 MiB, idle
//     CPU ~0. Baselines, same run: reading and parsing the same 20,000 files plus replaying the
//     10,000 streams without seam (the I/O floor of a pass), and seamd's RSS with one seam.
//  3. A slow neighbour; 4. a server restarted from a stale backup; 5. many slow neighbours
//     (below).
//
// Times come from the events seamd records (system clock, microseconds), so the benchmark's own
// polling does not add to them. READY is read from a real $NOTIFY_SOCKET (sd_notify).

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "reconcilers/drift_events.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/token/token_events.h"
#include "store/sqlite_event_store.h"
#include "tests/bench/bench_env.h"
#include "tests/bench/bench_main.h"
#include "tests/bench/seamd_harness.h"
#include "tests/support/vault_scripts.h"
#include "tools/common/state_context.h"

extern char** environ;

namespace seam::bench {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

struct LatencyFigures {
  double detect_p50_ms = 0, detect_p99_ms = 0, repair_p50_ms = 0, repair_p99_ms = 0;
  int edits = 0;
  double poll_detect_p50_ms = 0, poll_detect_p99_ms = 0, poll_repair_p50_ms = 0;
  int poll_edits = 0;
  bool ran = false;
};
struct ScaleFigures {
  int seams = 0;
  double pass_ms = 0, floor_ms = 0, rss_mib = 0, rss_one_seam_mib = 0, idle_cpu_percent = 0;
  bool ran = false;
};
struct NeighbourFigures {
  int edits = 0;
  double alone_p50_ms = 0, alone_p99_ms = 0, beside_p50_ms = 0, beside_p99_ms = 0, beside_max_ms = 0;
  bool ran = false;
};
struct SlowHundredFigures {
  int seams = 0, slow = 0, edits = 0;
  double repair_p50_ms = 0, repair_p99_ms = 0, repair_max_ms = 0, window_s = 0;
  long slow_reads = 0;
  double first_reads_spread_s = 0;  // from the first slow read seamd started to the last of its first round
  bool ran = false;
};
SlowHundredFigures g_slow_hundred;       // exec sides: a worker each while they wait
SlowHundredFigures g_slow_hundred_http;  // http-json sides: observed on the network thread
struct RestartFigures {
  int restarts = 0;
  double repair_p50_ms = 0, repair_max_ms = 0, up_p50_ms = 0;
  bool ran = false;
};
LatencyFigures g_latency;
RestartFigures g_restart;
ScaleFigures g_scale;
NeighbourFigures g_neighbour;

void Latency(benchmark::State& state) {
  const int edits = EnvInt("SEAM_BENCH_EDITS", 1000);
  const int poll_edits = EnvInt("SEAM_BENCH_POLL_EDITS", 6);
  for (auto _ : state) {
    // Watched: two json files.
    const fs::path dir = fs::path(ScratchDir()) / "latency";
    WriteText(dir / "seam.toml", kTwoFileConfig);
    WriteText(dir / "cli/paired.json", "{}\n");
    WriteText(dir / "gateway/state.json", "{}\n");
    if (!RunToEnd({SEAMCTL_PATH, "init"}, dir.string()) || !RunToEnd({SEAMCTL_PATH, "token", "issue", "device-token"}, dir.string())) {
      state.SkipWithError("seamctl init / token issue failed");
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    EditRun watched = MeasureEdits(
        dir, edits,
        [&](int i) { RenameReplace(dir / "cli/paired.json", "{\"token\": \"edit-" + std::to_string(i) + "\"}\n"); },
        [] { std::this_thread::sleep_for(milliseconds(2)); });
    if (!watched.error.empty()) {
      state.SkipWithError(("watched: " + watched.error).c_str());
      return;
    }
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());

    // Polled: the same seam with an exec side at the default interval, edited at random moments.
    const fs::path pdir = fs::path(ScratchDir()) / "latency-poll";
    seam::testing::WriteVaultScripts(pdir);
    WriteText(pdir / "cli/paired.json", "{}\n");
    WriteText(pdir / "seam.toml", R"([store]
path = ".seam/events.db"

[[seam]]
name = "device-token"
kind = "token"
entity = "device-42"
repair_budget = "off"
[seam.sides.vault]
plugin = "exec"
read = ["./vault-read.sh"]
write = ["./vault-write.sh"]
[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
pointer = "/token"
)");
    if (!RunToEnd({SEAMCTL_PATH, "init"}, pdir.string()) || !RunToEnd({SEAMCTL_PATH, "token", "issue", "device-token"}, pdir.string())) {
      state.SkipWithError("seamctl init / token issue failed (poll baseline)");
      return;
    }
    std::mt19937 rng(42);
    EditRun polled = MeasureEdits(
        pdir, poll_edits,
        [&](int i) { RenameReplace(pdir / "vault.txt", "vault-edit-" + std::to_string(i)); },
        [&] { std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(0, 15000)(rng))); });
    if (!polled.error.empty()) {
      state.SkipWithError(("polled: " + polled.error).c_str());
      return;
    }
    g_latency = {Percentile(watched.detect_ms, 0.5), Percentile(watched.detect_ms, 0.99),
                 Percentile(watched.repair_ms, 0.5), Percentile(watched.repair_ms, 0.99),
                 edits, Percentile(polled.detect_ms, 0.5), Percentile(polled.detect_ms, 0.99),
                 Percentile(polled.repair_ms, 0.5), poll_edits, true};
  }
  state.counters["detect_p50_ms"] = g_latency.detect_p50_ms;
  state.counters["detect_p99_ms"] = g_latency.detect_p99_ms;
  state.counters["repair_p99_ms"] = g_latency.repair_p99_ms;
}

// The I/O floor of a pass: every file read and parsed, every stream read, no seam logic.
double FloorMs(const fs::path& dir, int n) {
  SqliteOpenOptions options;
  options.read_only = true;
  auto store = SqliteEventStore::Open((dir / ".seam/events.db").string(), options);
  if (!store.ok()) return 0;
  const auto start = std::chrono::steady_clock::now();
  std::size_t bytes = 0;
  for (int i = 0; i < n; ++i) {
    const std::string sub = "d" + std::to_string(i % 100);
    for (const char* side : {"gw", "cli"}) {
      std::ifstream in(dir / side / sub / ("s" + std::to_string(i) + ".json"));
      const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
      bytes += doc.dump().size();
    }
    Result<std::vector<Event>> events = (*store)->ReadStream("token/s" + std::to_string(i));
    if (events.ok()) bytes += events->size();
  }
  benchmark::DoNotOptimize(bytes);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double PassMsFromStatus(const std::string& status) {
  const std::size_t took = status.find(" took ");
  return took == std::string::npos ? 0 : std::stod(status.substr(took + 6));
}

void Scale(benchmark::State& state) {
  const int n = EnvInt("SEAM_BENCH_SCALE_SEAMS", 10000);
  for (auto _ : state) {
    const fs::path dir = fs::path(ScratchDir()) / "scale";
    if (std::string error = BuildScaleFleet(dir, n); !error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
    ScaleFigures f;
    f.seams = n;
    f.floor_ms = FloorMs(dir, n);
    {
      Seamd seamd(dir, "seamd");
      const std::string status = seamd.AwaitReady(milliseconds(120000));
      if (status.empty()) {
        state.SkipWithError("seamd did not get ready within 120 s (scale)");
        return;
      }
      f.pass_ms = PassMsFromStatus(status);
      f.rss_mib = seamd.RssMiB();
      const double cpu0 = seamd.CpuSeconds();
      std::this_thread::sleep_for(std::chrono::seconds(10));
      f.idle_cpu_percent = (seamd.CpuSeconds() - cpu0) / 10.0 * 100.0;
    }
    {
      // Baseline: seamd on one seam of the same fleet.
      const fs::path one = fs::path(ScratchDir()) / "scale-one";
      if (std::string error = BuildScaleFleet(one, 1); !error.empty()) {
        state.SkipWithError(error.c_str());
        return;
      }
      Seamd seamd(one, "seamd");
      if (seamd.AwaitReady(milliseconds(30000)).empty()) {
        state.SkipWithError("seamd did not get ready (one seam)");
        return;
      }
      f.rss_one_seam_mib = seamd.RssMiB();
    }
    f.ran = true;
    g_scale = f;
    state.SetIterationTime(f.pass_ms / 1000.0);
  }
  state.counters["pass_ms"] = g_scale.pass_ms;
  state.counters["rss_mib"] = g_scale.rss_mib;
  state.counters["idle_cpu_pct"] = g_scale.idle_cpu_percent;
}

// 3. A slow neighbour (issue 13): the two-file seam beside a seam whose exec side takes 3 s to
//    read and is polled every second, so a read is almost always in flight. Each hand edit of
//    the file seam is made at a random moment; its repair time (SideRepaired - edit) is compared
//    with the same edits with no neighbour, in the same run. Goal: every repair <= 300 ms.
void SlowNeighbour(benchmark::State& state) {
  const int edits = EnvInt("SEAM_BENCH_NEIGHBOUR_EDITS", 40);
  for (auto _ : state) {
    auto measure = [&](const std::string& tag, bool with_neighbour) -> EditRun {
      const fs::path dir = fs::path(ScratchDir()) / tag;
      std::string config = kTwoFileConfig;
      if (with_neighbour) {
        seam::testing::WriteVaultScripts(dir, "sleep 3\n", "slow");
        WriteText(dir / "mirror.json", "{}\n");
        config += R"(
[[seam]]
name = "slow-vault"
kind = "token"
entity = "vault-7"
interval = "1s"
[seam.sides.vault]
plugin = "exec"
read = ["./slow-read.sh"]
write = ["./slow-write.sh"]
timeout_ms = "10000"
[seam.sides.mirror]
plugin = "json-file"
path = "mirror.json"
pointer = "/token"
)";
      }
      WriteText(dir / "seam.toml", config);
      WriteText(dir / "cli/paired.json", "{}\n");
      WriteText(dir / "gateway/state.json", "{}\n");
      if (!RunToEnd({SEAMCTL_PATH, "init"}, dir.string()) ||
          !RunToEnd({SEAMCTL_PATH, "token", "issue", "device-token"}, dir.string()) ||
          (with_neighbour && !RunToEnd({SEAMCTL_PATH, "token", "issue", "slow-vault"}, dir.string()))) {
        return {{}, {}, "seamctl init / token issue failed"};
      }
      std::mt19937 rng(7);
      return MeasureEdits(
          dir, edits,
          [&](int i) { RenameReplace(dir / "cli/paired.json", "{\"token\": \"edit-" + std::to_string(i) + "\"}\n"); },
          [&] { std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(0, 1500)(rng))); });
    };
    const EditRun alone = measure("neighbour-alone", false);
    const EditRun beside = measure("neighbour-slow", true);
    if (!alone.error.empty() || !beside.error.empty()) {
      state.SkipWithError((alone.error + " " + beside.error).c_str());
      return;
    }
    g_neighbour = {edits,
                   Percentile(alone.repair_ms, 0.5),
                   Percentile(alone.repair_ms, 0.99),
                   Percentile(beside.repair_ms, 0.5),
                   Percentile(beside.repair_ms, 0.99),
                   *std::max_element(beside.repair_ms.begin(), beside.repair_ms.end()),
                   true};
    state.SetIterationTime(g_neighbour.beside_max_ms / 1000.0);
  }
  state.counters["beside_p99_ms"] = g_neighbour.beside_p99_ms;
  state.counters["beside_max_ms"] = g_neighbour.beside_max_ms;
}

// 5. Many slow neighbours (issue 13): 10,000 file seams (the scale fleet) beside 100 seams whose
//    exec side takes its whole 5 s timeout on every read, polled at the default 15 s. Hand edits
//    of one file seam at random moments once seamd is ready; repair = SideRepaired - the edit.
//    Goal: p99 <= 10 ms. Also counted: the slow sides' reads during the edits (each seam runs
//    one pass at a time and is never queued twice; the slow lane's `workers` bound them).
// A server on 127.0.0.1 that accepts every connection, counts it and never answers: each
// observation of an http-json side pointed at it takes its whole timeout.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 512) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) < 0 || stop_) return;
        if ((p.revents & POLLIN) == 0) continue;
        const int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (conn < 0) continue;
        held_.push_back(conn);  // open, unanswered, until the server stops
        {
          std::lock_guard<std::mutex> lock(mu_);
          times_.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count());
        }
        ++accepted_;
      }
    });
  }
  ~SilentServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (int fd : held_) ::close(fd);
    if (fd_ >= 0) ::close(fd_);
  }
  int port() const { return port_; }
  long accepted() const { return accepted_; }
  // When each connection was accepted (steady clock, seconds), in order.
  std::vector<double> times() const {
    std::lock_guard<std::mutex> lock(mu_);
    return times_;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<long> accepted_{0};
  std::vector<int> held_;
  mutable std::mutex mu_;
  std::vector<double> times_;
  std::thread thread_;
};

// `http`: the slow sides are http-json sides of a server that never answers (observed on the
// network thread, holding no worker) instead of exec sides (a slow-lane worker each).
void SlowHundredOf(benchmark::State& state, bool http, SlowHundredFigures& figures) {
  const int n = EnvInt("SEAM_BENCH_SCALE_SEAMS", 10000);
  const int slow = EnvInt("SEAM_BENCH_SLOW_SEAMS", 100);
  const int edits = EnvInt("SEAM_BENCH_NEIGHBOUR_EDITS", 40);
  for (auto _ : state) {
    const fs::path dir = fs::path(ScratchDir()) / (http ? "slow-hundred-http" : "slow-hundred");
    std::optional<SilentServer> silent;
    if (http) {
      silent.emplace();
      if (silent->port() == 0) {
        state.SkipWithError("cannot listen on 127.0.0.1");
        return;
      }
    } else {
      // Each read logs when it began (seconds, the clock the silent server's times use).
      seam::testing::WriteVaultScripts(dir, "cut -d' ' -f1 /proc/uptime >> reads.log\nsleep 10\n", "hang");
    }
    std::ostringstream extra;
    for (int i = 0; i < slow; ++i) {
      extra << "\n[[seam]]\nname = \"slow" << i << "\"\nkind = \"token\"\nentity = \"slow" << i << "\"\n";
      if (http) {
        extra << "[seam.sides.gateway]\nplugin = \"http-json\"\nurl = \"http://127.0.0.1:" << silent->port() << "/t/" << i
              << "\"\npointer = \"/token\"\ntimeout_ms = \"5000\"\n";
      } else {
        extra << "[seam.sides.vault]\nplugin = \"exec\"\nread = [\"./hang-read.sh\"]\nwrite = [\"./hang-write.sh\"]\n"
              << "timeout_ms = \"5000\"\n";
      }
      extra << "[seam.sides.mirror]\nplugin = \"json-file\"\npath = \"slowm/" << i << ".json\"\npointer = \"/token\"\n";
      WriteText(dir / "slowm" / (std::to_string(i) + ".json"), "{}\n");
    }
    if (std::string error = BuildScaleFleet(dir, n, extra.str()); !error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
    std::mt19937 rng(5);
    long reads_before = 0;
    auto count_reads = [&]() -> long {
      if (http) return silent->accepted();
      std::ifstream in(dir / "reads.log");
      long lines = 0;
      for (std::string line; std::getline(in, line);) ++lines;
      return lines;
    };
    std::chrono::steady_clock::time_point first_edit;
    EditRun run = MeasureEdits(
        dir, edits,
        [&](int i) {
          if (i == 0) {
            reads_before = count_reads();
            first_edit = std::chrono::steady_clock::now();
          }
          RenameReplace(dir / "cli/d0/s0.json", "{\"token\": \"edit-" + std::to_string(i) + "\"}\n");
        },
        [&] { std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(0, 1500)(rng))); },
        "token/s0", milliseconds(600000));
    if (!run.error.empty()) {
      state.SkipWithError(run.error.c_str());
      return;
    }
    // The first round: every slow seam read once, at start-up. All at once when nothing holds
    // them back; in batches of `workers` when each read holds a worker.
    std::vector<double> starts;
    if (http) {
      starts = silent->times();
    } else {
      std::ifstream in(dir / "reads.log");
      for (std::string line; std::getline(in, line);) starts.push_back(std::atof(line.c_str()));
    }
    double spread = -1;
    if (starts.size() >= static_cast<std::size_t>(slow)) {
      std::sort(starts.begin(), starts.end());
      spread = starts[static_cast<std::size_t>(slow) - 1] - starts.front();
    }
    figures = {n, slow, edits, Percentile(run.repair_ms, 0.5), Percentile(run.repair_ms, 0.99),
               *std::max_element(run.repair_ms.begin(), run.repair_ms.end()),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - first_edit).count(),
               count_reads() - reads_before, spread, true};
    state.SetIterationTime(figures.repair_p99_ms / 1000.0);
  }
  state.counters["repair_p99_ms"] = figures.repair_p99_ms;
}

void SlowHundred(benchmark::State& state) { SlowHundredOf(state, false, g_slow_hundred); }
void SlowHundredHttp(benchmark::State& state) { SlowHundredOf(state, true, g_slow_hundred_http); }

// 4. A server restarted from a stale backup (issue 13): the demo gateway, read by an http-json
//    side at the default interval (15 s), is killed and started again from a backup taken
//    before a rotation, at random moments. Measured: SideRepaired - the moment just before the
//    kill. Baseline, same run: the gateway's own restart (kill to its port file: listening).
//    Goal: repaired <= 1 s after the restart, with no faster polling (seamd's endpoint watch).
class Gateway {
 public:
  explicit Gateway(fs::path dir) : dir_(std::move(dir)) {}
  ~Gateway() { Kill(); }
  bool Start(const std::vector<std::string>& extra) {
    fs::remove(dir_ / "gateway/port");
    std::vector<std::string> argv = {DEMO_GATEWAY_PATH, "--listen", "127.0.0.1:" + std::to_string(port_), "--db",
                                     (dir_ / "gateway/gateway.db").string(), "--port-file",
                                     (dir_ / "gateway/port").string(), "--quiet"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], nullptr, nullptr, args.data(), environ) != 0) return false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(dir_ / "gateway/port");
      int port = 0;
      if (in >> port && port > 0) {
        port_ = port;
        return true;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return false;
  }
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }
  int port() const { return port_; }

 private:
  fs::path dir_;
  pid_t pid_ = 0;
  int port_ = 0;
};

void RestartRepair(benchmark::State& state) {
  const int restarts = EnvInt("SEAM_BENCH_RESTARTS", 10);
  for (auto _ : state) {
    const fs::path dir = fs::path(ScratchDir()) / "restart";
    fs::create_directories(dir / "gateway");
    WriteText(dir / "cli/paired.json", "{}\n");
    Gateway gateway(dir);
    if (!gateway.Start({})) {
      state.SkipWithError("the demo gateway did not start");
      return;
    }
    WriteText(dir / "seam.toml", R"([store]
path = ".seam/events.db"

[[seam]]
name = "device-42"
kind = "pairing"
entity = "device-42"
repair_budget = "off"
order = ["gateway", "cli"]
[seam.sides.gateway]
plugin = "http-json"
url = "http://127.0.0.1:)" + std::to_string(gateway.port()) + R"(/pairings/device-42"
transform = "sha256-hex"
restart_marker = "/started_at"
[seam.sides.gateway.fields]
device_id = "/device_id"
token = "/token_sha256"
[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
[seam.sides.cli.fields]
device_id = "/device_id"
token = "/token"
)");
    if (!RunToEnd({SEAMCTL_PATH, "init"}, dir.string()) ||
        !RunToEnd({SEAMCTL_PATH, "pair", "device-42", "--device", "device-42"}, dir.string())) {
      state.SkipWithError("seamctl init / pair failed");
      return;
    }
    fs::copy_file(dir / "gateway/gateway.db", dir / "gateway/backup.db", fs::copy_options::overwrite_existing);
    if (!RunToEnd({SEAMCTL_PATH, "token", "rotate", "device-42"}, dir.string())) {
      state.SkipWithError("seamctl token rotate failed");
      return;
    }
    std::vector<double> up_ms;
    std::mt19937 rng(11);
    EditRun run = MeasureEdits(
        dir, restarts,
        [&](int) {
          const auto t0 = std::chrono::steady_clock::now();
          gateway.Kill();
          if (gateway.Start({"--restore", (dir / "gateway/backup.db").string()})) {
            up_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
          }
        },
        [&] { std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(0, 3000)(rng))); },
        "pairing/device-42");
    if (!run.error.empty()) {
      state.SkipWithError(run.error.c_str());
      return;
    }
    g_restart = {restarts, Percentile(run.repair_ms, 0.5),
                 *std::max_element(run.repair_ms.begin(), run.repair_ms.end()), Percentile(up_ms, 0.5), true};
    state.SetIterationTime(g_restart.repair_max_ms / 1000.0);
  }
  state.counters["repair_max_ms"] = g_restart.repair_max_ms;
}

}  // namespace

void RegisterSeamdBenchmarks() {
  benchmark::RegisterBenchmark("seamd/detect_and_repair_latency", Latency)
      ->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("seamd/scale_full_pass", Scale)
      ->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("seamd/slow_neighbour", SlowNeighbour)
      ->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("seamd/restart_repair", RestartRepair)
      ->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("seamd/slow_hundred", SlowHundred)
      ->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("seamd/slow_hundred_http", SlowHundredHttp)
      ->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
}

void PrintSeamdFigures() {
  if (g_latency.ran) {
    const LatencyFigures& l = g_latency;
    std::printf("\nseamd latency (%d rename-replace edits; poll baseline: %d edits of an exec side at the default 15 s interval)\n",
                l.edits, l.poll_edits);
    std::printf("  %-22s %12s %16s %10s  %s\n", "figure", "seamd", "poll baseline", "speed-up", "goal");
    std::printf("  %-22s %9.3f ms %13.1f ms %9.0fx  <= 1 ms: %s\n", "detection p50", l.detect_p50_ms,
                l.poll_detect_p50_ms, l.poll_detect_p50_ms / std::max(l.detect_p50_ms, 1e-3),
                l.detect_p50_ms <= 1 ? "met" : "NOT met");
    std::printf("  %-22s %9.3f ms %13.1f ms %9.0fx  <= 10 ms: %s\n", "detection p99", l.detect_p99_ms,
                l.poll_detect_p99_ms, l.poll_detect_p99_ms / std::max(l.detect_p99_ms, 1e-3),
                l.detect_p99_ms <= 10 ? "met" : "NOT met");
    std::printf("  %-22s %9.3f ms %13.1f ms %9.0fx\n", "repair p50", l.repair_p50_ms, l.poll_repair_p50_ms,
                l.poll_repair_p50_ms / std::max(l.repair_p50_ms, 1e-3));
    std::printf("  %-22s %9.3f ms %16s %10s  <= 20 ms: %s\n", "repair p99", l.repair_p99_ms, "", "",
                l.repair_p99_ms <= 20 ? "met" : "NOT met");
  }
  if (g_neighbour.ran) {
    const NeighbourFigures& n = g_neighbour;
    std::printf("\nseamd beside a slow side (%d hand edits of a json-file seam; neighbour: an exec side taking 3 s per read, polled every 1 s)\n",
                n.edits);
    std::printf("  %-22s %12s %14s %8s\n", "figure", "beside it", "alone (base)", "ratio");
    std::printf("  %-22s %9.3f ms %11.3f ms %8.2f\n", "repair p50", n.beside_p50_ms, n.alone_p50_ms,
                n.beside_p50_ms / std::max(n.alone_p50_ms, 1e-3));
    std::printf("  %-22s %9.3f ms %11.3f ms %8.2f\n", "repair p99", n.beside_p99_ms, n.alone_p99_ms,
                n.beside_p99_ms / std::max(n.alone_p99_ms, 1e-3));
    std::printf("  %-22s %9.3f ms %14s %8s  every repair <= 300 ms: %s\n", "repair max", n.beside_max_ms, "", "",
                n.beside_max_ms <= 300 ? "met" : "NOT met");
  }
  for (const auto* h : {&g_slow_hundred, &g_slow_hundred_http}) {
    if (!h->ran) continue;
    const bool http = h == &g_slow_hundred_http;
    std::printf("\nseamd with %d file seams beside %d seams whose %s times out after 5 s (%d hand edits of one file seam)\n",
                h->seams, h->slow, http ? "http-json side (a server that never answers)" : "exec side", h->edits);
    std::printf("  %-22s %9.3f ms\n", "repair p50", h->repair_p50_ms);
    std::printf("  %-22s %9.3f ms  <= 10 ms: %s\n", "repair p99", h->repair_p99_ms, h->repair_p99_ms <= 10 ? "met" : "NOT met");
    std::printf("  %-22s %9.3f ms\n", "repair max", h->repair_max_ms);
    std::printf("  %-22s %9.3f s   (the first read of every slow seam, from the first to the last; the timeout is 5 s)"
                "  within the 15 s interval: %s\n",
                "first round spread", h->first_reads_spread_s, h->first_reads_spread_s >= 0 && h->first_reads_spread_s <= 15 ? "met" : "NOT met");
    std::printf("  %-22s %9ld in %.0f s of edits (after a failed read a seam backs off: 30 s, then 60 s, ...)\n",
                "slow sides' reads", h->slow_reads, h->window_s);
  }
  if (g_restart.ran) {
    const RestartFigures& r = g_restart;
    std::printf("\nseamd and a server restarted from a stale backup (%d restarts of the demo gateway; http-json side at the default 15 s interval)\n",
                r.restarts);
    std::printf("  %-22s %12s %18s %8s\n", "figure", "repaired", "restart (base)", "ratio");
    std::printf("  %-22s %9.3f ms %15.3f ms %8.2f\n", "after the kill, p50", r.repair_p50_ms, r.up_p50_ms,
                r.repair_p50_ms / std::max(r.up_p50_ms, 1e-3));
    std::printf("  %-22s %9.3f ms %18s %8s  <= 1000 ms: %s\n", "after the kill, max", r.repair_max_ms, "", "",
                r.repair_max_ms <= 1000 ? "met" : "NOT met");
  }
  if (g_scale.ran) {
    const ScaleFigures& s = g_scale;
    std::printf("\nseamd scale (%d seams, %d json-file sides)\n", s.seams, 2 * s.seams);
    // Goal: issue 13, item 8 (it was 1,000 ms before).
    std::printf("  %-30s %10.0f ms  (I/O floor, same files and streams without seam: %.0f ms; ratio %.2f)  <= 500 ms: %s\n",
                "start-up pass over every seam", s.pass_ms, s.floor_ms, s.floor_ms / std::max(s.pass_ms, 1e-3),
                s.pass_ms <= 500 ? "met" : "NOT met");
    std::printf("  %-30s %10.1f MiB (seamd with one seam: %.1f MiB)  <= 150 MiB: %s\n", "resident memory",
                s.rss_mib, s.rss_one_seam_mib, s.rss_mib <= 150 ? "met" : "NOT met");
    std::printf("  %-30s %10.2f %%   (10 s with nothing drifting)  ~0: %s\n", "idle CPU", s.idle_cpu_percent,
                s.idle_cpu_percent < 0.5 ? "met" : "NOT met");
  }
}

}  // namespace seam::bench
