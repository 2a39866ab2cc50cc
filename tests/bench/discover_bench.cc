// Issue 19's figure: `seamctl discover` over 100,000 generated files (about 1 GiB; env
// SEAM_BENCH_DISCOVER_FILES, SEAM_BENCH_DISCOVER_KIB per file) beside `LC_ALL=C grep -rIc -E
// '[A-Za-z0-9_+/=-]{20,}' TREE` over the same tree in the same run: files/s and MB/s of each,
// their ratio (goal: discover >= 0.5x grep's throughput) and each process's peak RSS. Both run
// three times, alternately, on a warm page cache; the medians are the figures.
//
// The tree is what a config directory looks like: JSON, YAML, TOML, .env and plain text files
// of settings, a fifth of them holding a secret (some kept in two or three files: groups), the
// rest ordinary words and numbers.

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/crypto.h"
#include "tests/bench/bench_env.h"
#include "tests/bench/bench_main.h"

extern char** environ;

namespace seam::bench {
namespace {

namespace fs = std::filesystem;

struct Run {
  double seconds = 0;
  long peak_rss_kib = 0;
  int exit_code = -1;
};

struct DiscoverFigures {
  bool ran = false;
  std::string error;
  std::size_t files = 0;
  std::size_t bytes = 0;
  std::vector<Run> discover, grep;
};
DiscoverFigures g_discover;

std::size_t EnvOr(const char* name, std::size_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && std::atol(v) > 0 ? static_cast<std::size_t>(std::atol(v)) : fallback;
}

// Runs argv with stdout and stderr to /dev/null, in `cwd`; wall time and peak RSS from wait4.
Run Timed(const std::vector<std::string>& argv, const std::string& cwd, const std::vector<std::string>& env) {
  Run r;
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings(env);
  for (char** e = environ; *e != nullptr; ++e)
    if (std::string(*e).rfind("SEAM_CONFIG=", 0) != 0) env_strings.emplace_back(*e);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  if (posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), envp.data()) != 0) {
    posix_spawn_file_actions_destroy(&fa);
    return r;
  }
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.peak_rss_kib = usage.ru_maxrss;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

const char* const kWords[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
                              "india", "juliet", "lima", "mike", "november", "oscar", "papa", "quebec",
                              "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee"};

std::string Word(std::mt19937_64& rng) { return kWords[rng() % (sizeof kWords / sizeof *kWords)]; }

std::string RandomToken(std::mt19937_64& rng) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string s;
  for (int i = 0; i < 43; ++i) s += kAlphabet[rng() % 64];
  return s;
}

// One file of about `bytes`: settings in the file's format, a secret when `secret` is not empty.
std::string FileText(int format, std::size_t bytes, const std::string& secret, std::mt19937_64& rng) {
  std::string out;
  auto setting = [&](const std::string& k, const std::string& v) {
    switch (format) {
      case 0: out += (out.size() > 1 ? ",\n  \"" : "  \"") + k + "\": \"" + v + "\""; break;
      case 1: out += k + ": " + v + "\n"; break;
      case 2: out += k + " = \"" + v + "\"\n"; break;
      case 3: out += k + "=" + v + "\n"; break;
      default: out += "the " + k + " is " + v + " today\n"; break;
    }
  };
  if (format == 0) out = "{\n";
  if (!secret.empty()) setting(format == 3 ? "API_TOKEN" : "api_token", secret);
  for (int i = 0; out.size() < bytes; ++i) setting(Word(rng) + "_" + std::to_string(i), Word(rng) + " " + Word(rng) + " " + std::to_string(rng() % 100000));
  if (format == 0) out += "\n}\n";
  return out;
}

std::string Generate(const fs::path& tree, std::size_t files, std::size_t bytes_each, std::size_t* total) {
  std::mt19937_64 rng(19);
  static const char* const kExt[] = {".json", ".yaml", ".toml", ".env", ".txt"};
  std::string shared;
  for (std::size_t i = 0; i < files; ++i) {
    const fs::path dir = tree / ("d" + std::to_string(i / 1000)) / ("s" + std::to_string(i / 50 % 20));
    if (i % 50 == 0) fs::create_directories(dir);
    const int format = static_cast<int>(rng() % 5);
    std::string secret;
    if (i % 5 == 0) {
      // Every third secret is the one before it again: a group across two files.
      if (i % 15 != 0 || shared.empty()) shared = RandomToken(rng);
      secret = shared;
    }
    const std::string text = FileText(format, bytes_each, secret, rng);
    std::FILE* f = std::fopen((dir / ("f" + std::to_string(i) + kExt[format])).c_str(), "wb");
    if (f == nullptr) return "cannot write into " + dir.string();
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    *total += text.size();
  }
  return "";
}

double Median(std::vector<Run> runs) {
  std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.seconds < b.seconds; });
  return runs[runs.size() / 2].seconds;
}

long MaxRss(const std::vector<Run>& runs) {
  long m = 0;
  for (const Run& r : runs) m = std::max(m, r.peak_rss_kib);
  return m;
}

void DiscoverTree(benchmark::State& state) {
  DiscoverFigures& f = g_discover;
  for (auto _ : state) {
    f = DiscoverFigures{};
    f.ran = true;
    f.files = EnvOr("SEAM_BENCH_DISCOVER_FILES", 100'000);
    const fs::path tree = fs::path(ScratchDir()) / "discover-tree";
    fs::remove_all(tree);
    f.error = Generate(tree, f.files, EnvOr("SEAM_BENCH_DISCOVER_KIB", 10) * 1024, &f.bytes);
    if (f.error.empty()) {
      for (int i = 0; i < 3; ++i) {
        f.grep.push_back(Timed({"grep", "-rIc", "-E", "[A-Za-z0-9_+/=-]{20,}", tree.string()}, ScratchDir(), {"LC_ALL=C"}));
        f.discover.push_back(Timed({SEAMCTL_PATH, "discover", "--json", tree.string()}, ScratchDir(), {}));
        if (f.discover.back().exit_code != 1) f.error = "seamctl discover exited " + std::to_string(f.discover.back().exit_code) + " (1 expected: groups)";
        if (f.grep.back().exit_code != 0) f.error = "grep exited " + std::to_string(f.grep.back().exit_code);
      }
    }
    fs::remove_all(tree);
    if (!f.error.empty()) {
      state.SkipWithError(f.error.c_str());
      return;
    }
    state.SetIterationTime(Median(f.discover));
  }
}

}  // namespace

void RegisterDiscoverBenchmarks() {
  benchmark::RegisterBenchmark("discover/tree_vs_grep", DiscoverTree)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
}

void PrintDiscoverFigures() {
  const DiscoverFigures& f = g_discover;
  if (!f.ran) return;
  if (!f.error.empty()) {
    std::printf("\nseamctl discover over a generated tree: not measured: %s\n", f.error.c_str());
    return;
  }
  const double d = Median(f.discover), g = Median(f.grep);
  const double mb = static_cast<double>(f.bytes) / 1e6;
  std::printf("\nseamctl discover over %zu files (%.0f MB), beside LC_ALL=C grep -rIc -E '[A-Za-z0-9_+/=-]{20,}' (median of 3, warm cache)\n",
              f.files, mb);
  std::printf("  %-10s %12s %10s %8s %14s\n", "", "files/s", "MB/s", "seconds", "peak RSS");
  std::printf("  %-10s %12.0f %10.1f %8.2f %11ld MiB\n", "discover", static_cast<double>(f.files) / d, mb / d, d, MaxRss(f.discover) / 1024);
  std::printf("  %-10s %12.0f %10.1f %8.2f %11ld MiB\n", "grep", static_cast<double>(f.files) / g, mb / g, g, MaxRss(f.grep) / 1024);
  std::printf("  ratio (discover throughput / grep's): %.2f (goal >= 0.5): %s\n", g / d, g / d >= 0.5 ? "met" : "NOT met");
}

}  // namespace seam::bench
