#include "tools/common/drift_alerts.h"

#include "core/clock.h"
#include "reconcilers/drift_events.h"

namespace seam {

nlohmann::ordered_json DriftAlerts::Apply(const Event& event, const std::string& seam, const std::string& kind) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  if (event.type == drift::kDriftOpened) {
    Result<drift::DriftOpened> p = drift::DecodeDriftOpened(event.payload);
    if (!p.ok()) return out;
    const std::int64_t first_seen = p->first_seen_at_us != 0 ? p->first_seen_at_us : event.time_us;
    nlohmann::ordered_json alert = {
        {"labels", {{"alertname", "SeamDrift"}, {"seam", seam}, {"side", p->side}, {"verdict", p->verdict}, {"kind", kind}}},
        {"annotations",
         {{"summary", "seam " + seam + ": side " + p->side + " is " + p->verdict},
          {"description", p->detail},
          {"fingerprint", p->fingerprint},
          {"opened_seq", std::to_string(event.seq)},
          {"run", "seamctl drift " + seam}}},
        {"startsAt", FormatTimeMicros(first_seen)}};
    open_[{event.stream, event.version}] = alert;
    out.push_back(std::move(alert));
  } else if (event.type == drift::kDriftClosed) {
    Result<drift::DriftClosed> p = drift::DecodeDriftClosed(event.payload);
    if (!p.ok()) return out;
    auto it = open_.find({event.stream, p->opened_version});
    if (it == open_.end()) return out;
    nlohmann::ordered_json alert = std::move(it->second);
    open_.erase(it);
    alert["annotations"]["closed"] = p->how;
    // Never before it began (Alertmanager refuses that); both are the same fixed-width format.
    std::string ends = FormatTimeMicros(p->at_us != 0 ? p->at_us : event.time_us);
    if (ends < alert["startsAt"].get<std::string>()) ends = alert["startsAt"].get<std::string>();
    alert["endsAt"] = ends;
    out.push_back(std::move(alert));
  }
  return out;
}

nlohmann::ordered_json DriftAlerts::Open(const std::function<bool(const std::string& stream)>& of) const {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& [key, alert] : open_) {
    if (!of || of(key.first)) out.push_back(alert);
  }
  return out;
}

}  // namespace seam
