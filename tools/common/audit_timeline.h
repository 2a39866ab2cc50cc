#pragma once
// The audit of one seam: its stream's events as a timeline for people (`seamctl audit`, the
// HTML page): operations and which sides each reached, drifts with their brackets and how they
// ended, repairs, adoptions, flapping, restarts. The JSON shape is documented in README
// ("seamctl audit --json"); it never holds a secret value, only keyed fingerprints.
//
// Reads only the seam's own stream (indexed by stream: no scan of the whole log, no chain
// verification: `seamctl verify` does that).

#include <cstdint>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/crypto.h"
#include "core/event_store.h"
#include "core/status.h"

namespace seam {

// Which events the audit lists, by event time (UTC microseconds, inclusive); 0: unbounded.
// Events after `until_us` are left out entirely: the audit is what the log said at until_us.
// Events before `since_us` are still read (a drift's missed operation may be older) but not
// listed; drifts and flapping spells that overlap the window are listed.
struct AuditWindow {
  std::int64_t since_us = 0;
  std::int64_t until_us = 0;
};

// The audit object: {"seam", "kind", "entity", "stream", "sides", "window", "now",
// "first_event_at", "intended", "entries", "operations", "drifts", "restarts", "flapping"}.
// An event whose payload does not decode or unseal is listed with an "error" member (and
// counted in "errors"), never hidden. InvalidArgument for a kind seam does not know; a store
// error as the store reported it.
Result<nlohmann::ordered_json> BuildAudit(EventStore& store, const KeyRing& keys, const SeamConfig& seam,
                                          const AuditWindow& window, std::int64_t now_us);

// The seam's current drift from an audit built with an unbounded window: the open one (the
// earliest opened when several sides drift), else the most recently opened. Returns
// {"seam", "drift": <a member of audit["drifts"]> | null, "operation": <the member of
// audit["operations"] the side missed> | null, "text": one paragraph for people,
// "open": whether some drift is open}.
nlohmann::ordered_json CurrentDrift(const nlohmann::ordered_json& audit);

}  // namespace seam
