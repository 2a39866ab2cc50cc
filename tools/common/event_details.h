#pragma once
// What one stored event says, decoded for people and tools: `seamctl log` shows it, the audit
// timeline (tools/common/audit_timeline.h) reads it. Secrets appear only as keyed fingerprints;
// a payload that does not decode or unseal gives {"error": ...} rather than being hidden.

#include <cstdint>

#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/event.h"

namespace seam {

// The event's payload fields by type, e.g. TokenRotated {"fingerprint": "fp:…"}, SideApplied
// {"side", "version"}, DriftOpened {"side", "verdict", ..., "first_seen_at": T}; times are
// RFC 3339 UTC with microseconds, or null when unknown. Unknown types: {"payload_bytes": N}.
nlohmann::ordered_json EventDetails(const Event& event, const KeyRing& keys);

// FormatTimeMicros(us), or null when us is 0 (unknown).
nlohmann::ordered_json TimeOrNull(std::int64_t us);

}  // namespace seam
