// Figure: one observation of a json-file side, what every pass does for each file side: the
// side's own Observe on a small paired.json (a token and a few other members), beside the I/O
// floor doing the same work without seam: open, read, close, parse with nlohmann, take the
// pointer's value. Information, no goal: the ratio is seam's cost per file observation, which
// buys the directory opened first and held (the write's identity check, docs/security.md "Files
// on sides"), the SHA-256 change marker, the parse that refuses duplicate keys and depth, and the
// wipe of the bytes read.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "core/side.h"
#include "plugins/json_file/json_file_side.h"
#include "tests/bench/bench_env.h"
#include "tests/bench/bench_main.h"
#include "tests/bench/summary.h"

namespace seam::bench {
namespace {

namespace fs = std::filesystem;

constexpr char kPairedJson[] =
    "{\n  \"device_id\": \"device-42\",\n  \"gateway\": \"https://127.0.0.1:8443\",\n"
    "  \"token\": \"q4Yc0m3Jm2x9p0VtC5o6fJ0yS0h7dW8cKxT1nB2eL3g\",\n  \"paired_at\": \"2026-12-01T10:00:00Z\"\n}\n";

// The file, in a directory of its own under the scratch directory.
fs::path WritePairedJson(const std::string& tag) {
  const fs::path dir = fs::path(ScratchDir()) / tag;
  fs::create_directories(dir);
  std::ofstream(dir / "paired.json", std::ios::binary | std::ios::trunc) << kPairedJson;
  return dir;
}

void SeamObserve(benchmark::State& state) {
  const fs::path dir = WritePairedJson("observe-json-file");
  SideOptions o("seam.toml", dir, "device-token", "cli", 1);
  o.Set("path", OptionValue{std::string("paired.json"), 1});
  o.Set("pointer", OptionValue{std::string("/token"), 1});
  Result<std::unique_ptr<Side>> side = MakeJsonFileSide(o);
  if (!side.ok()) {
    state.SkipWithError(side.status().ToString().c_str());
    return;
  }
  for (auto _ : state) {
    Observation seen = (*side)->Observe();
    if (seen.state != Observation::State::kValue) {
      state.SkipWithError(("paired.json not observed as a value: " + seen.reason).c_str());
      break;
    }
    benchmark::DoNotOptimize(seen);
  }
  state.counters[kRateCounter] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  fs::remove_all(dir);
}

void RawReadAndParse(benchmark::State& state) {
  const fs::path dir = WritePairedJson("raw-json-file");
  const std::string path = (dir / "paired.json").string();
  std::string buf(4096, '\0');
  for (auto _ : state) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    const ssize_t n = fd < 0 ? -1 : ::read(fd, buf.data(), buf.size());
    if (fd >= 0) ::close(fd);
    if (n <= 0) {
      state.SkipWithError("reading paired.json failed");
      break;
    }
    nlohmann::json doc = nlohmann::json::parse(buf.data(), buf.data() + n, nullptr, /*allow_exceptions=*/false);
    const nlohmann::json* token = doc.is_object() && doc.contains("token") ? &doc["token"] : nullptr;
    if (token == nullptr || !token->is_string()) {
      state.SkipWithError("paired.json holds no token");
      break;
    }
    benchmark::DoNotOptimize(token->get_ref<const std::string&>());
  }
  state.counters[kRateCounter] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  fs::remove_all(dir);
}

}  // namespace

void RegisterFileSideBenchmarks() {
  benchmark::RegisterBenchmark(kSeamObserveJsonFile, SeamObserve)
      ->UseRealTime()->MinTime(0.5)->Repetitions(3)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(kRawReadJsonFile, RawReadAndParse)
      ->UseRealTime()->MinTime(0.5)->Repetitions(3)->Unit(benchmark::kMicrosecond);
}

}  // namespace seam::bench
