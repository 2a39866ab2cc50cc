#include "tools/seamd/seam_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "reconcilers/kinds.h"
#include "reconcilers/reconcile_pass.h"
#include "tools/common/seam_lock.h"

namespace seam::seamd {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kBackoffCap{5 * 60 * 1000};
// Base of the back-off for seams that are not polled (files only).
constexpr milliseconds kFileRetryBase{1000};
// A seamctl operation holds the lock for milliseconds; try again soon rather than wait on the
// daemon's only thread.
constexpr milliseconds kLockBusyRetry{50};
// The longest a burst of file events may hold back a pass (trailing debounce, Request).
constexpr std::chrono::microseconds kDebounceCap{5000};

bool HasUnwatchedSide(const SeamConfig& seam) {
  return std::any_of(seam.sides.begin(), seam.sides.end(),
                     [](const SideConfig& s) { return s.side->WatchPaths().empty(); });
}

// One line: status, each side's verdict and (with_actions) what the pass did, the pending
// operation, errors. Never a value: verdict details and fingerprints only.
std::string Summarize(const SeamConfig& seam, const SeamReport& r, bool with_actions) {
  std::string line = "seam " + seam.name + " (" + seam.stream() + "): " + r.status;
  if (r.intended_version > 0) line += ", version " + std::to_string(r.intended_version);
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
    line += "; pending: " + r.pending_operation + " (version " + std::to_string(r.pending_version) +
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

SeamRunner::SeamRunner(boost::asio::io_context& io, StateContext& ctx, const SeamConfig& seam,
                       std::mt19937_64& rng, Metrics& metrics)
    : ctx_(ctx),
      seam_(seam),
      rng_(rng),
      polled_(HasUnwatchedSide(seam)),
      queue_timer_(io),
      poll_timer_(io),
      metrics_(metrics) {}

milliseconds SeamRunner::Jittered(milliseconds base, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> factor(0.9, 1.1);
  return milliseconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * factor(rng)));
}

void SeamRunner::Request(std::chrono::microseconds delay, const std::string& why) {
  if (stopped_) return;
  if (reasons_.find(why) == std::string::npos) reasons_ += (reasons_.empty() ? "" : ", ") + why;
  const auto now = std::chrono::steady_clock::now();
  if (!queued_) {
    queued_ = true;
    queued_since_ = now;
    Arm(now + delay);
    return;
  }
  // Joins the pass already queued. A debounced request (a file event) pushes it back, so the
  // pass sees the end of a burst (truncate, then write), but never past kDebounceCap after the
  // burst began: a file rewritten in a loop still gets its passes. An immediate one pulls it in.
  const auto target = delay.count() == 0 ? now : std::min(now + delay, queued_since_ + kDebounceCap);
  const auto armed = queue_timer_.expiry();
  if (delay.count() == 0 ? target < armed : target > armed) Arm(target);
}

void SeamRunner::Arm(std::chrono::steady_clock::time_point at) {
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
  const std::string why = std::exchange(reasons_, "");
  spdlog::debug("seam {}: pass ({})", seam_.name, why);

  // Two repairs of one seam never run at once: within seamd because its one io_context thread
  // runs one handler at a time (and a pass runs inside one handler, start to end); against
  // seamctl and other seamd processes because the pass holds the seam's writer lock.
  Result<SeamReport> report = Status::Internal("not run");
  const auto started = std::chrono::steady_clock::now();
  {
    Result<SeamLock> lock = SeamLock::Acquire(ctx_.config.store.state_dir, seam_.stream(), ctx_.actor,
                                              milliseconds(0));
    if (!lock.ok() && lock.status().code() == StatusCode::kUnavailable) {
      spdlog::debug("seam {}: {}; trying again in {} ms", seam_.name, lock.status().message(),
                    kLockBusyRetry.count());
      Request(kLockBusyRetry, why);
      return;
    }
    if (!lock.ok()) {
      report = lock.status();
    } else {
      // A seam that is not "auto" gets the pass of repair = "off": its pending operation is
      // completed (whatever the policy) and its drift only reported.
      SeamConfig effective = seam_;
      if (effective.repair == RepairPolicy::kManual) effective.repair = RepairPolicy::kOff;
      SeamContext sc = ctx_.Seam();
      PassOptions options;
      if (!state_) {
        if (const KindSpec* kind = FindKindSpec(seam_.kind); kind != nullptr) state_ = std::make_unique<RecordState>(*kind);
      }
      options.state = state_.get();
      report = RunPass(sc, effective, PassMode::kRepair, {}, options);
      // Read under the lock: no other writer can append to the stream until it is released.
      if (Result<std::int64_t> version = ctx_.store->StreamVersion(seam_.stream()); version.ok()) {
        known_version_ = *version;
      }
    }
  }

  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  metrics_.RecordPass(seam_.name, report.ok() ? &*report : nullptr, took.count());
  last_pass_at_us_ = ctx_.clock.NowMicros();
  if (!report.ok()) {
    ++failures_;
    spdlog::warn("seam {} ({}): pass failed: {}", seam_.name, seam_.stream(), report.status().message());
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
    if (code >= 2) {
      spdlog::warn("{}", summary);
    } else if (first_pass_ || DidSomething(*report) || state != last_state_) {
      spdlog::info("{}", summary);
    } else {
      spdlog::debug("{}", summary);
    }
    last_state_ = state;
    last_report_ = std::move(*report);
  }
  first_pass_ = false;
  ScheduleNext();
  if (on_first_pass_) std::exchange(on_first_pass_, nullptr)();
}

void SeamRunner::ScheduleNext() {
  if (stopped_) return;
  if (failures_ == 0 && !polled_) {
    poll_timer_.cancel();
    return;
  }
  const milliseconds base = polled_ ? milliseconds(seam_.interval_us / 1000) : kFileRetryBase;
  milliseconds delay = base;
  if (failures_ > 0) {
    const int doublings = std::min(failures_, 20);
    delay = std::min<milliseconds>(base * (std::int64_t{1} << doublings), kBackoffCap);
    spdlog::debug("seam {}: {} failed pass(es); next try in {} ms", seam_.name, failures_, delay.count());
  }
  const bool retry = failures_ > 0;
  poll_timer_.expires_after(Jittered(delay, rng_));
  poll_timer_.async_wait([weak = weak_from_this(), retry](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->Request(milliseconds(0), retry ? "retry" : "poll");
  });
}

}  // namespace seam::seamd
