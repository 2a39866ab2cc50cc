#include "plugins/exec/exec_options.h"

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

namespace {

Result<std::chrono::milliseconds> TakeTimeout(SideOptions& options) {
  const std::string where = options.Where(options.LineOf("timeout_ms")) + ": key `timeout_ms` ";
  const std::string want = "must be a string of digits from 1 to " +
                           std::to_string(kExecMaxTimeout.count()) + ", e.g. timeout_ms = \"5000\"";
  Result<std::optional<std::string>> text = options.TakeString("timeout_ms", false);
  if (!text.ok()) return Status::InvalidArgument(where + want);  // e.g. given as a TOML integer
  if (!text->has_value()) return kExecDefaultTimeout;
  const std::string& s = **text;
  if (s.empty() || s.size() > 7 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument(where + want + ", got \"" + s + "\"");
  }
  const std::chrono::milliseconds ms{std::stoll(s)};
  if (ms.count() < 1 || ms > kExecMaxTimeout) {
    return Status::InvalidArgument(where + want + ", got \"" + s + "\"");
  }
  return ms;
}

}  // namespace

Result<ExecSideConfig> ParseExecOptions(SideOptions& options) {
  ExecSideConfig config;
  SEAM_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> read, TakeArgv(options, "read", true));
  SEAM_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> write, TakeArgv(options, "write", true));
  SEAM_ASSIGN_OR_RETURN(config.remove, TakeArgv(options, "remove", false));
  SEAM_ASSIGN_OR_RETURN(config.timeout, TakeTimeout(options));
  SEAM_ASSIGN_OR_RETURN(std::optional<std::filesystem::path> cwd, options.TakePath("cwd", false));
  SEAM_RETURN_IF_ERROR(options.RejectUnknown());
  config.read = std::move(*read);
  config.write = std::move(*write);
  config.cwd = cwd ? std::move(*cwd) : options.base_dir();
  config.seam = options.seam();
  config.side = options.side();
  return config;
}

}  // namespace seam
