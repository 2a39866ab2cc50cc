#pragma once
// Logging set-up for the binaries: spdlog to stderr, level from --log-level, else
// $SEAM_LOG_LEVEL, else "warn". Only tools/ configures sinks and levels.

#include <string>

#include "core/status.h"

namespace seam {

// `level` empty: use $SEAM_LOG_LEVEL or the default. Unknown level names are InvalidArgument.
Status SetUpLogging(const std::string& program, const std::string& level);

}  // namespace seam
