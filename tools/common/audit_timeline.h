#pragma once
// The audit of one seam for people and tools: the typed timeline reconcilers/audit_fold.h folds,
// rendered as the JSON `seamctl audit --json` prints (documented in README), the HTML page reads
// and `seamctl drift` summarizes, with one sentence per entry and a paragraph per drift. Only
// rendering lives here: what happened is decided by the fold.

#include <cstdint>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/crypto.h"
#include "core/event_store.h"
#include "core/status.h"
#include "reconcilers/audit_fold.h"

namespace seam {

// The audit object: {"seam", "kind", "entity", "stream", "sides", "window", "now",
// "first_event_at", "intended", "entries", "operations", "drifts", "restarts", "flapping",
// "unreadable", "errors"}. An entry whose payload does not decode or unseal has an "error" member.
nlohmann::ordered_json AuditJson(const AuditTimeline& timeline, std::int64_t now_us);

// FoldAudit, then AuditJson.
Result<nlohmann::ordered_json> BuildAudit(EventStore& store, const KeyRing& keys, const SeamConfig& seam,
                                          const AuditWindow& window, std::int64_t now_us);

// The seam's current drift (ChooseCurrentDrift) from a timeline folded with an unbounded window:
// {"seam", "drift": <a member of the audit's "drifts"> | null, "operation": <the member of its
// "operations" the side missed> | null, "text": one paragraph for people, "open": whether some
// drift is open}.
nlohmann::ordered_json CurrentDrift(const AuditTimeline& timeline);

}  // namespace seam
