#include "tools/seamd/seam_runner.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "core/agent.h"
#include "core/store.h"
#include "reconcilers/kinds.h"
#include "reconcilers/reconcile_pass.h"
#include "tools/common/report_output.h"
#include "tools/seamd/pass_schedule.h"

namespace seam::seamd {
namespace {

using std::chrono::milliseconds;

// A seamctl operation holds the lock for milliseconds; try again soon rather than wait on the
// daemon's only thread: every 5 ms for the first 40 ms, then every 50 ms. (An operation from
// another host wakes this agent with its intent and releases the lock once its own sides are
// written, some 10 ms later: a fixed 50 ms was most of the time its other sides took to follow.)
constexpr milliseconds kLockBusyFirstRetry{5};
constexpr int kLockBusyFirstRetries = 8;
constexpr milliseconds kLockBusyRetry{50};

bool HasUnwatchedSide(const SeamConfig& seam) {
  return std::any_of(seam.sides.begin(), seam.sides.end(),
                     [](const SideConfig& s) { return s.side->WatchPaths().empty(); });
}

bool RunsAHook(const SeamConfig& seam) {
  return std::any_of(seam.sides.begin(), seam.sides.end(), [](const SideConfig& s) { return !s.on_repair.empty(); });
}

// Every side that is not a file can be observed asynchronously, and no side runs a hook.
bool ObservedAsync(const SeamConfig& seam) {
  return !RunsAHook(seam) && std::all_of(seam.sides.begin(), seam.sides.end(), [](const SideConfig& s) {
           return !s.side->WatchPaths().empty() || s.side->ObservesAsync();
         });
}

std::shared_ptr<const SeamConfig> Effective(const SeamConfig& seam) {
  auto effective = std::make_shared<SeamConfig>(seam);
  if (effective->repair == RepairPolicy::kManual) effective->repair = RepairPolicy::kOff;
  return effective;
}

// One line: status, each side's verdict and (with_actions) what the pass did, the pending
// operation, errors. Never a value: verdict details and fingerprints only.
std::string Summarize(const SeamConfig& seam, const SeamReport& r, bool with_actions) {
  std::string line = "seam " + seam.name + " (" + seam.stream() + "): " + r.status;
  if (r.intended_revision > 0) line += ", rev " + std::to_string(r.intended_revision);
  std::string sides;
  for (const SideReport& s : r.sides) {
    sides += (sides.empty() ? "; " : ", ") + s.name + " " + VerdictName(s.judgement.verdict);
    if (s.judgement.verdict != Verdict::kInSync && !s.judgement.detail.empty()) {
      sides += " (" + s.judgement.detail + ")";
    }
    if (!with_actions || s.action.empty()) continue;
    if (s.action == "skipped" && seam.repair != RepairPolicy::kAuto) {
      sides += std::string(" [not repaired: repair = \"") + RepairPolicyName(seam.repair) + "\"]";
    } else {
      sides += " [" + s.action + (s.action_detail.empty() ? "" : ": " + s.action_detail) + "]";
    }
  }
  line += sides;
  if (!r.pending_operation.empty()) {
    std::string on;
    for (const std::string& side : r.pending_sides) on += (on.empty() ? "" : ", ") + side;
    line += "; pending: " + r.pending_operation + " (rev " + std::to_string(r.pending_revision) +
            ") not yet confirmed on " + on;
  }
  if (r.flapping) line += "; flapping (side " + r.flapping_side + "): `seamctl repair --force " + seam.name + "`";
  for (const std::string& e : r.errors) line += "; error: " + e;
  return line;
}

bool DidSomething(const SeamReport& r) {
  if (r.events_appended > 0) return true;
  return std::any_of(r.sides.begin(), r.sides.end(), [](const SideReport& s) {
    return s.action == "repaired" || s.action == "adopted";
  });
}

}  // namespace

SeamRunner::SeamRunner(boost::asio::io_context& io, PassLanes& lanes, std::shared_ptr<LoopMailbox> mailbox,
                       std::shared_ptr<const PassEnv> env, const SeamConfig& seam, std::mt19937_64& rng,
                       Metrics& metrics)
    : io_(io),
      mailbox_(std::move(mailbox)),
      lanes_(lanes),
      env_(std::move(env)),
      seam_(seam),
      as_owner_(Effective(SidesForAgent(seam, env_->agent, /*owner=*/true))),
      as_agent_(Effective(SidesForAgent(seam, env_->agent, /*owner=*/false))),
      effective_(as_owner_),
      rng_(rng),
      polled_(HasUnwatchedSide(seam)),
      observes_async_(polled_ && ObservedAsync(seam)),
      lane_(observes_async_                          ? Lane::kNetwork
            : polled_ || RunsAHook(seam) ? Lane::kSlow
                                         : Lane::kFile),
      queue_timer_(io),
      poll_timer_(io),
      metrics_(metrics) {
  if (const KindSpec* kind = FindKindSpec(seam_); kind != nullptr) state_ = std::make_shared<RecordState>(*kind);
}

void SeamRunner::Request(std::chrono::microseconds delay, const std::string& why) {
  if (stopped_) return;
  if (reasons_.find(why) == std::string::npos) reasons_ += (reasons_.empty() ? "" : ", ") + why;
  const auto now = LoopClock::now();
  if (!queued_) {
    queued_ = true;
    queued_since_ = now;
    Arm(now + delay);
    return;
  }
  // Joins the pass already queued (pass_schedule::Retarget: debounced, a file rewritten in a
  // loop still gets its passes).
  const auto armed = queue_timer_.expiry();
  const auto target = pass_schedule::Retarget(now, delay, queued_since_, armed);
  if (target != armed) Arm(target);
}

void SeamRunner::RequestSweep(const std::string& why) {
  if (stopped_) return;
  sweep_ = true;
  Request(std::chrono::microseconds(0), why);
}

void SeamRunner::Arm(LoopClock::time_point at) {
  queue_timer_.expires_at(at);  // a wait already pending completes with operation_aborted
  queue_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->RunNow();
  });
}

void SeamRunner::Stop() {
  stopped_ = true;
  queue_timer_.cancel();
  poll_timer_.cancel();
}

void SeamRunner::RunNow() {
  queued_ = false;
  if (stopped_) return;
  if (running_) {
    again_ = true;  // the reasons stay queued for the pass after this one
    return;
  }
  // Owner or not, as of now (the worker checks again).
  epoch_ = env_->owners ? env_->owners->Owned(seam_.stream()) : std::optional<std::int64_t>(0);
  effective_ = epoch_ ? as_owner_ : as_agent_;
  if (effective_->sides.empty()) {
    // Every side is another agent's, or the seam's owner is another agent: nothing to do here.
    // The keeper wakes this runner when the seam becomes this agent's.
    spdlog::debug("seam {}: no side is agent {}'s now; no pass", seam_.name, env_->agent);
    reasons_.clear();
    sweep_ = false;
    if (first_pass_) {
      first_pass_ = false;
      if (on_first_pass_) std::exchange(on_first_pass_, nullptr)();
    }
    return;
  }
  running_ = true;
  std::string why = std::exchange(reasons_, "");
  const bool sweep = std::exchange(sweep_, false);
  if (observes_async_) {
    ObserveThenPass(std::move(why));
    return;
  }
  // A sweep of a file seam looks first; a slow seam's look would read its slow side twice
  // whenever it acts, so it runs the whole pass.
  PostPass(lane_, std::move(why), {}, sweep && lane_ == Lane::kFile ? Look::kThenLock : Look::kNone);
}

void SeamRunner::ObserveThenPass(std::string why) {
  struct Gather {
    Given seen;
    std::size_t left = 0;
  };
  auto gather = std::make_shared<Gather>();
  const std::vector<SideConfig>& sides = effective_->sides;
  gather->seen.resize(sides.size());
  std::vector<std::size_t> network;
  for (std::size_t i = 0; i < sides.size(); ++i) {
    if (sides[i].side->ObservesAsync()) network.push_back(i);
  }
  gather->left = network.size();
  spdlog::debug("seam {}: pass ({}): observing {} side(s) over the network", seam_.name, why, network.size());
  metrics_.ObservationsStarted(network.size());
  for (std::size_t i : network) {
    // On the network thread: hand the observation to the loop. `effective` keeps the side alive
    // until it has answered (core/side.h), and goes back to the loop with the answer.
    sides[i].side->ObserveAsync(kNoDeadline, [weak = weak_from_this(), mailbox = mailbox_, metrics = &metrics_, gather, i,
                                 effective = effective_, why](Observation seen) mutable {
      mailbox->Post([weak, metrics, gather, i, effective = std::move(effective), why = std::move(why),
                     seen = std::move(seen)]() mutable {
        metrics->ObservationsEnded(1);
        gather->seen[i] = std::move(seen);
        if (--gather->left != 0) return;
        if (auto self = weak.lock()) {
          self->PostPass(Lane::kNetwork, std::move(why), std::move(gather->seen), Look::kThenDefer);
        }
      });
    });
  }
  if (network.empty()) PostPass(Lane::kNetwork, std::move(why), std::move(gather->seen), Look::kThenDefer);
}

void SeamRunner::PostPass(Lane lane, std::string why, Given given, Look look) {
  if (stopped_) {
    running_ = false;
    return;
  }
  spdlog::debug("seam {}: pass ({}) on the {} lane", seam_.name, why, LaneName(lane));
  // The job holds what it reads (the seam as configured, its kept state); the runner may be
  // gone (a reload) when it ends, and then its outcome is dropped.
  lanes_.Post(lane, env_,
              [weak = weak_from_this(), mailbox = mailbox_, effective = effective_, state = state_, why = std::move(why),
               given = std::move(given), look, epoch = epoch_, owners = env_->owners](Result<WorkerScope> scope) mutable {
                auto outcome = std::make_shared<Outcome>(RunOnWorker(std::move(scope), *effective, state.get(), why,
                                                                     std::move(given), look, epoch, owners.get()));
                mailbox->Post([weak, outcome] {
                  if (auto self = weak.lock()) self->Finish(std::move(*outcome));
                });
              });
}

SeamRunner::Outcome SeamRunner::RunOnWorker(Result<WorkerScope> scope, const SeamConfig& effective, RecordState* state,
                                            const std::string& why, Given given, Look look,
                                            std::optional<std::int64_t> epoch, const OwnershipKeeper* owners) {
  Outcome out;
  out.why = why;
  const auto started = std::chrono::steady_clock::now();
  auto done = [&] {
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return std::move(out);
  };
  if (!scope.ok()) {
    out.report = scope.status();
    return done();
  }
  // The owner's pass starts only while the lease is still this agent's by its own clock (a job
  // may have queued behind others); lost, it is tried again shortly as the agent's pass.
  if (epoch && owners != nullptr && owners->Owned(effective.stream()) != epoch) {
    out.lock_busy = true;
    out.busy_detail = "the seam's ownership lease changed hands";
    return done();
  }
  // Every append of the pass is fenced by the owner's epoch; the worker's context is reused.
  struct Fence {
    SeamContext& ctx;
    ~Fence() { ctx.epoch = 0; }
  } fence{scope->seam};
  scope->seam.epoch = epoch.value_or(0);
  // One pass; the sides not observed before (files) are observed now. The pass leaves the kept
  // state at the stream's head as it read it: that is the version this pass took into account
  // (under the lock no other writer can append past it until the lock is released).
  auto run = [&](bool look_only) {
    std::vector<Observation> observed;
    if (!given.empty()) {
      observed.reserve(given.size());
      for (std::size_t i = 0; i < given.size(); ++i) {
        observed.push_back(given[i] ? std::move(*given[i]) : effective.sides[i].side->Observe());
      }
      given.clear();  // consumed: a whole pass after a look observes afresh
    }
    PassOptions options;
    options.state = state;
    options.defer_acting = look_only;
    // The kept state holds the run of readable observations; without one, no run to wait for.
    options.readable_hold_us = state != nullptr ? kReadableHoldUs : 0;
    out.report = RunPass(scope->seam, effective, PassMode::kRepair, std::move(observed), options);
    if (!out.report.ok() && out.report.status().code() == StatusCode::kUnavailable) {
      // The store's connection was lost (a restarted server or pooler, pg_terminate_backend): the
      // next call makes it again, so the pass runs once more now instead of after a back-off. A
      // pass is safe to repeat: it replays the log, and what an append in doubt did is in it.
      spdlog::info("seam {}: pass ({}) lost the store's connection ({}); running it again", effective.name, why,
                   out.report.status().message());
      out.report = RunPass(scope->seam, effective, PassMode::kRepair, {}, options);
    }
    if (out.report.ok() && state != nullptr) {
      out.known_version = state->stream_version;
    } else if (Result<std::int64_t> version = scope->store.Log().StreamVersion(effective.stream()); version.ok()) {
      out.known_version = *version;
    }
  };
  if (look != Look::kNone) {
    // Without the lock: a look that is not deferred appended and wrote nothing (reconcile_pass.h).
    run(true);
    if (!out.report.ok() || !out.report->deferred) return done();
    if (look == Look::kThenDefer) {
      out.deferred = true;
      return done();
    }
  }
  // Two passes of one seam never run at once: within seamd because a runner posts one job at a
  // time; against seamctl and other seamd processes because the pass holds the writer lock.
  Result<std::unique_ptr<WriterLock>> lock = scope->store.LockStream(effective.stream(), scope->seam.actor, milliseconds(0));
  if (!lock.ok() && lock.status().code() == StatusCode::kUnavailable) {
    out.lock_busy = true;
    out.busy_detail = lock.status().message();
    return done();
  }
  if (!lock.ok()) {
    out.report = lock.status();
    return done();
  }
  run(false);
  // Fenced off: another agent took the seam over while this pass ran (this one was paused or
  // cut off past its lease), so nothing was recorded and no side written. Not a failure of the
  // seam's: the pass is tried again shortly as this agent's own, like a lease that changed hands
  // before the pass began.
  const bool fenced = out.report.ok() ? out.report->fenced
                                      : out.report.status().code() == StatusCode::kFailedPrecondition;
  if (epoch && owners != nullptr && fenced && owners->Owned(effective.stream()) != epoch) {
    std::string detail = out.report.ok() ? "" : out.report.status().message();
    if (out.report.ok()) {
      for (const std::string& e : out.report->errors) {
        if (detail.empty() || e.find(" fenced off: ") != std::string::npos) detail = e;
      }
    }
    spdlog::info("seam {}: pass ({}) fenced off, the seam is not this agent's now: {}", effective.name, why, detail);
    out.lock_busy = true;
    out.busy_detail = "fenced off: " + detail;
  }
  return done();
}

void SeamRunner::Finish(Outcome outcome) {
  if (outcome.deferred && !stopped_) {
    // The pass found something to act on: all of it again where a write may take its timeout.
    PostPass(Lane::kSlow, outcome.why + ", acting", {}, Look::kNone);
    return;
  }
  running_ = false;
  if (stopped_) return;
  if (outcome.lock_busy) {
    again_ = false;  // the retry is that pass
    const milliseconds retry = busy_streak_ < kLockBusyFirstRetries ? kLockBusyFirstRetry : kLockBusyRetry;
    ++busy_streak_;
    spdlog::debug("seam {}: {}; trying again in {} ms", seam_.name, outcome.busy_detail, retry.count());
    Request(retry, outcome.why);
    return;
  }
  busy_streak_ = 0;
  if (outcome.known_version >= 0) known_version_ = outcome.known_version;
  Result<SeamReport>& report = outcome.report;
  metrics_.RecordPass(seam_.name, report.ok() ? &*report : nullptr, outcome.seconds);
  last_pass_at_us_ = clock_.NowMicros();
  if (!report.ok()) {
    ++failures_;
    // Said once, then again when it changes: a pass retried every backoff step would otherwise
    // repeat the same line for as long as the cause lasts.
    const std::string failed_line = fmt::format("seam {} ({}): pass failed: {}", seam_.name, seam_.stream(),
                                                report.status().message());
    if (failed_line != last_state_) {
      spdlog::warn("{}", failed_line);
    } else {
      spdlog::debug("{}", failed_line);
    }
    last_state_ = failed_line;
    SeamReport failed;
    failed.name = seam_.name;
    failed.kind = seam_.kind;
    failed.entity = seam_.entity;
    failed.status = "unknown";
    failed.intended_state = "unknown";
    failed.errors.push_back("pass failed: " + report.status().message());
    last_report_ = std::move(failed);
  } else {
    const int code = report->ExitCode();
    failures_ = code >= 2 ? failures_ + 1 : 0;
    // Logged at info when the pass did something or the seam's state changed; a pass that
    // finds what the last one left is debug (seamd's own repairs cause one such pass).
    const std::string summary = Summarize(seam_, *report, true);
    const std::string state = Summarize(seam_, *report, false);
    if (code >= 2 && (first_pass_ || state != last_state_ || DidSomething(*report))) {
      // Trouble is said when it begins or changes, not at every retry: a full disk under the log
      // ("error: recording drift: ... the disk holding it is full") lasts until someone frees it,
      // and seamd goes on observing and reporting meanwhile (status page, metrics, this log).
      spdlog::warn("{}", summary);
    } else if (code >= 2) {
      spdlog::debug("{}", summary);
    } else if (first_pass_ || DidSomething(*report) || state != last_state_) {
      spdlog::info("{}", summary);
    } else {
      spdlog::debug("{}", summary);
    }
    last_state_ = state;
    if (env_->owners != nullptr) {
      // The other agents show these sides from what this one shares (tools/seamd/whole_seam.h).
      std::vector<std::pair<std::string, std::string>> shared;
      for (const SideReport& side : report->sides) shared.emplace_back(side.name, DumpJson(SideReportJson(side, false)));
      env_->owners->Publish(seam_.stream(), shared);
    }
    last_report_ = std::move(*report);
  }
  first_pass_ = false;
  ScheduleNext();
  if (on_first_pass_) std::exchange(on_first_pass_, nullptr)();
  if (std::exchange(again_, false)) RunNow();
}

void SeamRunner::ScheduleNext() {
  if (stopped_) return;
  const std::optional<milliseconds> wait =
      pass_schedule::NextWait(polled_, milliseconds(seam_.interval_us / 1000), failures_);
  if (!wait) {
    poll_timer_.cancel();
    return;
  }
  if (failures_ > 0) {
    spdlog::debug("seam {}: {} failed pass(es); next try in {} ms", seam_.name, failures_, wait->count());
  }
  const bool retry = failures_ > 0;
  poll_timer_.expires_after(pass_schedule::Jittered(*wait, rng_));
  poll_timer_.async_wait([weak = weak_from_this(), retry](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->Request(milliseconds(0), retry ? "retry" : "poll");
  });
}

}  // namespace seam::seamd
