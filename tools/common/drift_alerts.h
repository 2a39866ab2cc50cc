#pragma once
// Alertmanager alerts for open drifts (a [[notify]] alertmanager target, tools/seamd/notifier.h),
// folded from the log's drift records: one alert per open drift, labels {alertname="SeamDrift",
// seam, side, verdict, kind}, startsAt = when the drift was first seen; when the drift closes
// (repaired, adopted, external, or superseded by another verdict) the same alert again with
// endsAt = when the side was seen back, which resolves it. Alertmanager then does routing,
// grouping and silences. Values never appear: annotations carry the keyed fingerprint.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/event.h"

namespace seam {

class DriftAlerts {
 public:
  // Folds one event of seam `seam` (its name) of kind `kind`. Returns the alerts to post for
  // it: the new alert of a DriftOpened, the resolving one of a DriftClosed; an empty array for
  // any other event (or a record that does not decode: the log's verify says so elsewhere).
  nlohmann::ordered_json Apply(const Event& event, const std::string& seam, const std::string& kind);

  // Every open drift's alert (posted again every minute, so Alertmanager's resolve_timeout does
  // not end them), in stream and version order; with `of`, only those of the streams it accepts.
  nlohmann::ordered_json Open(const std::function<bool(const std::string& stream)>& of = nullptr) const;
  std::size_t size() const { return open_.size(); }

 private:
  std::map<std::pair<std::string, std::int64_t>, nlohmann::ordered_json> open_;  // (stream, opened version)
};

}  // namespace seam
