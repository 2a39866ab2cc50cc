#pragma once
// SeamRunner: when and how seamd runs the reconcile pass of one seam.
//
// Every reason to look at a seam (a file event, the poll interval, an operation another
// process appended, the periodic full pass, start-up, a reload) is a Request; requests made
// while one is queued join it, so a burst of events (an editor's save is several) becomes one
// pass. File events are debounced at the trailing edge: each pushes the pass back by the
// debounce, at most 5 ms after the first.
//
// The pass itself runs on a worker of the seam's lane (tools/seamd/pass_lanes.h), never on the
// event loop; its result comes back to the loop, where everything else of the runner lives.
// Seams whose only sides that are not files are read over the network (http-json,
// tls-endpoint) and that run no hook hold no worker while a server takes its time: their network
// sides are observed asynchronously first (Side::ObserveAsync, on the network thread), and the
// pass then runs on the network lane with those observations. Such a pass that finds something to
// act on stops before acting (PassOptions::defer_acting) and runs again, whole, on the slow
// lane, since a write over the network may take its timeout.
//
// Looks without the lock: the passes of such network seams, and the sweeps (start-up, reload,
// the periodic full pass) of file seams, first run as a look (PassOptions::defer_acting) without
// the seam's writer lock: a look that finds nothing to do has appended and written nothing, so it
// needed none (10,000 seams in sync: 10,000 lock files not opened). A look that would act is
// followed by the whole pass under the lock (file seams: at once, on the same worker). One
// pass of a seam at a time: requests made while it runs queue one more pass after it (never
// two). A pass holds the seam's writer lock, so it never interleaves with a seamctl operation; a
// lock held by someone else is retried shortly instead of waiting on a worker.
//
// Sides that are not files are polled every `interval` (+-10% jitter, so many seams do not
// poll in step); after a failed pass the next one comes with exponential back-off (capped at
// 5 min), and the first success returns to the interval. Seams made of files only are not
// polled: their events (and the periodic full pass) trigger them, plus the same back-off
// retries after a failure. Those times are tools/seamd/pass_schedule.h's; the timers run on
// LoopClock (tools/seamd/loop_clock.h), so tests drive a runner in simulated time.
//
// Agents (core/agent.h): each pass acts on the sides named for this agent and, while this agent
// owns the seam (OwnershipKeeper), on the sides named for no agent too, its appends fenced by the
// lease's epoch. Which of the two a pass is decided when it starts on the loop and checked again
// on the worker: a pass that lost the ownership in between is not run, and runs again shortly
// as the other. A seam none of whose sides this agent acts on now has no pass at all.
//
// Policy: seamd repairs only seams with repair = "auto". For the others it completes a pending
// operation (README and docs/operations.md: finishing what a user asked for is not a drift
// repair, whatever the policy) and only reports drift, which `seamctl repair` may then fix.

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/config.h"
#include "reconcilers/reconcile_pass.h"
#include "tools/seamd/loop_clock.h"
#include "tools/seamd/loop_mailbox.h"
#include "tools/seamd/metrics.h"
#include "tools/seamd/pass_lanes.h"

namespace seam::seamd {

class SeamRunner : public std::enable_shared_from_this<SeamRunner> {
 public:
  // `lanes`, `rng` and `metrics` outlive the runner (the daemon keeps them for its whole life);
  // `env` is the runner's configuration's, shared with the jobs it posts; finished passes come
  // back to the loop through `mailbox` (io's).
  SeamRunner(boost::asio::io_context& io, PassLanes& lanes, std::shared_ptr<LoopMailbox> mailbox,
             std::shared_ptr<const PassEnv> env, const SeamConfig& seam, std::mt19937_64& rng, Metrics& metrics);

  const SeamConfig& seam() const { return seam_; }
  // Whether some side is not a file (WatchPaths() empty): those are polled.
  bool polled() const { return polled_; }
  // The lane its passes run on: kSlow when a side may block (polled) or runs a hook; kNetwork
  // for network sides observed asynchronously (the passes that act go to kSlow); kFile for files.
  Lane lane() const { return lane_; }
  // Its network sides are observed without a worker (see above).
  bool observes_async() const { return observes_async_; }
  // A pass is running on a worker now.
  bool running() const { return running_; }
  // The stream version the last pass (or look) replayed to: an event at or below it is one the
  // pass already took into account.
  std::int64_t known_version() const { return known_version_; }
  // The last pass's report (a pass that failed as a whole is a report with status "unknown"
  // and the error), and when it ended (Unix microseconds); nullopt / 0 before the first pass.
  const std::optional<SeamReport>& last_report() const { return last_report_; }
  std::int64_t last_pass_at_us() const { return last_pass_at_us_; }
  // Some side is this agent's own (named for it): it has passes to run when it owns nothing.
  bool has_own_sides() const { return !as_agent_->sides.empty(); }

  // Asks for a pass after `delay`; `why` is for the debug log.
  void Request(std::chrono::microseconds delay, const std::string& why);
  // The same, for a pass over every seam (start-up, reload, the periodic full pass): it looks
  // first, without the lock (above).
  void RequestSweep(const std::string& why);
  // No further passes; timers are cancelled. A pass running on a worker finishes; its result
  // is dropped.
  void Stop();
  // Called once, after the runner's first pass ends (a pass that waited for a busy lock has not
  // ended): seamd is ready when every seam had its start-up pass.
  void OnFirstPass(std::function<void()> done) { on_first_pass_ = std::move(done); }

 private:
  // What a pass on a worker found; handed back to the loop.
  struct Outcome {
    std::string why;
    bool lock_busy = false;  // someone else held the seam's lock: nothing ran
    std::string busy_detail;
    Result<SeamReport> report = Status::Internal("not run");
    std::int64_t known_version = -1;  // what the pass replayed to; -1 unknown
    double seconds = 0;
    bool deferred = false;  // the pass would act: run it again on the slow lane
  };
  // Observations made before the pass, by side index; nullopt: the pass observes that side.
  using Given = std::vector<std::optional<Observation>>;
  // How a pass on a worker begins.
  enum class Look {
    kNone,         // the whole pass, under the lock
    kThenLock,     // a look without the lock; if it would act, the whole pass under the lock
    kThenDefer,    // a look without the lock; if it would act, Outcome::deferred
  };
  void RunNow();
  // Observes the network sides asynchronously, then posts the pass with what they held.
  void ObserveThenPass(std::string why);
  void PostPass(Lane lane, std::string why, Given given, Look look);
  // On a worker: lock, pass, read the stream's version. `epoch`: the pass is the owner's, fenced
  // by it (checked again against `owners` first); nullopt: only this agent's own sides.
  static Outcome RunOnWorker(Result<WorkerScope> scope, const SeamConfig& effective, RecordState* state,
                             const std::string& why, Given given, Look look, std::optional<std::int64_t> epoch,
                             const OwnershipKeeper* owners);
  // Back on the loop.
  void Finish(Outcome outcome);
  // (Re)arms the queued pass for `at`.
  void Arm(LoopClock::time_point at);
  // Arms the poll timer after a pass: the interval, or the back-off after `failures_` failures.
  void ScheduleNext();

  boost::asio::io_context& io_;
  std::shared_ptr<LoopMailbox> mailbox_;
  PassLanes& lanes_;
  std::shared_ptr<const PassEnv> env_;
  SeamConfig seam_;
  // The seam as its passes see it: a seam that is not "auto" gets the pass of repair = "off"
  // (its pending operation is completed, whatever the policy; its drift only reported). Two
  // variants: as the seam's owner (every side this agent may act on), and not (only the sides
  // named for it). effective_ is the running (or last) pass's, epoch_ its fence.
  std::shared_ptr<const SeamConfig> as_owner_;
  std::shared_ptr<const SeamConfig> as_agent_;
  std::shared_ptr<const SeamConfig> effective_;
  std::optional<std::int64_t> epoch_;
  std::mt19937_64& rng_;
  bool polled_ = false;
  bool observes_async_ = false;
  Lane lane_ = Lane::kFile;
  bool running_ = false;
  bool again_ = false;  // requested while running: one more pass when it ends
  bool sweep_ = false;  // the queued pass was asked for by RequestSweep
  LoopTimer queue_timer_;
  LoopTimer poll_timer_;
  bool queued_ = false;
  LoopClock::time_point queued_since_;  // when the queued pass was first asked for
  bool stopped_ = false;
  bool first_pass_ = true;
  std::string reasons_;  // why the queued pass runs
  int failures_ = 0;     // consecutive failed passes
  int busy_streak_ = 0;  // consecutive passes that found the seam's lock held
  std::string last_state_;  // the last pass's summary without its actions
  std::int64_t known_version_ = 0;
  Metrics& metrics_;
  std::optional<SeamReport> last_report_;
  std::int64_t last_pass_at_us_ = 0;
  std::function<void()> on_first_pass_;
  // The seam's replayed state, kept between passes (PassOptions::state); a running pass's job
  // holds it too.
  std::shared_ptr<RecordState> state_;
  SystemClock clock_;
};

}  // namespace seam::seamd
