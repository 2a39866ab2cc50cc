#pragma once
// Side options that are a program to run (an argv list: exec, exec-probe) or how long to let
// something take (milliseconds).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/side_options.h"
#include "core/status.h"

namespace seam {

// Takes `key` as an argv: a non-empty list of strings whose first element (the program) is
// not empty; no element may contain a NUL. Errors name the key's line.
Result<std::optional<std::vector<std::string>>> TakeArgv(SideOptions& options,
                                                         const std::string& key, bool required);

// Takes `timeout_ms`: a string of digits from 1 to `max` ms (a TOML string, as every side
// option), `fallback` when absent. Errors name the key's line and what is wanted.
Result<std::chrono::milliseconds> TakeTimeoutMs(SideOptions& options, std::chrono::milliseconds fallback,
                                                std::chrono::milliseconds max);
// The same for any key of milliseconds (`connect_timeout_ms`).
Result<std::chrono::milliseconds> TakeMillis(SideOptions& options, const std::string& key,
                                             std::chrono::milliseconds fallback, std::chrono::milliseconds max);

}  // namespace seam
