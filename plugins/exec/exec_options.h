#pragma once
// The exec side's config keys, parsed from a `[seam.sides.NAME]` table (plugin = "exec"):
//   read        required; argv list: ["/usr/local/bin/vault-get", "device-42"]
//   write       required; argv list
//   remove      optional; argv list (without it, Remove runs `write` with {"value": null})
//   timeout_ms  optional; a string of digits, 1 to 600000 (default "5000"), for each run
//   cwd         optional; the programs' working directory (default: the config file's dir)
//   fields      optional; list of the kind's fields the programs exchange, e.g.
//               ["device_id", "token"] (each a field of the seam's kind, once; default: the
//               kind's primary field alone). See exec_protocol.h for the two forms.
// Internal to plugins/exec; no I/O.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/side_options.h"
#include "core/status.h"
#include "plugins/exec/exec_protocol.h"

namespace seam {

inline constexpr std::chrono::milliseconds kExecDefaultTimeout{5000};
inline constexpr std::chrono::milliseconds kExecMaxTimeout{600000};

struct ExecSideConfig {
  std::vector<std::string> read;
  std::vector<std::string> write;
  std::optional<std::vector<std::string>> remove;
  std::chrono::milliseconds timeout = kExecDefaultTimeout;
  std::filesystem::path cwd;
  ExecFields fields;
  std::string seam;  // for SEAM_SEAM in the programs' environment
  std::string side;  // for SEAM_SIDE
  std::string path = kDefaultHookPath;  // the programs' PATH: the config's `hook_path`
};

// Takes every key above, then rejects unknown ones.
Result<ExecSideConfig> ParseExecOptions(SideOptions& options);

}  // namespace seam
