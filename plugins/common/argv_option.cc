#include "plugins/common/argv_option.h"

#include <algorithm>

namespace seam {

Result<std::optional<std::vector<std::string>>> TakeArgv(SideOptions& options,
                                                         const std::string& key, bool required) {
  SEAM_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> argv,
                        options.TakeStringList(key, required));
  if (!argv) return argv;
  const std::string where = options.Where(options.LineOf(key)) + ": key `" + key + "` ";
  if (argv->empty() || argv->front().empty()) {
    return Status::InvalidArgument(where + "must name a program and its arguments, e.g. " + key +
                                   " = [\"/usr/local/bin/vault-get\", \"device-42\"]");
  }
  const bool has_nul = std::any_of(argv->begin(), argv->end(), [](const std::string& a) {
    return a.find('\0') != std::string::npos;
  });
  if (has_nul) return Status::InvalidArgument(where + "contains a NUL character");
  return argv;
}

Result<std::chrono::milliseconds> TakeMillis(SideOptions& options, const std::string& key,
                                             std::chrono::milliseconds fallback, std::chrono::milliseconds max) {
  const std::string where = options.Where(options.LineOf(key)) + ": key `" + key + "` ";
  const std::string want = "must be a string of digits from 1 to " + std::to_string(max.count()) + ", e.g. " + key +
                           " = \"" + std::to_string(fallback.count()) + "\"";
  Result<std::optional<std::string>> text = options.TakeString(key, false);
  if (!text.ok()) return Status::InvalidArgument(where + want);  // e.g. given as a TOML integer
  if (!text->has_value()) return fallback;
  const std::string& s = **text;
  if (s.empty() || s.size() > 7 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument(where + want + ", got \"" + s + "\"");
  }
  const std::chrono::milliseconds ms{std::stoll(s)};
  if (ms.count() < 1 || ms > max) return Status::InvalidArgument(where + want + ", got \"" + s + "\"");
  return ms;
}

Result<std::chrono::milliseconds> TakeTimeoutMs(SideOptions& options, std::chrono::milliseconds fallback,
                                                std::chrono::milliseconds max) {
  return TakeMillis(options, "timeout_ms", fallback, max);
}

}  // namespace seam
