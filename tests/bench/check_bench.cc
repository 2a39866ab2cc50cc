// Figure: one `check` pass over many pairing seams (default 1,000; SEAM_BENCH_SEAMS) whose
// gateway side is the real demo gateway (http-json over loopback) and whose CLI side is a JSON
// file, reported as seams/s. Goal: >= 2,000 seams/s.
//
// The pass is what `seamctl check` runs: every side of every seam observed concurrently
// (tools/common/side_observer.h), then each seam replayed from the log and judged. Beside it,
// in the same run:
//   - the same pass observing one side at a time (information: what concurrency buys);
//   - the I/O floor: the same GETs (keep-alive, as many threads as the observer pool) and file
//     reads with JSON parsing, without seam. seam's ratio to it is its overhead.
// Setup (not timed): a demo-gateway process, `seamctl init`, then one `pair` per seam through
// the library, so both sides hold version 1.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <benchmark/benchmark.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "reconcilers/operations.h"
#include "reconcilers/pairing/pairing_operations.h"
#include "reconcilers/reconcile_pass.h"
#include "tests/bench/bench_env.h"
#include "tests/bench/bench_main.h"
#include "tests/bench/summary.h"
#include "tools/common/side_observer.h"
#include "tools/common/state_context.h"

extern char** environ;

namespace seam::bench {
namespace {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

int SeamCount() {
  const char* env = std::getenv("SEAM_BENCH_SEAMS");
  if (env == nullptr || *env == '\0') return 1000;
  const int n = std::atoi(env);
  return n > 0 ? n : 1000;
}

// The fleet: a running demo gateway and a state directory with N paired seams. Built on first
// use, torn down at exit.
class Fleet {
 public:
  static Fleet& Get() {
    static Fleet fleet;
    return fleet;
  }
  ~Fleet() {
    if (gateway_ > 0) {
      kill(gateway_, SIGTERM);
      waitpid(gateway_, nullptr, 0);
    }
  }

  const std::string& error() const { return error_; }
  StateContext& ctx() { return *ctx_; }
  const std::vector<const SeamConfig*>& seams() const { return seams_; }
  unsigned short port() const { return port_; }
  const fs::path& dir() const { return dir_; }

 private:
  Fleet() { error_ = Build(); }

  std::string Build() {
    dir_ = fs::path(ScratchDir()) / "fleet";
    fs::create_directories(dir_ / "cli");
    fs::create_directories(dir_ / "gateway");
    const std::string port_file = (dir_ / "gateway/port").string();
    std::vector<std::string> argv = {DEMO_GATEWAY_PATH, "--listen", "127.0.0.1:0", "--db",
                                     (dir_ / "gateway/gateway.db").string(), "--port-file",
                                     port_file, "--quiet"};
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (posix_spawn(&gateway_, args[0], nullptr, nullptr, args.data(), environ) != 0) {
      return "cannot start demo-gateway";
    }
    for (int i = 0; i < 500 && port_ == 0; ++i) {
      std::ifstream in(port_file);
      int p = 0;
      if (in >> p) port_ = static_cast<unsigned short>(p);
      else std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (port_ == 0) return "demo-gateway did not start";

    const int n = SeamCount();
    std::ostringstream toml;
    toml << "[store]\npath = \".seam/events.db\"\n";
    for (int i = 0; i < n; ++i) {
      toml << "\n[[seam]]\nname = \"d" << i << "\"\nkind = \"pairing\"\nentity = \"d" << i
           << "\"\norder = [\"gateway\", \"cli\"]\n"
           << "[seam.sides.gateway]\nplugin = \"http-json\"\nurl = \"http://127.0.0.1:" << port_
           << "/pairings/d" << i << "\"\ntransform = \"sha256-hex\"\n"
           << "[seam.sides.gateway.fields]\ndevice_id = \"/device_id\"\ntoken = \"/token_sha256\"\n"
           << "[seam.sides.cli]\nplugin = \"json-file\"\npath = \"cli/d" << i << ".json\"\n"
           << "[seam.sides.cli.fields]\ndevice_id = \"/device_id\"\ntoken = \"/token\"\n";
    }
    const std::string config = (dir_ / "seam.toml").string();
    std::ofstream(config) << toml.str();
    if (!RunToEnd({SEAMCTL_PATH, "-c", config, "init"})) return "seamctl init failed";

    Result<std::unique_ptr<StateContext>> opened = OpenState(config);
    if (!opened.ok()) return opened.status().ToString();
    ctx_ = std::move(opened).value();
    SeamContext sc = ctx_->Seam();
    for (const SeamConfig& seam : ctx_->config.seams) {
      seams_.push_back(&seam);
      Result<OperationReport> paired = Pair(sc, seam, PairRequest{seam.entity, ""});
      if (!paired.ok()) return "pair " + seam.name + ": " + paired.status().ToString();
      if (!paired->AllSidesWritten()) return "pair " + seam.name + ": a side was not written";
    }
    return "";
  }

  fs::path dir_;
  pid_t gateway_ = 0;
  unsigned short port_ = 0;
  std::unique_ptr<StateContext> ctx_;
  std::vector<const SeamConfig*> seams_;
  std::string error_;
};

void CheckPass(benchmark::State& state, unsigned threads) {
  Fleet& fleet = Fleet::Get();
  if (!fleet.error().empty()) {
    state.SkipWithError(fleet.error().c_str());
    return;
  }
  SeamContext sc = fleet.ctx().Seam();
  const auto& seams = fleet.seams();
  for (auto _ : state) {
    std::vector<std::vector<Observation>> observed = ObserveAll(seams, threads);
    for (std::size_t i = 0; i < seams.size(); ++i) {
      Result<SeamReport> report = RunPass(sc, *seams[i], PassMode::kCheck, std::move(observed[i]));
      if (!report.ok() || report->status != "in_sync") {
        state.SkipWithError(("seam " + seams[i]->name + " is not in sync: " +
                             (report.ok() ? report->status : report.status().ToString()))
                                .c_str());
        return;
      }
    }
  }
  state.counters[kRateCounter] = benchmark::Counter(
      static_cast<double>(seams.size()), benchmark::Counter::kIsIterationInvariantRate);
}

// The I/O a check pass cannot avoid: one GET per gateway side (keep-alive connections, one per
// thread) and one read + parse per CLI file.
void RawIo(benchmark::State& state) {
  Fleet& fleet = Fleet::Get();
  if (!fleet.error().empty()) {
    state.SkipWithError(fleet.error().c_str());
    return;
  }
  const int n = static_cast<int>(fleet.seams().size());
  const unsigned threads = DefaultObserverThreads();
  std::atomic<bool> failed{false};
  for (auto _ : state) {
    std::atomic<int> next{0};
    auto work = [&] {
      try {
        boost::asio::io_context ioc;
        beast::tcp_stream stream(ioc);
        stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), fleet.port()));
        beast::flat_buffer buffer;
        for (int i = next++; i < n; i = next++) {
          const std::string device = "d" + std::to_string(i);
          http::request<http::empty_body> req{http::verb::get, "/pairings/" + device, 11};
          req.set(http::field::host, "127.0.0.1");
          http::write(stream, req);
          http::response<http::string_body> res;
          http::read(stream, buffer, res);
          nlohmann::json gw = nlohmann::json::parse(res.body());
          std::ifstream in(fleet.dir() / "cli" / (device + ".json"));
          nlohmann::json cli = nlohmann::json::parse(in);
          if (gw.value("device_id", "") != device || cli.value("device_id", "") != device) failed = true;
        }
      } catch (const std::exception&) {
        failed = true;
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (std::thread& t : pool) t.join();
    if (failed) {
      state.SkipWithError("the raw GET/read baseline failed");
      return;
    }
  }
  state.counters[kRateCounter] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

void RegisterCheckBenchmarks() {
  benchmark::RegisterBenchmark(kSeamCheck, [](benchmark::State& s) { CheckPass(s, DefaultObserverThreads()); })
      ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
  benchmark::RegisterBenchmark(kSeamCheckSequential, [](benchmark::State& s) { CheckPass(s, 1); })
      ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
  benchmark::RegisterBenchmark(kRawCheckIo, RawIo)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
}

}  // namespace seam::bench
