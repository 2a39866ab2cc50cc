#pragma once
// Daemon: seamd's wiring on one io_context: the opened state, one SeamRunner per seam, the
// FileWatcher for file sides, the timers (log head, periodic full pass) and the signals.
//
//  - start-up: a pass over every seam (the automatic repair after a restart, pending
//    operations included); then READY=1 to systemd (service_notifier.h);
//  - a file side's event: a pass on its seams after a trailing 0.5 ms debounce (at most 5 ms);
//  - the log's head moved (EventStore::WatchAppends wakes the loop; SQLite reads its head every
//    second): a pass on each seam whose stream got an event the seam's last pass did not see
//    (an operation seamctl appended in another process);
//  - every second: the confirmation book is flushed (drift brackets), and watches on directories
//    that were missing are re-armed;
//  - every 5 minutes: a pass over every seam, the safety net for anything a watch missed;
//  - SIGTERM / SIGINT: stop; SIGHUP: reload the config, or keep the running one if the new one
//    is bad.
//
// The status listener (status_server.h) reads the daemon through StatusJson, MetricsText and
// RequestReconcile, on the same thread.
//
// A pass that changes nothing writes nothing (no file event, no log event), so seamd's own
// repairs cause at most one more pass, which finds the seam in sync: no loop.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/status.h"
#include "tools/seamd/loop_mailbox.h"
#include "tools/seamd/metrics.h"
#include "tools/seamd/pass_lanes.h"
#include "tools/seamd/service_notifier.h"

namespace seam {
struct StateContext;
}

namespace seam::seamd {

struct HeadScan;  // daemon.cc: what a look at the log's head found

// Audits by seam name, with the stream version each was built at (GET /).
using TimelineCache = std::map<std::string, std::pair<std::int64_t, nlohmann::ordered_json>>;

class Daemon {
 public:
  // `config_flag`: -c as given (empty: $SEAM_CONFIG, else ./seam.toml); re-read on SIGHUP.
  // `agent_flag`: --agent as given (empty: ResolveAgentName's defaults, core/agent.h).
  Daemon(boost::asio::io_context& io, std::string config_flag, std::string agent_flag = "");
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Opens the state (config, key file, log), watches the files and queues the start-up pass
  // over every seam; io_context::run then does the work until a stop signal. An error means
  // seamd cannot start (nothing was written).
  Status Start();

  // The running configuration (after Start).
  const Config& config() const;
  // GET /status: {"agent", "agents": [...], "seams": [...]}, each seam as in `seamctl check
  // --json` built from its last pass, plus "last_pass_at" (RFC 3339; null, with status
  // "unknown", before its first pass) and "owner"; each side with the agent that observed it and
  // when. With agents sharing the store, the whole seam (tools/seamd/whole_seam.h).
  std::string StatusJson() const;
  // GET /metrics: the Prometheus text exposition (metrics.h).
  std::string MetricsText() const;
  // GET /[?status=S]: the audit timeline (tools/common/audit_html.h) led by a summary of every
  // seam's status ("200 seams: 3 drifting, 1 unknown, 196 in sync", from their last passes),
  // then the seams drifting (and flapping) first, unknown next, the rest in config order; only
  // those whose status is `status` when it is not empty; at most kTimelineSeams of them (a note
  // says how many more), reloading itself every 5 s. Built on a worker; `reply` gets the page
  // on the loop's thread (never after a stop).
  void TimelineHtml(const std::string& status, std::function<void(std::string)> reply);
  static constexpr std::size_t kTimelineSeams = 200;
  // POST /reconcile: queues a pass of the seam now; false when no seam has that name.
  bool RequestReconcile(const std::string& seam_name);

 private:
  struct Wiring;  // what one configuration needs; replaced whole on reload

  Result<std::unique_ptr<Wiring>> Wire();
  // This agent's ownership leases for the configuration `ctx` opened (tools/seamd/ownership_keeper.h).
  Result<std::shared_ptr<OwnershipKeeper>> KeepOwnership(StateContext& ctx);
  void Install(std::unique_ptr<Wiring> wiring);
  // /metrics' series of agents sharing the store (metrics.h); empty on a store one host keeps.
  SharedGauges SharedMetrics() const;
  void RequestAll(const std::string& why);
  // Queues a pass of every seam and tells the service manager READY=1 once all have run.
  void RequestAllThenReady(const std::string& why);
  std::string Summary() const;  // "3 seam(s): 2 in sync, 1 drift" for STATUS=
  void WaitForSignal();
  void Reload();
  void Stop(int signal_number);
  void ArmTick();
  // Looks at the log past head_seq_ (on a worker) and queues a pass of each seam whose stream
  // got an event its last pass did not see.
  void PollLogHead();
  void OnHeadScanned(std::uint64_t generation, const HeadScan& scan);
  void ArmFullPassTimer();
  // Writes the sides confirmed in sync since the last flush (every second, on reload and stop:
  // a crash loses at most a second of them, which only widens a drift's bracket). The tick's
  // flush runs on a file-lane worker (a shared store's book is a network round trip, and the
  // loop never waits); on reload and stop it runs here, before the book is replaced or closed.
  void FlushConfirmations();
  void FlushConfirmationsOffLoop();
  void OnFlushed(const Status& flushed);

  boost::asio::io_context& io_;
  std::string config_flag_;
  std::string agent_flag_;
  // This process among the agent's (core/ownership.h LeaseHolder): drawn once, kept by reloads,
  // so a reload's keeper renews its predecessor's leases under their epochs.
  std::string instance_;
  std::mt19937_64 rng_;
  Metrics metrics_;  // declared before wiring_: its runners count into it
  // Finished passes come back through it; shared with the jobs in flight.
  std::shared_ptr<LoopMailbox> mailbox_;
  // Where passes run (declared before wiring_, whose runners post to it; joined after it).
  std::unique_ptr<PassLanes> lanes_;
  std::unique_ptr<Wiring> wiring_;
  std::uint64_t wiring_generation_ = 0;  // +1 per Install: tells a reply for a replaced wiring
  std::int64_t head_seq_ = 0;  // the log's last event this daemon has looked at
  bool head_failing_ = false;  // reading the head failed (logged once until it works again)
  bool head_poll_in_flight_ = false;
  bool head_poll_again_ = false;  // woken while a look was in flight
  bool book_failing_ = false;  // flushing the confirmation book failed (logged once)
  bool flush_in_flight_ = false;
  // GET /: each seam's audit with the stream version it was built at; replaced whole by each
  // page built (a worker reads the one it was given).
  std::shared_ptr<const TimelineCache> timeline_cache_ = std::make_shared<TimelineCache>();
  bool stopping_ = false;
  ServiceNotifier notifier_;
  std::size_t awaiting_first_pass_ = 0;  // seams whose start-up / reload pass has not run yet
  boost::asio::signal_set signals_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer full_pass_timer_;
};

}  // namespace seam::seamd
