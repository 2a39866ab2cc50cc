#include "tests/bench/seamd_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/crypto.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/drift_events.h"
#include "reconcilers/token/token_events.h"
#include "store/sqlite_event_store.h"
#include "tests/bench/bench_env.h"
#include "tools/common/state_context.h"

extern char** environ;

namespace seam::bench {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  const int n = std::atoi(v);
  return n > 0 ? n : fallback;
}

void WriteText(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::trunc) << text;
}

void RenameReplace(const fs::path& file, const std::string& content) {
  const fs::path temp = file.parent_path() / ("." + file.filename().string() + ".tmp");
  WriteText(temp, content);
  fs::rename(temp, file);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

Seamd::Seamd(const fs::path& dir, const std::string& tag) : dir_(dir), socket_path_(dir / (tag + ".notify")) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_path_.c_str());
  fs::remove(socket_path_);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) error_ = "cannot bind the notify socket";
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  env_strings.push_back("NOTIFY_SOCKET=" + socket_path_.string());
  std::vector<char*> env;
  for (std::string& s : env_strings) env.push_back(s.data());
  env.push_back(nullptr);
  const char* level = std::getenv("SEAM_BENCH_SEAMD_LOG");
  std::vector<std::string> argv = {SEAMD_PATH, "-c", (dir / "seam.toml").string(), "--log-level",
                                   level != nullptr ? level : "warn"};
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  posix_spawn_file_actions_addopen(&actions, 1, (dir / (tag + ".log")).c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  if (error_.empty() && posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), env.data()) != 0) {
    error_ = "cannot start seamd";
  }
  posix_spawn_file_actions_destroy(&actions);
}

Seamd::~Seamd() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  if (fd_ >= 0) ::close(fd_);
}

std::string Seamd::AwaitReady(milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) continue;
    const std::string msg(buf, static_cast<std::size_t>(n));
    if (msg.find("READY=1") != std::string::npos) return msg.substr(msg.find("STATUS=") + 7);
  }
  return "";
}

double Seamd::RssMiB() const { return ProcStatusKb("VmRSS:") / 1024.0; }

double Seamd::CpuSeconds() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string line;
  std::getline(in, line);
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  std::string f;
  std::vector<std::string> v;
  while (fields >> f) v.push_back(f);
  if (v.size() < 13) return 0;
  // After the command: state(0) ... utime is field 14 of the line, index 11 here; stime 12.
  return static_cast<double>(std::stoll(v[11]) + std::stoll(v[12])) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double Seamd::ProcStatusKb(const std::string& key) const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(key.size()));
  }
  return 0;
}

EditRun MeasureEdits(const fs::path& dir, int edits, const std::function<void(int)>& edit,
                     const std::function<void()>& before_each, const std::string& stream, milliseconds ready_within) {
  EditRun run;
  Seamd seamd(dir, "seamd");
  if (!seamd.error().empty()) return {{}, {}, seamd.error()};
  if (seamd.AwaitReady(ready_within).empty()) return {{}, {}, "seamd did not get ready"};
  SqliteOpenOptions options;
  options.read_only = true;
  auto store = SqliteEventStore::Open((dir / ".seam/events.db").string(), options);
  if (!store.ok()) return {{}, {}, store.status().ToString()};
  Result<std::int64_t> version = (*store)->StreamVersion(stream);
  std::int64_t seen = version.ok() ? *version : 0;
  for (int i = 0; i < edits; ++i) {
    before_each();
    const std::int64_t t0 = NowUs();
    edit(i);
    std::int64_t opened_at = 0;
    std::int64_t repaired_at = 0;
    bool closed = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!closed && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(500));
      Result<std::vector<Event>> events = (*store)->ReadStream(stream, seen + 1);
      if (!events.ok()) return {{}, {}, events.status().ToString()};
      for (const Event& e : *events) {
        seen = e.version;
        if (e.type == drift::kDriftOpened && opened_at == 0) {
          opened_at = drift::DecodeDriftOpened(e.payload).value().first_seen_at_us;
        } else if (e.type == bookkeeping::kSideRepaired) {
          repaired_at = e.time_us;
        } else if (e.type == drift::kDriftClosed) {
          closed = true;  // the whole drift is in: the next edit may come
        }
      }
    }
    if (opened_at == 0 || repaired_at == 0) return {{}, {}, "edit " + std::to_string(i) + " was not repaired within 60 s"};
    run.detect_ms.push_back(static_cast<double>(opened_at - t0) / 1000.0);
    run.repair_ms.push_back(static_cast<double>(repaired_at - t0) / 1000.0);
    if (std::getenv("SEAM_BENCH_VERBOSE") != nullptr) {
      std::fprintf(stderr, "edit %d at %lld us (Unix): repaired in %.3f ms\n", i, static_cast<long long>(t0),
                   run.repair_ms.back());
    }
  }
  return run;
}

const char kTwoFileConfig[] = R"([store]
path = ".seam/events.db"

[[seam]]
name = "device-token"
kind = "token"
entity = "device-42"
repair_budget = "off"
[seam.sides.gateway]
plugin = "json-file"
path = "gateway/state.json"
pointer = "/token"
[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
pointer = "/token"
)";

std::string FleetToken(int i) { return "token-of-seam-" + std::to_string(i) + "-0123456789abcdefghij"; }

std::string BuildScaleFleet(const fs::path& dir, int n, const std::string& extra_toml) {
  std::ostringstream toml;
  toml << "[store]\npath = \".seam/events.db\"\n" << extra_toml;
  for (int i = 0; i < n; ++i) {
    const std::string sub = "d" + std::to_string(i % 100);
    // No repair budget: the benchmarks edit one seam many times (the budget is not what they measure).
    toml << "\n[[seam]]\nname = \"s" << i << "\"\nkind = \"token\"\nentity = \"s" << i << "\"\nrepair_budget = \"off\"\n"
         << "[seam.sides.gateway]\nplugin = \"json-file\"\npath = \"gw/" << sub << "/s" << i
         << ".json\"\npointer = \"/token\"\n"
         << "[seam.sides.cli]\nplugin = \"json-file\"\npath = \"cli/" << sub << "/s" << i
         << ".json\"\npointer = \"/token\"\n";
  }
  WriteText(dir / "seam.toml", toml.str());
  if (!RunToEnd({SEAMCTL_PATH, "init"}, dir.string())) return "seamctl init failed";
  Result<std::unique_ptr<StateContext>> opened = OpenState((dir / "seam.toml").string());
  if (!opened.ok()) return opened.status().ToString();
  StateContext& ctx = **opened;
  for (int i = 0; i < n; ++i) {
    const std::string stream = "token/s" + std::to_string(i);
    const std::string token = FleetToken(i);
    Result<std::string> sealed = ctx.keys->Seal(Secret(token), SealContext(stream, 1));
    if (!sealed.ok()) return sealed.status().ToString();
    const std::int64_t now = NowUs();
    std::vector<EventDraft> drafts = {
        {token::kTokenIssued, "bench", now, token::Encode(token::TokenValueSet{*sealed})},
        {bookkeeping::kSideApplied, "bench", now, bookkeeping::Encode(bookkeeping::SideApplied{"gateway", 1})},
        {bookkeeping::kSideApplied, "bench", now, bookkeeping::Encode(bookkeeping::SideApplied{"cli", 1})}};
    Result<AppendResult> appended = ctx.log().Append(stream, 0, drafts);
    if (!appended.ok()) return appended.status().ToString();
    const std::string sub = "d" + std::to_string(i % 100);
    const std::string body = "{\"token\": \"" + token + "\"}\n";
    WriteText(dir / "gw" / sub / ("s" + std::to_string(i) + ".json"), body);
    WriteText(dir / "cli" / sub / ("s" + std::to_string(i) + ".json"), body);
  }
  // The fleet's 20,000 files are dirty pages the kernel writes back about 30 s later; flushed
  // now, that writeback does not stall seamd's fsyncs in the middle of a measurement (it made
  // single repairs take 70-120 ms when the edits began within 30 s of the fleet's creation).
  ::sync();
  return "";
}

}  // namespace seam::bench
