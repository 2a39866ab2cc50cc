#pragma once
// The options every probing side takes (exec-probe, http-probe): how many earlier values to ask
// about, and which of the kind's fields.

#include <cstddef>
#include <string>

#include "core/side_options.h"
#include "core/status.h"

namespace seam {

inline constexpr std::size_t kDefaultProbeHistory = 3;
inline constexpr std::size_t kMaxProbeHistory = 20;

// `probe_history`: a string of digits from 0 to kMaxProbeHistory; kDefaultProbeHistory when absent.
Result<std::size_t> TakeProbeHistory(SideOptions& options);

// `field`: one of the kind's fields; the primary one when absent.
Result<std::string> TakeProbeField(SideOptions& options);

}  // namespace seam
