#pragma once
// Metrics: what seamd counts since it started, and the Prometheus text exposition (format
// 0.0.4) of those counters together with each seam's last pass report:
//
//   seam_in_sync{seam}                      1 when the last pass found the seam in sync, else 0
//   seam_side_verdict{seam,side,verdict}    1 for the side's current verdict, 0 for the others
//   seam_drift_open_seconds{seam,side}     for each side with an open drift: seconds since
//                                           it was first seen (0 series when none is open)
//   seam_repairs_total{seam,side,result}    repairs seamd made ("ok") or attempted and failed
//   seam_side_errors_total{seam,side}       observations that found the side unreadable
//   seam_reconcile_duration_seconds         histogram of pass durations
//   seam_log_events_total                   the event log's head seq, as the append watch last read it
//   seamd_workers{lane}                     worker threads of the lane ("file", "network", "slow")
//   seamd_workers_busy{lane}                of those, running a pass now
//   seamd_queue_depth{lane}                 passes waiting for a worker of the lane
//   seamd_observations_in_flight            network sides being observed now (on the network
//                                           thread; they hold no worker)
//
// Per side, the series above are this agent's own observations. When several hosts' agents
// share the store (README "Many hosts"), these show the whole seam, whichever agent acts on it:
//   seam_side_observed_age_seconds{seam,side,agent}  seconds since the side was last observed,
//                                           and by which agent (absent: never observed)
//   seam_owner_epoch{seam,agent}            the epoch of the seam's ownership lease, by holder
//   seam_owned{seam}                        1 when this seamd process holds that lease, else 0
//   seamd_agent_seen_age_seconds{agent}     seconds since each agent's last heartbeat
//   seamd_agent_silent{agent}               1 once that exceeds the silence limit (its sides
//                                           are then unreadable in /status), else 0
//
// Counters survive a config reload (they belong to the daemon, not to one configuration).

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "reconcilers/reconcile_pass.h"

namespace seam::seamd {

// A lane of workers as /metrics shows it (tools/seamd/pass_lanes.h).
struct LaneGauge {
  std::string lane;
  std::size_t workers = 0;
  std::size_t busy = 0;
  std::size_t queued = 0;
};

// A seam as /metrics shows it: its name and its last pass report (null before the first pass).
struct SeamSnapshot {
  std::string name;
  const SeamReport* last = nullptr;
};

// The series of agents sharing a store (above); empty on a store one host keeps.
struct SharedGauges {
  struct Side {
    std::string seam, side, agent;
    double age_s = 0;
  };
  struct Owner {
    std::string seam, agent;
    std::int64_t epoch = 0;
    bool this_process = false;
  };
  struct Agent {
    std::string agent;
    double seen_age_s = 0;
    bool silent = false;
  };
  std::vector<Side> sides;
  std::vector<Owner> owners;
  std::vector<Agent> agents;
};

class Metrics {
 public:
  // Counts one pass of `seam` that took `seconds`; `report` is null when the pass failed as a
  // whole (the log could not be replayed, the lock not taken).
  void RecordPass(const std::string& seam, const SeamReport* report, double seconds);

  // The exposition: seams in the order given, then the counters, the histogram, the log head.
  // `now_us`: the time drift ages are computed at.
  std::string Render(const std::vector<SeamSnapshot>& seams, std::int64_t log_head_seq, std::int64_t now_us,
                     const std::vector<LaneGauge>& lanes = {}, const SharedGauges& shared = {}) const;

  // Network observations started and answered (tools/seamd/seam_runner.h); on the loop.
  void ObservationsStarted(std::size_t n) { observing_ += n; }
  void ObservationsEnded(std::size_t n) { observing_ -= n; }

  // A label value escaped per the text format: backslash, double quote and newline.
  static std::string EscapeLabel(std::string_view value);

  // Upper bounds (seconds) of the duration histogram's buckets, +Inf aside.
  static constexpr std::array<double, 8> kBuckets{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0};

 private:
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> repairs_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> side_errors_;
  std::array<std::uint64_t, kBuckets.size()> bucket_counts_{};  // not cumulative
  std::uint64_t passes_ = 0;
  std::size_t observing_ = 0;
  double seconds_sum_ = 0;
};

}  // namespace seam::seamd
