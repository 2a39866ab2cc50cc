#pragma once
// The http-json `restart_marker`: the member of the side's GET response that identifies the run
// of the component behind it (a boot id, a start time), and the start time it may tell.
// Internal to plugins/http_json.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "plugins/common/json_pointer.h"

namespace seam {

// At most this many bytes: a marker is an identifier, not a document.
inline constexpr std::size_t kMaxRestartMarkerBytes = 256;

struct RestartMarker {
  std::string text;              // "" when the member is absent or null
  std::int64_t started_at_us = 0;  // the time `text` tells (ParseStartTimeUs), 0 if none
};

// The marker at `pointer` in `doc`: a string as is, a number as its decimal text (JSON's own
// shortest form for a non-integer); absent or null is "" (no marker). FailedPrecondition, naming
// `restart_marker <pointer>` and never the value, when the walk meets a non-object, the value is
// an object, array or boolean, or the text is over kMaxRestartMarkerBytes or holds a character
// that is not printable ASCII.
Result<RestartMarker> ReadRestartMarker(const Json& doc, const JsonPointer& pointer);

// The time a marker tells, in microseconds since the Unix epoch: RFC 3339
// ("2026-11-29T20:50:22Z", optional fraction (truncated to microseconds), "Z" or "+hh:mm" /
// "-hh:mm") or exactly ten decimal digits of Unix seconds. nullopt for anything else, including
// an invalid date and a time not after the epoch.
std::optional<std::int64_t> ParseStartTimeUs(std::string_view text);

}  // namespace seam
