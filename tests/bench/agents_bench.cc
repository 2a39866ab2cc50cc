// Many hosts (issue 15): seamd agents as real processes sharing a throwaway PostgreSQL log, on
// one token seam whose `cli` side is gw1's, `gateway` side gw2's, and `shared` side the owner's
// (it names no agent). Three figures:
//
//  1. Rotation across agents: `seamctl token rotate` on gw1's host (SEAM_BENCH_ROTATIONS, default
//     100), each waiting for gw2's confirmation. Latency = gw2's SideApplied for the gateway side
//     minus the TokenRotated intent, both from the log's own times. Goals: p50 <= 50 ms, p99 <=
//     250 ms. Baseline, same rotations: the same latency for gw1's own side, written by seamctl
//     in the same process that appended the intent.
//  2. Owner failover, each fault SEAM_BENCH_FAILOVERS (default 20) times: SIGKILL of the owner,
//     SIGSTOP of it for 5 s, and pg_terminate_backend of every seam connection. Right after the
//     fault the shared side is edited by hand; latency = the SideRepaired of that edit minus the
//     fault. Goals: max <= 2 s; at most one new epoch per fault. Baseline, same run: the same
//     edit with no fault (the owner repairs it at once).
//  3. Pauses: SEAM_BENCH_PAUSES (default 200) SIGSTOP/SIGCONT of the owner of 0.5-3 s while a
//     writer edits the shared side every 0.2-0.8 s. Goals: 0 double repairs (two SideRepaired
//     of one hand edit: each edit writes a token of its own, so two repairs overwriting the same
//     fingerprint are one edit repaired twice) and 0 stale-epoch events (an event whose epoch is
//     below one appended before it).
//
//  4. Partition (agents/owner_partition): both agents in network namespaces of their own
//     (tests/e2e/veth_namespace.h), each reaching a PostgreSQL server of the benchmark's own over
//     its veth pair only; the fault sets the owner's link down (packets vanish) for the round,
//     SEAM_BENCH_FAILOVERS times, measured as the faults of 2. Needs root (ip netns).

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "reconcilers/bookkeeping_events.h"
#include "store/open.h"
#include "tests/bench/bench_env.h"
#include "tests/bench/bench_main.h"
#include "tests/bench/seamd_harness.h"
#include "tests/e2e/daemon_process.h"
#include "tests/e2e/process.h"
#include "tests/e2e/veth_namespace.h"
#include "tests/support/agents_seam.h"
#include "tests/support/throwaway_postgres.h"

namespace seam::bench {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

constexpr char kStreamName[] = "token/device-42";

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool WaitUntil(const std::function<bool()>& condition, milliseconds deadline) {
  const Steady::time_point end = Steady::now() + deadline;
  while (Steady::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return condition();
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The token a json-file side holds at /token, or "".
std::string TokenIn(const fs::path& file) {
  const nlohmann::json doc = nlohmann::json::parse(ReadText(file), nullptr, false);
  return doc.is_object() && doc.contains("token") && doc["token"].is_string() ? doc["token"].get<std::string>() : "";
}

testing::ThrowawayPostgres* Server(std::string* error) {
  static testing::ThrowawayPostgres server;
  static const std::string started = server.Start();
  *error = started;
  return started.empty() ? &server : nullptr;
}

// The directory, database, config and sides of one benchmark, and its seamd agents.
class AgentsRig {
 public:
  ~AgentsRig() {
    for (auto& [name, process] : agents_) {
      process.Signal(SIGCONT);
      process.Signal(SIGTERM);
      process.Wait(milliseconds(5000));
    }
    std::error_code ec;
    // SEAM_BENCH_KEEP_LOGS=DIR: the agents' logs are kept there (DIR/<benchmark>/<agent>.log).
    if (const char* keep = std::getenv("SEAM_BENCH_KEEP_LOGS"); keep != nullptr && *keep != '\0' && !dir_.empty()) {
      const fs::path to = fs::path(keep) / dir_.filename();
      fs::create_directories(to, ec);
      for (const auto& [name, process] : agents_) fs::copy_file(dir_ / (name + ".log"), to / (name + ".log"),
                                                               fs::copy_options::overwrite_existing, ec);
    }
    fs::remove_all(dir_, ec);
  }

  // "" when ready: the seam's token issued from gw1's host, both agents running, gw2's side
  // written, an owner holding the lease.
  // `in_namespaces`: each agent in a network namespace of its own, reaching a server of the
  // rig's own over its veth pair (Partition cuts it off); seamctl uses the server's socket.
  std::string Setup(const std::string& tag, bool in_namespaces = false) {
    std::string error;
    if (in_namespaces) {
      for (int i = 0; i < 2; ++i) {
        namespaces_.push_back(std::make_unique<e2e::VethNamespace>());
        if (std::string made = namespaces_.back()->Create(i); !made.empty()) return made;
      }
      own_server_ = std::make_unique<testing::ThrowawayPostgres>();
      own_server_->ListenOn(namespaces_[0]->host_addr() + "," + namespaces_[1]->host_addr(), 5432,
                            namespaces_[0]->clients());
      if (std::string started = own_server_->Start(); !started.empty()) return "PostgreSQL: " + started;
      server_ = own_server_.get();
    } else {
      server_ = Server(&error);
    }
    if (server_ == nullptr) return "PostgreSQL: " + error;
    db_ = server_->NewDatabase(tag);
    if (db_.empty()) return "CREATE DATABASE failed";
    dir_ = fs::path(ScratchDir()) / tag;
    fs::create_directories(dir_);
    for (const char* side : {"cli", "gateway", "shared"}) {
      fs::create_directories(Side(side).parent_path());
      std::ofstream(Side(side)) << "{}\n";
    }
    std::ofstream(dir_ / "seam.toml") << "[store]\nurl = \"" << server_->Url(db_) << "\"\n" << testing::kAgentsSeamToml;
    for (std::size_t i = 0; i < namespaces_.size(); ++i) {
      std::ofstream(dir_ / ("gw" + std::to_string(i + 1) + ".toml"))
          << "[store]\nurl = \"postgresql://" << testing::ThrowawayPostgres::kSuperuser << "@"
          << namespaces_[i]->host_addr() << ":5432/" << db_ << "\"\n"
          << testing::kAgentsSeamToml;
    }
    if (e2e::ProcessResult init = Seamctl({"init"}); init.exit_code != 0) return "seamctl init: " + init.err;
    if (e2e::ProcessResult issue = Seamctl({"token", "issue", "device-token", "--wait", "0"}); issue.exit_code != 2) {
      return "seamctl token issue: " + issue.out + issue.err;
    }
    for (const char* agent : {"gw1", "gw2"}) {
      if (std::string started = Start(agent); !started.empty()) return started;
    }
    if (!WaitUntil([&] { return TokenIn(Side("gateway")) == TokenIn(Side("cli")) && !Owner().first.empty(); },
                   milliseconds(15000))) {
      return "the agents did not take up the seam within 15 s";
    }
    return "";
  }

  std::string Start(const std::string& agent) {
    agents_.erase(agent);
    std::string error;
    const char* level = std::getenv("SEAM_BENCH_SEAMD_LOG");
    std::vector<std::string> argv = {SEAMD_PATH, "-c", (dir_ / "seam.toml").string(), "--agent", agent, "--log-level",
                                     level != nullptr ? level : "info"};
    if (const e2e::VethNamespace* ns = NamespaceOf(agent)) {
      argv[2] = (dir_ / (agent + ".toml")).string();
      argv = ns->Exec(argv);
    }
    if (!agents_[agent].Start(argv, dir_, dir_ / (agent + ".log"), {}, {"SEAM_FAULT", "NOTIFY_SOCKET", "SEAM_AGENT"},
                              &error)) {
      return "starting seamd " + agent + ": " + error;
    }
    return "";
  }

  e2e::ProcessResult Seamctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {SEAMCTL_PATH, "-c", (dir_ / "seam.toml").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    e2e::ProcessOptions options;
    options.cwd = dir_;
    options.env = {{"SEAM_AGENT", "gw1"}};
    options.timeout = milliseconds(60000);
    return e2e::RunProcess(argv, options);
  }

  // psql's output of `sql` on the rig's database.
  std::string Query(const std::string& sql) {
    std::string out;
    server_->Psql(sql, db_, &out);
    return out;
  }

  // {agent, epoch} of the live lease, or {"", 0}.
  std::pair<std::string, std::int64_t> Owner() {
    const std::string row = Query("SELECT agent || ' ' || epoch FROM seam_owners WHERE expires_at > clock_timestamp()");
    std::istringstream in(row);
    std::string agent;
    std::int64_t epoch = 0;
    in >> agent >> epoch;
    return {agent, epoch};
  }

  Result<std::vector<Event>> Events() {
    SEAM_ASSIGN_OR_RETURN(StoreConfig config, StoreFromUrl(server_->Url(db_), dir_.string()));
    SEAM_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, store::Open(config, {.read_only = true}));
    return store->Log().ReadStream(kStreamName);
  }

  // The side's file, as kAgentsSeamToml places it.
  fs::path Side(const std::string& name) const {
    return dir_ / (name == "cli" ? "cli/paired.json" : name == "gateway" ? "gateway/state.json" : "shared/token.json");
  }
  e2e::DaemonProcess& Agent(const std::string& name) { return agents_[name]; }

  // Sets `agent`'s link to the database down (cut) or up; "" on success.
  std::string Partition(const std::string& agent, bool cut) {
    e2e::VethNamespace* ns = NamespaceOf(agent);
    return ns == nullptr ? "agent " + agent + " runs in no namespace of the rig's" : ns->SetLink(!cut);
  }
  // Agents whose heartbeat the store has had within the last second.
  int AgentsHeard() { return std::atoi(Query("SELECT count(*) FROM seam_agents WHERE seen_at > clock_timestamp() - interval '1 second'").c_str()); }

 private:
  e2e::VethNamespace* NamespaceOf(const std::string& agent) const {
    if (namespaces_.size() != 2 || (agent != "gw1" && agent != "gw2")) return nullptr;
    return namespaces_[agent == "gw1" ? 0 : 1].get();
  }

  std::unique_ptr<testing::ThrowawayPostgres> own_server_;
  std::vector<std::unique_ptr<e2e::VethNamespace>> namespaces_;
  testing::ThrowawayPostgres* server_ = nullptr;
  std::string db_;
  fs::path dir_;
  std::map<std::string, e2e::DaemonProcess> agents_;
};

// A hand edit of a side: a token of its own (43 characters, as a real one), so its repair can be
// told apart by the fingerprint it overwrote.
std::string HandEdit(std::mt19937_64& rng) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token;
  for (int i = 0; i < 43; ++i) token += kAlphabet[std::uniform_int_distribution<int>(0, 63)(rng)];
  return R"({"token": ")" + token + "\"}\n";
}

struct RotationFigures {
  int rotations = 0;
  double other_p50_ms = 0, other_p99_ms = 0, own_p50_ms = 0, own_p99_ms = 0;
  bool ran = false;
};
struct FaultFigures {
  std::string fault;
  int rounds = 0;
  double p50_ms = 0, max_ms = 0;
  int max_new_epochs = 0;
  int unrepaired = 0;
};
struct FailoverFigures {
  std::vector<FaultFigures> faults;
  double none_p50_ms = 0, none_max_ms = 0;
  int none_rounds = 0;
  int double_repairs = 0, stale_epoch_events = 0;
  bool ran = false;
};
struct PauseFigures {
  int pauses = 0, edits = 0, repairs = 0, double_repairs = 0, stale_epoch_events = 0, epochs = 0;
  bool ran = false;
};
RotationFigures g_rotation;
FailoverFigures g_failover;
FailoverFigures g_partition;
PauseFigures g_pauses;

// Events whose epoch is below an epoch appended before them (fenced events only: 0 is unfenced).
int StaleEpochEvents(const std::vector<Event>& events) {
  int stale = 0;
  std::int64_t highest = 0;
  for (const Event& e : events) {
    if (e.epoch == 0) continue;
    if (e.epoch < highest) ++stale;
    highest = std::max(highest, e.epoch);
  }
  return stale;
}

// SideRepaired events of `side` that overwrote a fingerprint an earlier one had overwritten.
int DoubleRepairs(const std::vector<Event>& events, const std::string& side) {
  std::set<std::string> seen;
  int doubled = 0;
  for (const Event& e : events) {
    if (e.type != bookkeeping::kSideRepaired) continue;
    Result<bookkeeping::SideRepaired> p = bookkeeping::DecodeSideRepaired(e.payload);
    if (!p.ok() || p->side != side || p->fingerprint_before.empty()) continue;
    if (!seen.insert(p->fingerprint_before).second) ++doubled;
  }
  return doubled;
}

// The time of the first SideRepaired of `side` at or after `since_us`, or 0.
std::int64_t RepairedAfter(const std::vector<Event>& events, const std::string& side, std::int64_t since_us) {
  for (const Event& e : events) {
    if (e.type != bookkeeping::kSideRepaired || e.time_us < since_us) continue;
    Result<bookkeeping::SideRepaired> p = bookkeeping::DecodeSideRepaired(e.payload);
    if (p.ok() && p->side == side) return e.time_us;
  }
  return 0;
}

void RotationAcrossAgents(benchmark::State& state) {
  for (auto _ : state) {
    AgentsRig rig;
    if (std::string error = rig.Setup("rotation"); !error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
    const int rotations = EnvInt("SEAM_BENCH_ROTATIONS", 100);
    for (int i = 0; i < rotations; ++i) {
      e2e::ProcessResult rotate = rig.Seamctl({"token", "rotate", "device-token", "--wait", "30"});
      if (rotate.exit_code != 0) {
        state.SkipWithError(("rotation " + std::to_string(i) + ": " + rotate.out + rotate.err).c_str());
        return;
      }
    }
    Result<std::vector<Event>> events = rig.Events();
    if (!events.ok()) {
      state.SkipWithError(events.status().ToString().c_str());
      return;
    }
    std::map<std::int64_t, std::int64_t> intent_at;  // version -> time
    std::vector<double> other, own;
    for (const Event& e : *events) {
      if (e.type == "TokenRotated") intent_at[e.version] = e.time_us;
      if (e.type != bookkeeping::kSideApplied) continue;
      Result<bookkeeping::SideApplied> p = bookkeeping::DecodeSideApplied(e.payload);
      if (!p.ok() || !intent_at.contains(p->version)) continue;
      const double ms = static_cast<double>(e.time_us - intent_at[p->version]) / 1000.0;
      if (p->side == "gateway") other.push_back(ms);
      if (p->side == "cli") own.push_back(ms);
    }
    if (other.size() != static_cast<std::size_t>(rotations) || own.size() != static_cast<std::size_t>(rotations)) {
      state.SkipWithError(("expected a confirmation of each side per rotation: gateway " +
                           std::to_string(other.size()) + ", cli " + std::to_string(own.size()))
                              .c_str());
      return;
    }
    g_rotation = {rotations, Percentile(other, 0.5), Percentile(other, 0.99), Percentile(own, 0.5),
                  Percentile(own, 0.99), true};
    state.SetIterationTime(g_rotation.other_p99_ms / 1000.0);
  }
  state.counters["other_agent_p99_ms"] = g_rotation.other_p99_ms;
}

// One failover round: the fault (none: the baseline), a hand edit of the shared side, its
// repair awaited; the latency in ms (fault -> its SideRepaired), or nullopt (unrepaired) after
// 10 s. `new_epochs`: epochs taken meanwhile. Leaves both agents running and heard again.
std::optional<double> FailoverRound(AgentsRig& rig, const std::string& fault, std::mt19937_64& rng, int* new_epochs) {
  if (!WaitUntil([&] { return !rig.Owner().first.empty(); }, milliseconds(10000))) return std::nullopt;
  const auto [owner, epoch] = rig.Owner();
  const std::string intended = TokenIn(rig.Side("cli"));
  const std::int64_t fault_at = NowMicros();
  if (fault == "kill") {
    rig.Agent(owner).Signal(SIGKILL);
    rig.Agent(owner).Wait(milliseconds(5000));
  } else if (fault == "stop") {
    rig.Agent(owner).Signal(SIGSTOP);
  } else if (fault == "terminate") {
    rig.Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'seam' "
              "AND datname = current_database()");
  } else if (fault == "partition") {
    if (!rig.Partition(owner, true).empty()) return std::nullopt;
  }
  RenameReplace(rig.Side("shared"), HandEdit(rng));
  const bool repaired = WaitUntil([&] { return TokenIn(rig.Side("shared")) == intended; }, milliseconds(10000));
  std::optional<double> latency;
  if (repaired) {
    Result<std::vector<Event>> events = rig.Events();
    const std::int64_t at = events.ok() ? RepairedAfter(*events, "shared", fault_at) : 0;
    if (at > 0) latency = static_cast<double>(at - fault_at) / 1000.0;
  }
  *new_epochs = static_cast<int>(rig.Owner().second - epoch);
  // Back to two agents for the next round.
  if (fault == "kill") rig.Start(owner);
  if (fault == "stop") {
    const std::int64_t resume_at = fault_at + 5'000'000;
    if (NowMicros() < resume_at) std::this_thread::sleep_for(std::chrono::microseconds(resume_at - NowMicros()));
    rig.Agent(owner).Signal(SIGCONT);
  }
  if (fault == "partition") {
    rig.Partition(owner, false);
    WaitUntil([&] { return rig.AgentsHeard() == 2; }, milliseconds(30000));
  }
  std::this_thread::sleep_for(milliseconds(fault == "none" ? 200 : 1000));
  return latency;
}

// `rounds` rounds of `fault`.
FaultFigures RunFault(AgentsRig& rig, const std::string& fault, int rounds, std::mt19937_64& rng) {
  FaultFigures f;
  f.fault = fault;
  std::vector<double> latencies;
  for (int i = 0; i < rounds; ++i) {
    int new_epochs = 0;
    std::optional<double> ms = FailoverRound(rig, fault, rng, &new_epochs);
    if (ms) latencies.push_back(*ms);
    else ++f.unrepaired;
    f.max_new_epochs = std::max(f.max_new_epochs, new_epochs);
  }
  f.rounds = rounds;
  f.p50_ms = Percentile(latencies, 0.5);
  f.max_ms = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
  return f;
}

// The no-fault baseline, then each of `faults` SEAM_BENCH_FAILOVERS times, and what the log says
// of them all.
Result<FailoverFigures> RunFailovers(AgentsRig& rig, const std::vector<std::string>& faults) {
  std::mt19937_64 rng(std::random_device{}());
  const int rounds = EnvInt("SEAM_BENCH_FAILOVERS", 20);
  FailoverFigures figures;
  std::vector<double> none;
  for (int i = 0; i < rounds; ++i) {
    int ignored = 0;
    if (std::optional<double> ms = FailoverRound(rig, "none", rng, &ignored)) none.push_back(*ms);
  }
  for (const std::string& fault : faults) figures.faults.push_back(RunFault(rig, fault, rounds, rng));
  SEAM_ASSIGN_OR_RETURN(std::vector<Event> events, rig.Events());
  figures.none_rounds = static_cast<int>(none.size());
  figures.none_p50_ms = Percentile(none, 0.5);
  figures.none_max_ms = none.empty() ? 0 : *std::max_element(none.begin(), none.end());
  figures.double_repairs = DoubleRepairs(events, "shared");
  figures.stale_epoch_events = StaleEpochEvents(events);
  figures.ran = true;
  return figures;
}

// The failover benchmarks: `faults` on a rig set up as `in_namespaces` says, into `out`.
void Failovers(benchmark::State& state, const std::string& tag, bool in_namespaces,
               const std::vector<std::string>& faults, FailoverFigures& out) {
  for (auto _ : state) {
    AgentsRig rig;
    if (std::string error = rig.Setup(tag, in_namespaces); !error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
    Result<FailoverFigures> figures = RunFailovers(rig, faults);
    if (!figures.ok()) {
      state.SkipWithError(figures.status().ToString().c_str());
      return;
    }
    out = *figures;
    double worst = 0;
    for (const FaultFigures& f : out.faults) worst = std::max(worst, f.max_ms);
    state.SetIterationTime(worst / 1000.0);
  }
}

void OwnerFailover(benchmark::State& state) {
  Failovers(state, "failover", false, {"kill", "stop", "terminate"}, g_failover);
}

// The partition, on a rig of its own (agents in network namespaces), its baseline on that rig.
void OwnerPartition(benchmark::State& state) { Failovers(state, "partition", true, {"partition"}, g_partition); }

void OwnerPauses(benchmark::State& state) {
  for (auto _ : state) {
    AgentsRig rig;
    if (std::string error = rig.Setup("pauses"); !error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
    const int pauses = EnvInt("SEAM_BENCH_PAUSES", 200);
    const std::int64_t first_epoch = rig.Owner().second;
    std::atomic<bool> editing{true};
    std::atomic<int> edits{0};
    std::thread writer([&] {
      std::mt19937_64 rng(std::random_device{}());
      while (editing.load()) {
        RenameReplace(rig.Side("shared"), HandEdit(rng));
        ++edits;
        std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(200, 800)(rng)));
      }
    });
    std::mt19937_64 rng(std::random_device{}());
    for (int i = 0; i < pauses; ++i) {
      WaitUntil([&] { return !rig.Owner().first.empty(); }, milliseconds(5000));
      const std::string owner = rig.Owner().first;
      if (owner.empty()) continue;
      rig.Agent(owner).Signal(SIGSTOP);
      std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(500, 3000)(rng)));
      rig.Agent(owner).Signal(SIGCONT);
      std::this_thread::sleep_for(milliseconds(300));
    }
    editing = false;
    writer.join();
    const std::string intended = TokenIn(rig.Side("cli"));
    WaitUntil([&] { return TokenIn(rig.Side("shared")) == intended; }, milliseconds(10000));
    Result<std::vector<Event>> events = rig.Events();
    if (!events.ok()) {
      state.SkipWithError(events.status().ToString().c_str());
      return;
    }
    PauseFigures f;
    f.pauses = pauses;
    f.edits = edits.load();
    for (const Event& e : *events) {
      if (e.type != bookkeeping::kSideRepaired) continue;
      Result<bookkeeping::SideRepaired> p = bookkeeping::DecodeSideRepaired(e.payload);
      if (p.ok() && p->side == "shared") ++f.repairs;
    }
    f.double_repairs = DoubleRepairs(*events, "shared");
    f.stale_epoch_events = StaleEpochEvents(*events);
    f.epochs = static_cast<int>(rig.Owner().second - first_epoch);
    f.ran = true;
    g_pauses = f;
    state.SetIterationTime(static_cast<double>(f.double_repairs + f.stale_epoch_events));
  }
}

}  // namespace

void RegisterAgentsBenchmarks() {
  benchmark::RegisterBenchmark("agents/rotation_across_agents", RotationAcrossAgents)
      ->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("agents/owner_failover", OwnerFailover)
      ->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("agents/owner_partition", OwnerPartition)
      ->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("agents/owner_pauses", OwnerPauses)
      ->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
}

namespace {

void PrintFailover(const FailoverFigures& f, const char* title) {
  if (!f.ran) return;
  std::printf("\n%s (each fault %d times; then the shared side edited by hand; latency: fault -> its SideRepaired)\n",
              title, f.faults.empty() ? 0 : f.faults.front().rounds);
  std::printf("  %-34s %10s %10s %10s %11s  %s\n", "fault", "p50", "max", "new epochs", "unrepaired", "goal");
  std::printf("  %-34s %7.1f ms %7.1f ms %10s %11s  (baseline: the same edit, no fault; %d rounds)\n", "none",
              f.none_p50_ms, f.none_max_ms, "-", "-", f.none_rounds);
  for (const FaultFigures& x : f.faults) {
    const char* label = x.fault == "kill"        ? "SIGKILL of the owner"
                        : x.fault == "stop"      ? "SIGSTOP of the owner for 5 s"
                        : x.fault == "partition" ? "the owner's link down"
                                                 : "pg_terminate_backend (every seam session)";
    const bool met = x.max_ms <= 2000 && x.max_new_epochs <= 1 && x.unrepaired == 0;
    std::printf("  %-34s %7.1f ms %7.1f ms %10d %11d  max <= 2 s, <= 1 new epoch: %s\n", label, x.p50_ms, x.max_ms,
                x.max_new_epochs, x.unrepaired, met ? "met" : "NOT met");
  }
  std::printf("  %-34s %10d  0: %s\n", "double repairs", f.double_repairs, f.double_repairs == 0 ? "met" : "NOT met");
  std::printf("  %-34s %10d  0: %s\n", "stale-epoch events", f.stale_epoch_events,
              f.stale_epoch_events == 0 ? "met" : "NOT met");
}

}  // namespace

void PrintAgentsFigures() {
  if (g_rotation.ran) {
    const RotationFigures& r = g_rotation;
    std::printf("\nrotation across agents (%d rotations by seamctl on gw1; gw2's seamd writes its side; PostgreSQL log)\n",
                r.rotations);
    std::printf("  %-34s %10s %22s %8s  %s\n", "figure", "gw2's side", "gw1's own side (base)", "ratio", "goal");
    std::printf("  %-34s %7.1f ms %19.1f ms %8.1f  <= 50 ms: %s\n", "intent -> confirmed, p50", r.other_p50_ms,
                r.own_p50_ms, r.other_p50_ms / std::max(r.own_p50_ms, 1e-3), r.other_p50_ms <= 50 ? "met" : "NOT met");
    std::printf("  %-34s %7.1f ms %19.1f ms %8.1f  <= 250 ms: %s\n", "intent -> confirmed, p99", r.other_p99_ms,
                r.own_p99_ms, r.other_p99_ms / std::max(r.own_p99_ms, 1e-3), r.other_p99_ms <= 250 ? "met" : "NOT met");
  }
  PrintFailover(g_failover, "owner failover");
  PrintFailover(g_partition, "owner partition (agents in network namespaces; the owner's veth link set down)");
  if (g_pauses.ran) {
    const PauseFigures& p = g_pauses;
    std::printf("\nowner pauses (%d SIGSTOP/SIGCONT of the owner, 0.5-3 s each, while %d hand edits of the shared side)\n",
                p.pauses, p.edits);
    std::printf("  %-34s %10d\n", "repairs of the shared side", p.repairs);
    std::printf("  %-34s %10d\n", "epochs taken", p.epochs);
    std::printf("  %-34s %10d  0: %s\n", "double repairs", p.double_repairs, p.double_repairs == 0 ? "met" : "NOT met");
    std::printf("  %-34s %10d  0: %s\n", "stale-epoch events", p.stale_epoch_events,
                p.stale_epoch_events == 0 ? "met" : "NOT met");
  }
}

}  // namespace seam::bench
