#include "tools/seamd/daemon.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include <unistd.h>

#include "core/agent.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "plugins/common/subprocess.h"
#include "tools/common/audit_html.h"
#include "tools/common/audit_timeline.h"
#include "tools/common/report_output.h"
#include "tools/common/state_context.h"
#include "tools/seamd/endpoint_watch.h"
#include "tools/seamd/file_watcher.h"
#include "tools/seamd/locked_confirmation_book.h"
#include "tools/seamd/notifier.h"
#include "tools/seamd/seam_runner.h"
#include "tools/seamd/store_socket_watch.h"
#include "tools/seamd/whole_seam.h"

namespace seam::seamd {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

// Coalesces the several events of one save (a truncate then a write, a rename then a chmod)
// into one pass, adding at most this much to the time to detect: a program's burst of
// syscalls on one small file is over within microseconds, and the goal is detection within
// 1 ms (tests/bench/seamd_bench.cc).
constexpr std::chrono::microseconds kDebounce{500};
constexpr milliseconds kTick{1000};
constexpr std::chrono::minutes kFullPass{5};
// Events read from the log per query when catching up with other processes' appends.
constexpr std::int64_t kHeadBatch = 1000;

void AddOnce(std::vector<SeamRunner*>& runners, SeamRunner* runner) {
  if (std::find(runners.begin(), runners.end(), runner) == runners.end()) runners.push_back(runner);
}

// The audits of `seams` for the timeline page. A seam's audit changes only with its stream (and
// "now", the right edge): taken from `cache` when its stream has not grown, so a page left open
// costs one indexed query per seam per reload. `built` gets what the next page may reuse.
std::vector<nlohmann::ordered_json> BuildTimeline(WorkerScope& scope, const std::vector<SeamConfig>& seams,
                                                  const TimelineCache& cache, TimelineCache& built) {
  EventStore& log = scope.seam.store;
  const std::int64_t now = scope.seam.clock.NowMicros();
  std::vector<nlohmann::ordered_json> audits;
  for (const SeamConfig& seam : seams) {
    Result<std::int64_t> version = log.StreamVersion(seam.stream());
    auto cached = cache.find(seam.name);
    if (version.ok() && cached != cache.end() && cached->second.first == *version) {
      built.insert(*cached);
      audits.push_back(cached->second.second);
      audits.back()["now"] = FormatTimeMicros(now);
      continue;
    }
    Result<nlohmann::ordered_json> audit = BuildAudit(log, scope.seam.keys, seam, AuditWindow{}, now);
    if (audit.ok()) {
      if (version.ok()) built[seam.name] = {*version, *audit};
      audits.push_back(std::move(*audit));
    } else {
      audits.push_back(nlohmann::ordered_json{{"seam", seam.name}, {"error", audit.status().message()}});
    }
  }
  return audits;
}

}  // namespace

struct Daemon::Wiring {
  std::unique_ptr<StateContext> ctx;  // first: the runners borrow it
  std::shared_ptr<PassEnv> env;       // what the workers need for this configuration's passes
  std::vector<std::shared_ptr<SeamRunner>> runners;
  std::shared_ptr<FileWatcher> watcher;
  std::map<std::string, std::vector<SeamRunner*>> by_file;  // WatchedFileKey -> its seams
  std::map<std::string, std::vector<SeamRunner*>> by_dir;   // its directory -> its seams
  std::map<std::string, SeamRunner*> by_stream;             // one seam per stream (config rule)
  std::map<std::string, std::vector<SeamRunner*>> by_endpoint;  // a server's host:port -> its seams
  std::vector<std::shared_ptr<EndpointWatch>> endpoint_watches;
  // Wakes PollLogHead when the log's head moves: on the loop (a store with a socket to wait on,
  // PostgreSQL), else on the store's thread (EventStore::WatchAppends); before ctx's end.
  std::shared_ptr<StoreSocketWatch> socket_watch;
  std::unique_ptr<AppendWatch> log_watch;
  // [[notify]] targets, each on a thread of its own (tools/seamd/notifier.h).
  std::unique_ptr<Notifier> notifications;

  void Stop() {
    if (socket_watch) socket_watch->Stop();
    socket_watch.reset();
    log_watch.reset();
    for (const auto& watch : endpoint_watches) watch->Stop();
    for (const auto& runner : runners) runner->Stop();
    if (watcher) watcher->Close();
  }
  ~Wiring() { Stop(); }
};

namespace {

std::string DrawInstance() {
  // 64 bits from the CSPRNG; should it fail, the pid and the clock still tell processes apart.
  if (Result<Secret> bytes = RandomBytes(8); bytes.ok()) {
    return HexLower(bytes->Reveal().data(), bytes->size());
  }
  return std::to_string(::getpid()) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

}  // namespace

Daemon::Daemon(boost::asio::io_context& io, std::string config_flag, std::string agent_flag)
    : io_(io),
      config_flag_(std::move(config_flag)),
      agent_flag_(std::move(agent_flag)),
      instance_(DrawInstance()),
      rng_(std::random_device{}()),
      mailbox_(std::make_shared<LoopMailbox>(io)),
      notifier_(io),
      signals_(io),
      tick_timer_(io),
      full_pass_timer_(io) {}

Daemon::~Daemon() = default;

Status Daemon::Start() {
  // Signals first: one that arrives during start-up waits for the loop instead of killing the
  // process halfway through a pass.
  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  signals_.add(SIGHUP);
  WaitForSignal();

  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<Wiring> wiring, Wire());
  Install(std::move(wiring));
  RequestAllThenReady("start-up");
  notifier_.StartWatchdog();
  ArmTick();
  ArmFullPassTimer();
  return Status::Ok();
}

Result<std::shared_ptr<OwnershipKeeper>> Daemon::KeepOwnership(StateContext& ctx) {
  // A seam some side of which names no agent needs an owner to act on that side; with [[notify]]
  // tables, every seam a target wants gets one, because only the owner notifies (notifier.h).
  std::vector<std::string> streams;
  for (const SeamConfig& seam : ctx.config.seams) {
    const bool notified = std::any_of(ctx.config.notify.begin(), ctx.config.notify.end(),
                                      [&](const NotifyConfig& n) { return n.WantsSeam(seam.name); });
    if (NeedsOwner(seam) || notified) streams.push_back(seam.stream());
  }
  std::unique_ptr<OwnershipLeases> leases;
  if (Result<std::unique_ptr<OwnershipLeases>> opened = ctx.store->OpenOwnership(); opened.ok()) {
    leases = std::move(*opened);
  } else if (opened.status().code() != StatusCode::kFailedPrecondition) {
    return opened.status();  // a store that keeps leases and cannot be reached now
  }
  // Gaining a seam wakes its runner: the new owner's first pass need not wait for a poll.
  auto on_gained = [this, mailbox = mailbox_, generation = wiring_generation_ + 1](const std::string& stream) {
    mailbox->Post([this, generation, stream] {
      if (!wiring_ || wiring_generation_ != generation) return;
      auto it = wiring_->by_stream.find(stream);
      if (it != wiring_->by_stream.end()) it->second->Request(std::chrono::microseconds(0), "ownership taken");
    });
  };
  if (leases != nullptr) {
    spdlog::info("agent {}: claiming ownership of {} seam(s) whose sides name no agent or that it notifies of",
                 ctx.agent, streams.size());
  }
  // What the agents compare to tell whether they run one configuration (OwnershipKeeper).
  std::ifstream in(ctx.config.file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return std::make_shared<OwnershipKeeper>(std::move(leases), LeaseHolder{ctx.agent, instance_}, Sha256Hex(text.str()),
                                           std::move(streams),
                                           OwnershipKeeper::Timing{}, std::move(on_gained));
}

Result<std::unique_ptr<Daemon::Wiring>> Daemon::Wire() {
  OpenMode mode;
  mode.agent = agent_flag_;
  mode.all_sides = true;  // chosen per pass, by ownership (seam_runner.h)
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<StateContext> ctx, OpenState(config_flag_, mode));
  ctx->actor = DefaultActor("seamd");
  if (Status book = ctx->OpenConfirmations(); !book.ok()) {
    spdlog::warn("{}; drift records will not say when sides were last in sync", book.message());
  }
  if (!lanes_) {
    // The lanes' sizes are the first config's: a reload keeps them.
    const auto file_workers = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
    lanes_ = std::make_unique<PassLanes>(file_workers, static_cast<std::size_t>(ctx->config.daemon.workers));
  }
  auto env = std::make_shared<PassEnv>();
  env->store = ctx->config.store;
  SEAM_ASSIGN_OR_RETURN(env->master_key, ReadKeyFile(ctx->config.store.key_path.string()));
  env->actor = ctx->actor;
  const fs::path config_dir = ctx->config.file.parent_path();
  env->hook_dir = config_dir.empty() ? fs::path(".") : config_dir;
  env->hook_path = ctx->config.hook_path;
  if (ctx->confirmations) env->confirmations = std::make_shared<LockedConfirmationBook>(std::move(ctx->confirmations));
  env->agent = ctx->agent;
  SEAM_ASSIGN_OR_RETURN(env->owners, KeepOwnership(*ctx));
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<Notifier> notifications, Notifier::Start(ctx->config, env->master_key, env->owners));
  auto w = std::make_unique<Wiring>();
  w->notifications = std::move(notifications);
  w->ctx = std::move(ctx);
  w->env = std::move(env);
  Wiring* raw = w.get();  // the watcher is closed before the wiring goes away

  FileWatcher::Handlers handlers;
  handlers.file_changed = [raw](const fs::path& file) {
    auto it = raw->by_file.find(file.string());
    if (it == raw->by_file.end()) return;
    for (SeamRunner* runner : it->second) runner->Request(kDebounce, "file " + file.string());
  };
  handlers.directory_changed = [raw](const fs::path& dir) {
    auto it = raw->by_dir.find(dir.string());
    if (it == raw->by_dir.end()) return;
    for (SeamRunner* runner : it->second) runner->Request(kDebounce, "directory " + dir.string());
  };
  handlers.overflow = [raw] {
    for (const auto& runner : raw->runners) runner->Request(milliseconds(0), "inotify overflow");
  };
  SEAM_ASSIGN_OR_RETURN(w->watcher, FileWatcher::Create(io_, std::move(handlers)));

  for (const SeamConfig& seam : w->ctx->config.seams) {
    auto runner = std::make_shared<SeamRunner>(io_, *lanes_, mailbox_, w->env, seam, rng_, metrics_);
    w->by_stream[seam.stream()] = runner.get();
    for (const SideConfig& side : seam.sides) {
      if (!side.agent.empty() && side.agent != w->env->agent) continue;  // another host's side
      for (const fs::path& path : side.side->WatchPaths()) {
        const fs::path key = WatchedFileKey(path);
        AddOnce(w->by_file[key.string()], runner.get());
        AddOnce(w->by_dir[key.parent_path().string()], runner.get());
        w->watcher->Watch(path);
      }
      if (std::optional<Side::Endpoint> server = side.side->WatchEndpoint()) {
        auto& seams = w->by_endpoint[server->host + " " + server->port];
        if (seams.empty()) {
          w->endpoint_watches.push_back(std::make_shared<EndpointWatch>(io_, server->host, server->port, [&seams] {
            for (SeamRunner* r : seams) r->Request(kDebounce, "its server accepts connections again");
          }));
        }
        AddOnce(seams, runner.get());
      }
    }
    w->runners.push_back(std::move(runner));
  }
  return w;
}

void Daemon::FlushConfirmations() {
  if (!wiring_ || !wiring_->env->confirmations) return;
  OnFlushed(wiring_->env->confirmations->Flush());
}

void Daemon::OnFlushed(const Status& flushed) {
  if (!flushed.ok() && !book_failing_) spdlog::warn("{}", flushed.message());
  if (flushed.ok() && book_failing_) spdlog::info("confirmation book written again");
  book_failing_ = !flushed.ok();
}

void Daemon::FlushConfirmationsOffLoop() {
  if (!wiring_ || !wiring_->env->confirmations || flush_in_flight_) return;
  flush_in_flight_ = true;
  // The book is thread-safe (LockedConfirmationBook) and shared with the job: a reload that
  // replaces it meanwhile leaves this flush writing the old one, which is what it holds.
  lanes_->Post(Lane::kFile, wiring_->env,
               [this, book = wiring_->env->confirmations, mailbox = mailbox_](Result<WorkerScope>) {
                 Status flushed = book->Flush();
                 mailbox->Post([this, flushed] {
                   flush_in_flight_ = false;
                   OnFlushed(flushed);
                 });
               });
}

void Daemon::Install(std::unique_ptr<Wiring> wiring) {
  FlushConfirmations();
  timeline_cache_ = std::make_shared<TimelineCache>();  // seams may have changed sides or streams
  if (wiring_) {
    wiring_->Stop();
    // Its successor claims the same leases as the same holder; passes still running keep it.
    if (wiring_->env->owners) wiring_->env->owners->Retire();
    // A delivery in flight runs to its timeout: the old targets are let go off the loop. Their
    // cursors are where the new ones start, so nothing is lost or sent twice but that one.
    if (wiring_->notifications) {
      std::thread([old = std::move(wiring_->notifications)]() mutable { old.reset(); }).detach();
    }
  }
  wiring_ = std::move(wiring);
  ++wiring_generation_;
  // Events appended from here on are looked at by PollLogHead; the pass that follows
  // installation covers everything before.
  if (Result<LogHead> head = wiring_->ctx->log().Head(); head.ok()) head_seq_ = head->seq;
  // The store wakes the loop when the head moves (another process's operation); the tick
  // reads the head itself only when that cannot be had.
  if (std::unique_ptr<LoopAppendWatch> on_loop = wiring_->ctx->log().LoopWatchAppends(head_seq_)) {
    wiring_->socket_watch = std::make_shared<StoreSocketWatch>(
        io_, std::move(on_loop), "event log " + wiring_->ctx->store->Describe(), [this](std::int64_t) {
          boost::asio::post(io_, [this] {
            if (!stopping_ && wiring_) PollLogHead();
          });
        });
    wiring_->socket_watch->Start();
  } else if (Result<std::unique_ptr<AppendWatch>> watch = wiring_->ctx->log().WatchAppends(head_seq_, [this](std::int64_t) {
               boost::asio::post(io_, [this] {
                 if (!stopping_ && wiring_) PollLogHead();
               });
             });
             watch.ok()) {
    wiring_->log_watch = std::move(*watch);
  } else {
    spdlog::warn("{}; reading the log's head every {} ms instead", watch.status().message(), kTick.count());
  }
  wiring_->watcher->Start();
  for (const auto& server : wiring_->endpoint_watches) server->Start();
  std::size_t polled = 0;
  for (const auto& runner : wiring_->runners) if (runner->polled()) ++polled;
  spdlog::info("config {}: {} seam(s); watching {} file(s) in {} dir(s); polling {} seam(s); "
               "full pass every {} min; watching {} server(s) for restarts",
               wiring_->ctx->config.file.string(), wiring_->runners.size(), wiring_->watcher->files(),
               wiring_->watcher->directories(), polled, kFullPass.count(), wiring_->endpoint_watches.size());
}

const Config& Daemon::config() const { return wiring_->ctx->config; }

std::string Daemon::StatusJson() const {
  // The leases as this agent's keeper last claimed them (every 0.5 s): no database read here.
  const OwnershipKeeper* owners = wiring_->env->owners.get();
  std::map<std::string, OwnerLease> leases;
  if (owners != nullptr) {
    for (OwnerLease& l : owners->Leases()) leases.emplace(l.stream, std::move(l));
  }
  const std::string& agent = wiring_->env->agent;
  const std::int64_t now_us = SystemClock().NowMicros();
  // What the other agents observed, when several share the store (tools/seamd/whole_seam.h).
  std::optional<AgentsView> view;
  if (owners != nullptr && owners->fenced()) {
    view.emplace();
    view->agents = owners->Agents();
    view->silent_after_s = std::chrono::duration<double>(owners->silent_after()).count();
    view->observations = owners->Observations();
  }
  nlohmann::ordered_json seams = nlohmann::ordered_json::array();
  for (const auto& runner : wiring_->runners) {
    const SeamConfig& seam = runner->seam();
    // Who owns the seam's unnamed sides: this agent on a store one host keeps (epoch 0), else
    // the lease's holder; null when every side names its agent (nothing to own).
    nlohmann::ordered_json owner = nullptr;
    bool owned_elsewhere = false;
    if (NeedsOwner(seam)) {
      if (owners == nullptr || !owners->fenced()) {
        owner = {{"agent", agent}, {"epoch", 0}, {"held", true}, {"this_process", true}};
      } else if (auto it = leases.find(seam.stream()); it != leases.end()) {
        const OwnerLease& l = it->second;
        const bool mine = l.instance == owners->holder().instance && l.agent == owners->holder().agent;
        owner = {{"agent", l.agent}, {"epoch", l.epoch}, {"held", l.held()}, {"this_process", mine}};
        owned_elsewhere = l.held() && !mine;
      }
    }
    nlohmann::ordered_json entry;
    if (runner->last_report()) {
      entry = SeamReportJson(*runner->last_report(), false);
      entry["last_pass_at"] = FormatTimeMicros(runner->last_pass_at_us());
    } else {
      SeamReport none;
      none.name = seam.name;
      none.kind = seam.kind;
      none.entity = seam.entity;
      none.intended_state = "unknown";
      if (owned_elsewhere && !runner->has_own_sides()) {
        // Nothing here to observe: another agent's seamd owns it and reports it.
        none.status = "elsewhere";
      } else {
        none.status = "unknown";
        std::string why = "seamd has not run a pass on this seam yet";
        if (owner.is_null() && NeedsOwner(seam) && owners != nullptr && !runner->has_own_sides()) {
          why = "no agent holds this seam's ownership lease";
          if (const std::string error = owners->ClaimError(); !error.empty()) why += "; claiming it failed: " + error;
        }
        none.errors.push_back(why);
      }
      entry = SeamReportJson(none, false);
      entry["last_pass_at"] = nullptr;
    }
    CompleteSeamEntry(entry, seam, runner->last_report() ? runner->last_pass_at_us() : 0, agent, now_us,
                      view ? &*view : nullptr);
    entry["owner"] = std::move(owner);
    seams.push_back(std::move(entry));
  }
  // The agents sharing the store, as this one's last heartbeat read them (README "Many hosts").
  nlohmann::ordered_json agents = nlohmann::ordered_json::array();
  if (owners != nullptr && owners->fenced()) {
    const double silent_after = std::chrono::duration<double>(owners->silent_after()).count();
    for (const AgentSeen& a : owners->Agents()) {
      agents.push_back({{"agent", a.agent},
                        {"this_process", a.agent == owners->holder().agent && a.instance == owners->holder().instance},
                        {"seen_at", FormatTimeMicros(a.seen_at_us)},
                        {"silent", a.silent_s() > silent_after},
                        {"same_config", a.config_hash == owners->config_hash()}});
    }
  }
  return DumpJson(nlohmann::ordered_json{{"agent", agent}, {"agents", std::move(agents)}, {"seams", std::move(seams)}},
                  2) +
         "\n";
}

std::string Daemon::MetricsText() const {
  std::vector<SeamSnapshot> seams;
  for (const auto& runner : wiring_->runners) {
    seams.push_back({runner->seam().name, runner->last_report() ? &*runner->last_report() : nullptr});
  }
  // The head as the append watch last saw it (within a second): /metrics is answered on the
  // loop, which never reads the log.
  const std::int64_t head = head_seq_;
  std::vector<LaneGauge> lanes;
  for (Lane lane : {Lane::kFile, Lane::kNetwork, Lane::kSlow}) {
    const LaneStats s = lanes_->Stats(lane);
    lanes.push_back(LaneGauge{LaneName(lane), s.workers, s.busy, s.queued});
  }
  return metrics_.Render(seams, head, wiring_->ctx->clock.NowMicros(), lanes, SharedMetrics());
}

SharedGauges Daemon::SharedMetrics() const {
  SharedGauges g;
  const OwnershipKeeper* owners = wiring_->env->owners.get();
  if (owners == nullptr || !owners->fenced()) return g;
  const double silent_after = std::chrono::duration<double>(owners->silent_after()).count();
  for (const AgentSeen& a : owners->Agents()) g.agents.push_back({a.agent, std::max(0.0, a.silent_s()), a.silent_s() > silent_after});
  std::map<std::string, std::string> names;  // stream -> seam
  for (const auto& runner : wiring_->runners) names.emplace(runner->seam().stream(), runner->seam().name);
  for (const OwnerLease& l : owners->Leases()) {
    auto name = names.find(l.stream);
    if (name == names.end() || !l.held()) continue;
    g.owners.push_back({name->second, l.agent, l.epoch, l.HeldBy(owners->holder())});
  }
  const std::int64_t now_us = SystemClock().NowMicros();
  const auto age = [now_us](std::int64_t at_us) { return static_cast<double>(std::max<std::int64_t>(0, now_us - at_us)) / 1e6; };
  const auto observations = owners->Observations();
  for (const auto& runner : wiring_->runners) {
    const SeamConfig& seam = runner->seam();
    auto shared = observations.find(seam.stream());
    for (const SideConfig& side : seam.sides) {
      const auto& last = runner->last_report();
      const bool mine = last && std::any_of(last->sides.begin(), last->sides.end(),
                                            [&](const SideReport& r) { return r.name == side.name; });
      if (mine) {
        g.sides.push_back({seam.name, side.name, owners->agent(), age(runner->last_pass_at_us())});
      } else if (shared != observations.end()) {
        if (auto o = shared->second.find(side.name); o != shared->second.end()) {
          g.sides.push_back({seam.name, side.name, o->second.agent, age(o->second.observed_at_us)});
        }
      }
    }
  }
  return g;
}

namespace {

// Where a seam of this status goes on the page: what needs a person first.
int PageRank(const std::string& status) {
  if (status == "drift" || status == "flapping") return 0;
  if (status == "unknown") return 1;
  return 2;
}

// "200 seams: 3 drifting, 1 unknown, 196 in sync" (only the statuses some seam has).
std::string PageSummary(const std::map<std::string, std::size_t>& by_status, std::size_t total) {
  std::string line = std::to_string(total) + (total == 1 ? " seam" : " seams");
  std::string parts;
  for (const auto& [status, word] : {std::pair<const char*, const char*>{"drift", "drifting"},
                                     {"flapping", "flapping"},
                                     {"unknown", "unknown"},
                                     {"unset", "with no value yet"},
                                     {"in_sync", "in sync"}}) {
    const auto it = by_status.find(status);
    if (it == by_status.end() || it->second == 0) continue;
    parts += (parts.empty() ? ": " : ", ") + std::to_string(it->second) + " " + word;
  }
  return line + parts;
}

}  // namespace

void Daemon::TimelineHtml(const std::string& status, std::function<void(std::string)> reply) {
  // Built from the log on request (each seam's stream, indexed) on a file-lane worker with its
  // own store connection, never on the loop: a page of 200 seams folds 200 streams. The page is
  // for people, so it is capped rather than made cheap for thousands of seams; the cap applies
  // after the seams that need a person are put first, so they are always on it.
  std::map<std::string, std::string> status_of;  // each seam's status, from its last pass
  std::map<std::string, std::size_t> by_status;
  for (const auto& runner : wiring_->runners) {
    const std::string s = runner->last_report() ? runner->last_report()->status : "unknown";
    status_of[runner->seam().name] = s;
    ++by_status[s];
  }
  const std::vector<SeamConfig>& all = wiring_->ctx->config.seams;
  std::vector<const SeamConfig*> chosen;
  for (const SeamConfig& seam : all) {
    if (status.empty() || status_of[seam.name] == status) chosen.push_back(&seam);
  }
  std::stable_sort(chosen.begin(), chosen.end(), [&](const SeamConfig* a, const SeamConfig* b) {
    return PageRank(status_of[a->name]) < PageRank(status_of[b->name]);
  });
  std::vector<SeamConfig> seams;
  for (std::size_t i = 0; i < chosen.size() && i < kTimelineSeams; ++i) seams.push_back(*chosen[i]);
  HtmlOptions page;
  page.title = "seamd: " + std::to_string(all.size()) + (all.size() == 1 ? " seam" : " seams");
  page.summary = PageSummary(by_status, all.size());
  if (!status.empty()) {
    page.filter_note = "Showing the " + std::to_string(chosen.size()) + " with status " + status + ".";
  }
  if (chosen.size() > kTimelineSeams) {
    page.filter_note += (page.filter_note.empty() ? "" : " ") + std::string("The first ") +
                        std::to_string(kTimelineSeams) + " of " + std::to_string(chosen.size()) +
                        " are shown (seamctl audit --all --html for every one).";
  }
  page.status_links = true;
  page.refresh_seconds = 5;
  // When each certificate seam's values expire, as its last pass saw them (read here, on the
  // loop that owns the reports).
  std::map<std::string, nlohmann::ordered_json> expiry;
  for (const auto& runner : wiring_->runners) {
    if (!runner->last_report()) continue;
    if (nlohmann::ordered_json e = ExpiryJson(*runner->last_report()); !e.is_null()) {
      expiry.emplace(runner->seam().name, std::move(e));
    }
  }
  lanes_->Post(Lane::kFile, wiring_->env,
               [this, seams = std::move(seams), page, cache = timeline_cache_, mailbox = mailbox_,
                expiry = std::move(expiry), status_of = std::move(status_of), reply = std::move(reply)](Result<WorkerScope> scope) {
                 auto built = std::make_shared<TimelineCache>();
                 std::string html;
                 if (!scope.ok()) {
                   std::vector<nlohmann::ordered_json> failed;
                   failed.push_back(nlohmann::ordered_json{{"seam", "(every seam)"}, {"error", scope.status().message()}});
                   html = RenderAuditHtml(failed, page);
                 } else {
                   std::vector<nlohmann::ordered_json> docs = BuildTimeline(*scope, seams, *cache, *built);
                   for (nlohmann::ordered_json& doc : docs) {
                     const auto found = doc.find("seam");
                     if (found == doc.end() || !found->is_string()) continue;
                     // A copy: adding a member to an ordered_json may move the others.
                     const std::string name = found->get<std::string>();
                     if (const auto e = expiry.find(name); e != expiry.end()) doc["expiry"] = e->second;
                     if (const auto s = status_of.find(name); s != status_of.end()) doc["status"] = s->second;
                   }
                   html = RenderAuditHtml(docs, page);
                 }
                 mailbox->Post([this, built, reply, html = std::move(html)] {
                   if (stopping_) return;
                   timeline_cache_ = built;
                   reply(html);
                 });
               });
}

bool Daemon::RequestReconcile(const std::string& seam_name) {
  for (const auto& runner : wiring_->runners) {
    if (runner->seam().name == seam_name) {
      runner->Request(milliseconds(0), "POST /reconcile");
      return true;
    }
  }
  return false;
}

void Daemon::RequestAll(const std::string& why) {
  for (const auto& runner : wiring_->runners) runner->RequestSweep(why);
}

void Daemon::RequestAllThenReady(const std::string& why) {
  awaiting_first_pass_ = wiring_->runners.size();
  const auto started = std::chrono::steady_clock::now();
  auto ready = [this, started, why] {
    const auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
    const std::string status = Summary() + "; " + why + " pass over every seam took " + std::to_string(took.count()) + " ms";
    spdlog::info("ready: {}", status);
    notifier_.Ready(status);
    // After READY, so a config of 10,000 seams does not delay it by the index's second parse.
    boost::asio::post(io_, [this] {
      if (!stopping_ && wiring_) wiring_->ctx->UpdateConfigIndex();
    });
  };
  for (const auto& runner : wiring_->runners) {
    runner->OnFirstPass([this, ready] {
      if (awaiting_first_pass_ > 0 && --awaiting_first_pass_ == 0 && !stopping_) ready();
    });
  }
  RequestAll(why);
  if (awaiting_first_pass_ == 0) ready();
}

std::string Daemon::Summary() const {
  std::map<std::string, int> by_status;
  for (const auto& runner : wiring_->runners) {
    ++by_status[runner->last_report() ? runner->last_report()->status : "unknown"];
  }
  std::string line = std::to_string(wiring_->runners.size()) + " seam(s)";
  std::string parts;
  for (const auto& [status, n] : by_status) parts += (parts.empty() ? ": " : ", ") + std::to_string(n) + " " + status;
  return line + parts;
}

void Daemon::WaitForSignal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal_number) {
    if (ec || stopping_) return;
    if (signal_number == SIGHUP) {
      Reload();
      WaitForSignal();
    } else {
      Stop(signal_number);
    }
  });
}

void Daemon::Reload() {
  spdlog::info("SIGHUP: reloading the config");
  notifier_.Reloading();
  Result<std::unique_ptr<Wiring>> fresh = Wire();
  if (!fresh.ok()) {
    spdlog::error("reload refused, still running the previous config: {}", fresh.status().message());
    notifier_.Ready("reload refused (see the log); " + Summary());
    return;
  }
  Install(std::move(*fresh));
  RequestAllThenReady("reload");
}

void Daemon::Stop(int signal_number) {
  // Handlers run one at a time on the daemon's one thread, so no pass is in flight here: the
  // one that was running when the signal came has finished. Stop queuing new ones.
  stopping_ = true;
  spdlog::info("{}: stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  notifier_.Stopping();
  notifier_.StopWatchdog();
  // Programs sides and hooks started are ended now (their passes report it), and no pass starts:
  // a pass in flight finishes (a file side's write completes and is recorded) before exit.
  CancelAllSubprocesses();
  if (lanes_) lanes_->Stop();
  FlushConfirmations();
  if (wiring_) wiring_->Stop();
  if (wiring_ && wiring_->env->owners) wiring_->env->owners->ReleaseWhenDone();
  tick_timer_.cancel();
  full_pass_timer_.cancel();
  signals_.cancel();
  io_.stop();
}

void Daemon::ArmTick() {
  tick_timer_.expires_after(kTick);
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    wiring_->watcher->RetryMissing();
    FlushConfirmationsOffLoop();
    if (!wiring_->log_watch && !wiring_->socket_watch) PollLogHead();
    ArmTick();
  });
}

// What a look at the log past `from` found (read on a worker, acted on by the loop).
struct HeadScan {
  std::string head_error;   // the head could not be read: nothing else is known
  std::string error;        // reading the events failed: every seam is reconciled
  bool went_back = false;   // the head is below `from`: a different log (restored from a backup?)
  std::int64_t head_seq = 0;
  // Streams that got events past `from`: the highest version and the first new event's words.
  std::map<std::string, std::pair<std::int64_t, std::string>> streams;
};

namespace {

HeadScan ScanPastHead(EventStore& store, std::int64_t from) {
  HeadScan scan;
  Result<LogHead> head = store.Head();
  if (!head.ok()) {
    scan.head_error = "reading the event log's head failed: " + head.status().message();
    return scan;
  }
  scan.head_seq = head->seq;
  if (head->seq < from) {
    scan.went_back = true;
    return scan;
  }
  std::int64_t seen = from;
  while (seen < head->seq) {
    Result<std::vector<Event>> events = store.ReadAll(seen + 1, kHeadBatch);
    if (!events.ok() || events->empty()) {
      scan.error = "reading new events from the log failed: " +
                   (events.ok() ? "no events past seq " + std::to_string(seen) : events.status().message());
      return scan;
    }
    for (const Event& event : *events) {
      seen = event.seq;
      auto [it, inserted] = scan.streams.try_emplace(event.stream, event.version, "log: " + event.type + " by " + event.actor);
      if (!inserted) it->second.first = std::max(it->second.first, event.version);
    }
  }
  return scan;
}

}  // namespace

void Daemon::PollLogHead() {
  // One look at a time, on a file-lane worker: the loop never reads the log. A wake-up that
  // comes while one is in flight is one more look after it.
  if (wiring_ && wiring_->notifications) wiring_->notifications->Poke();
  if (head_poll_in_flight_) {
    head_poll_again_ = true;
    return;
  }
  head_poll_in_flight_ = true;
  head_poll_again_ = false;
  lanes_->Post(Lane::kFile, wiring_->env,
               [this, from = head_seq_, generation = wiring_generation_, mailbox = mailbox_](Result<WorkerScope> scope) {
                 HeadScan scan;
                 if (!scope.ok()) {
                   scan.head_error = "reading the event log's head failed: " + scope.status().message();
                 } else {
                   scan = ScanPastHead(scope->seam.store, from);
                 }
                 mailbox->Post([this, generation, scan = std::move(scan)] { OnHeadScanned(generation, scan); });
               });
}

void Daemon::OnHeadScanned(std::uint64_t generation, const HeadScan& scan) {
  head_poll_in_flight_ = false;
  // A reload installed another configuration meanwhile: it starts from the head it read itself.
  if (stopping_ || !wiring_ || generation != wiring_generation_) {
    if (head_poll_again_ && !stopping_ && wiring_) PollLogHead();
    return;
  }
  if (!scan.head_error.empty()) {
    if (!head_failing_) spdlog::warn("{}", scan.head_error);
    head_failing_ = true;
    return;
  }
  head_failing_ = false;
  if (scan.went_back) {
    spdlog::warn("the event log's head went back from seq {} to {}; reconciling every seam", head_seq_, scan.head_seq);
    head_seq_ = scan.head_seq;
    RequestAll("log head went back");
  } else if (!scan.error.empty()) {
    spdlog::warn("{}; reconciling every seam", scan.error);
    head_seq_ = scan.head_seq;
    RequestAll("log read failed");
  } else {
    head_seq_ = scan.head_seq;
    for (const auto& [stream, touched] : scan.streams) {
      auto it = wiring_->by_stream.find(stream);
      // Events the seam's last pass saw (its own repairs among them) need no new pass.
      if (it != wiring_->by_stream.end() && touched.first > it->second->known_version()) {
        it->second->Request(milliseconds(0), touched.second);
      }
    }
  }
  if (head_poll_again_) PollLogHead();
}

void Daemon::ArmFullPassTimer() {
  full_pass_timer_.expires_after(kFullPass);
  full_pass_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    RequestAll("periodic full pass");
    ArmFullPassTimer();
  });
}

}  // namespace seam::seamd
