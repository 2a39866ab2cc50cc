#include "tools/seamd/metrics.h"

#include <fmt/format.h>

#include <algorithm>

namespace seam::seamd {
namespace {

constexpr Verdict kAllVerdicts[] = {Verdict::kInSync,  Verdict::kLagging,    Verdict::kForeign,
                                    Verdict::kMissing, Verdict::kUnreadable, Verdict::kExpiring};

// A repair the pass attempted and could not make: "skipped" with an error naming the side (a
// side that changed under the pass is not an error: the next pass decides again).
bool RepairFailed(const SeamReport& r, const SideReport& s) {
  if (s.action != "skipped") return false;
  const std::string prefix = "side " + s.name + ": ";
  return std::any_of(r.errors.begin(), r.errors.end(),
                     [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
}

void Header(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string Metrics::EscapeLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Metrics::RecordPass(const std::string& seam, const SeamReport* report, double seconds) {
  ++passes_;
  seconds_sum_ += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++bucket_counts_[i];
      break;
    }
  }
  if (report == nullptr) return;
  for (const SideReport& s : report->sides) {
    if (s.judgement.verdict == Verdict::kUnreadable) ++side_errors_[{seam, s.name}];
    if (s.action == "repaired") ++repairs_[{seam, s.name, "ok"}];
    if (RepairFailed(*report, s)) ++repairs_[{seam, s.name, "failed"}];
  }
}

std::string Metrics::Render(const std::vector<SeamSnapshot>& seams, std::int64_t log_head_seq,
                            std::int64_t now_us, const std::vector<LaneGauge>& lanes, const SharedGauges& shared) const {
  std::string out;
  Header(out, "seam_in_sync", "gauge", "1 when the seam's last pass found every side in sync, else 0.");
  for (const SeamSnapshot& s : seams) {
    if (s.last == nullptr) continue;
    out += fmt::format("seam_in_sync{{seam=\"{}\"}} {}\n", EscapeLabel(s.name), s.last->status == "in_sync" ? 1 : 0);
  }
  Header(out, "seam_side_verdict", "gauge", "1 for the verdict each side got in the seam's last pass, 0 for the others.");
  for (const SeamSnapshot& s : seams) {
    if (s.last == nullptr) continue;
    for (const SideReport& side : s.last->sides) {
      for (Verdict v : kAllVerdicts) {
        out += fmt::format("seam_side_verdict{{seam=\"{}\",side=\"{}\",verdict=\"{}\"}} {}\n", EscapeLabel(s.name),
                           EscapeLabel(side.name), VerdictName(v), side.judgement.verdict == v ? 1 : 0);
      }
    }
  }
  Header(out, "seam_drift_open_seconds", "gauge",
         "Seconds since an open drift of the side was first seen (DriftOpened.first_seen_at); absent when in sync.");
  for (const SeamSnapshot& s : seams) {
    if (s.last == nullptr) continue;
    for (const SideReport& side : s.last->sides) {
      if (!side.drift) continue;
      const double age = static_cast<double>(std::max<std::int64_t>(0, now_us - side.drift->first_seen_at_us)) / 1e6;
      out += fmt::format("seam_drift_open_seconds{{seam=\"{}\",side=\"{}\"}} {:.3f}\n", EscapeLabel(s.name),
                         EscapeLabel(side.name), age);
    }
  }
  Header(out, "seam_side_unreadable_seconds", "gauge",
         "Seconds since the side's unreadable spell began (SideUnreadable.since); absent when it is readable.");
  for (const SeamSnapshot& s : seams) {
    if (s.last == nullptr) continue;
    for (const SideReport& side : s.last->sides) {
      if (side.unreadable_since_us == 0) continue;
      const double age = static_cast<double>(std::max<std::int64_t>(0, now_us - side.unreadable_since_us)) / 1e6;
      out += fmt::format("seam_side_unreadable_seconds{{seam=\"{}\",side=\"{}\"}} {:.3f}\n", EscapeLabel(s.name),
                         EscapeLabel(side.name), age);
    }
  }
  Header(out, "seam_flapping", "gauge",
         "1 while the seam is flapping (repairs stopped until `seamctl repair --force`), else 0.");
  for (const SeamSnapshot& s : seams) {
    if (s.last == nullptr) continue;
    out += fmt::format("seam_flapping{{seam=\"{}\"}} {}\n", EscapeLabel(s.name), s.last->flapping ? 1 : 0);
  }
  Header(out, "seam_pending_operation_seconds", "gauge",
         "Seconds since an operation some side has not confirmed yet was recorded; absent when none is pending.");
  for (const SeamSnapshot& s : seams) {
    if (s.last == nullptr || s.last->pending_sides.empty()) continue;
    const double age = static_cast<double>(std::max<std::int64_t>(0, now_us - s.last->pending_since_us)) / 1e6;
    out += fmt::format("seam_pending_operation_seconds{{seam=\"{}\",operation=\"{}\"}} {:.3f}\n",
                       EscapeLabel(s.name), EscapeLabel(s.last->pending_operation), age);
  }
  // Certificates: alert on (x - time()) < 14 * 86400.
  Header(out, "seam_certificate_not_after_seconds", "gauge",
         "When the certificate each side holds expires (Unix time), as the seam's last pass observed it.");
  for (const SeamSnapshot& s : seams) {
    if (s.last == nullptr) continue;
    for (const SideReport& side : s.last->sides) {
      if (side.not_after == 0) continue;
      out += fmt::format("seam_certificate_not_after_seconds{{seam=\"{}\",side=\"{}\"}} {}\n", EscapeLabel(s.name),
                         EscapeLabel(side.name), side.not_after);
    }
  }
  Header(out, "seam_certificate_chain_not_after_seconds", "gauge",
         "When the earliest certificate after the leaf (an intermediate) each side holds or serves expires (Unix time).");
  for (const SeamSnapshot& s : seams) {
    if (s.last == nullptr) continue;
    for (const SideReport& side : s.last->sides) {
      if (side.chain_not_after == 0) continue;
      out += fmt::format("seam_certificate_chain_not_after_seconds{{seam=\"{}\",side=\"{}\"}} {}\n",
                         EscapeLabel(s.name), EscapeLabel(side.name), side.chain_not_after);
    }
  }
  Header(out, "seam_certificate_intended_not_after_seconds", "gauge",
         "When the certificate the log intends for the seam expires (Unix time).");
  for (const SeamSnapshot& s : seams) {
    if (s.last == nullptr || s.last->intended_not_after == 0) continue;
    out += fmt::format("seam_certificate_intended_not_after_seconds{{seam=\"{}\"}} {}\n", EscapeLabel(s.name),
                       s.last->intended_not_after);
  }
  Header(out, "seam_repairs_total", "counter", "Side repairs seamd made (ok) or attempted and could not make (failed) since it started.");
  for (const auto& [key, n] : repairs_) {
    const auto& [seam, side, result] = key;
    out += fmt::format("seam_repairs_total{{seam=\"{}\",side=\"{}\",result=\"{}\"}} {}\n", EscapeLabel(seam),
                       EscapeLabel(side), result, n);
  }
  Header(out, "seam_side_errors_total", "counter", "Observations that found the side unreadable since seamd started.");
  for (const auto& [key, n] : side_errors_) {
    out += fmt::format("seam_side_errors_total{{seam=\"{}\",side=\"{}\"}} {}\n", EscapeLabel(key.first),
                       EscapeLabel(key.second), n);
  }
  Header(out, "seam_reconcile_duration_seconds", "histogram", "Duration of seamd's reconcile passes.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += bucket_counts_[i];
    out += fmt::format("seam_reconcile_duration_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[i], cumulative);
  }
  out += fmt::format("seam_reconcile_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", passes_);
  out += fmt::format("seam_reconcile_duration_seconds_sum {}\n", seconds_sum_);
  out += fmt::format("seam_reconcile_duration_seconds_count {}\n", passes_);
  Header(out, "seam_log_events_total", "counter", "Events in the event log (its head seq).");
  out += fmt::format("seam_log_events_total {}\n", log_head_seq);
  Header(out, "seamd_workers", "gauge", "Worker threads of each lane passes run on.");
  for (const LaneGauge& l : lanes) out += fmt::format("seamd_workers{{lane=\"{}\"}} {}\n", l.lane, l.workers);
  Header(out, "seamd_workers_busy", "gauge", "Workers of each lane running a pass now.");
  for (const LaneGauge& l : lanes) out += fmt::format("seamd_workers_busy{{lane=\"{}\"}} {}\n", l.lane, l.busy);
  Header(out, "seamd_queue_depth", "gauge", "Passes waiting for a worker of each lane.");
  for (const LaneGauge& l : lanes) out += fmt::format("seamd_queue_depth{{lane=\"{}\"}} {}\n", l.lane, l.queued);
  Header(out, "seamd_observations_in_flight", "gauge", "Network sides being observed now (holding no worker).");
  out += fmt::format("seamd_observations_in_flight {}\n", observing_);
  if (shared.agents.empty()) return out;
  Header(out, "seam_side_observed_age_seconds", "gauge",
         "Seconds since the side was last observed, by the agent that acts on it (any agent sharing the store).");
  for (const SharedGauges::Side& s : shared.sides) {
    out += fmt::format("seam_side_observed_age_seconds{{seam=\"{}\",side=\"{}\",agent=\"{}\"}} {:.3f}\n",
                       EscapeLabel(s.seam), EscapeLabel(s.side), EscapeLabel(s.agent), s.age_s);
  }
  Header(out, "seam_owner_epoch", "gauge", "The epoch of the seam's ownership lease, labelled with its holder.");
  for (const SharedGauges::Owner& o : shared.owners) {
    out += fmt::format("seam_owner_epoch{{seam=\"{}\",agent=\"{}\"}} {}\n", EscapeLabel(o.seam), EscapeLabel(o.agent),
                       o.epoch);
  }
  Header(out, "seam_owned", "gauge", "1 when this seamd process holds the seam's ownership lease, else 0.");
  for (const SharedGauges::Owner& o : shared.owners) {
    out += fmt::format("seam_owned{{seam=\"{}\"}} {}\n", EscapeLabel(o.seam), o.this_process ? 1 : 0);
  }
  Header(out, "seamd_agent_seen_age_seconds", "gauge", "Seconds since each agent sharing the store last said it is alive.");
  for (const SharedGauges::Agent& a : shared.agents) {
    out += fmt::format("seamd_agent_seen_age_seconds{{agent=\"{}\"}} {:.3f}\n", EscapeLabel(a.agent), a.seen_age_s);
  }
  Header(out, "seamd_agent_silent", "gauge", "1 when the agent has been silent past the limit (its sides are unreadable), else 0.");
  for (const SharedGauges::Agent& a : shared.agents) {
    out += fmt::format("seamd_agent_silent{{agent=\"{}\"}} {}\n", EscapeLabel(a.agent), a.silent ? 1 : 0);
  }
  return out;
}

}  // namespace seam::seamd
