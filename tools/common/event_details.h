#pragma once
// What one stored event says, as JSON for people and tools: `seamctl log` shows it, the audit
// JSON (tools/common/audit_timeline.h) lists it. The fields, and which of them appear, come
// from reconcilers/ (DescribeEventFields, reconcilers/event_view.h); this only renders them.

#include <cstdint>

#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/event.h"
#include "reconcilers/event_view.h"

namespace seam {

// The event's fields as an object, in their order, e.g. TokenRotated {"fingerprint": "fp:…"},
// SideApplied {"side", "version"}, DriftOpened {"side", "verdict", ..., "first_seen_at": T};
// times are RFC 3339 UTC with microseconds, or null when unknown. Unknown types:
// {"payload_bytes": N}; a payload that does not decode or unseal: an "error" member.
nlohmann::ordered_json EventDetails(const Event& event, const KeyRing& keys);

// The same object from fields already described.
nlohmann::ordered_json FieldsJson(const EventFields& fields);

// FormatTimeMicros(us), or null when us is 0 (unknown).
nlohmann::ordered_json TimeOrNull(std::int64_t us);

}  // namespace seam
