#pragma once
// The TIME of a command-line flag (`seamctl audit --since TIME --until TIME`): an RFC 3339
// date-time ("2026-11-29T09:11:50Z", "2026-11-29T10:11:50.25+01:00") or an age before now
// ("90s", "15m", "2h", "7d").

#include <chrono>
#include <cstdint>
#include <string>

#include "core/status.h"

namespace seam {

// UTC microseconds since the Unix epoch. `flag` ("--since") only goes into the error, which is
// InvalidArgument, one line naming the flag and the value.
Result<std::int64_t> ParseTimeArg(const std::string& flag, const std::string& value, std::int64_t now_us);

// A wait (`seamctl check --deadline 5s`): a whole number of ms, s, m or h, from 1ms to 24h.
// InvalidArgument naming the flag and the value otherwise.
Result<std::chrono::milliseconds> ParseDurationArg(const std::string& flag, const std::string& value);

}  // namespace seam
