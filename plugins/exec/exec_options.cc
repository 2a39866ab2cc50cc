#include "plugins/exec/exec_options.h"

#include <algorithm>
#include <set>

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

// `fields`: which of the kind's fields the programs exchange, in the kind's order.
Result<ExecFields> TakeFields(SideOptions& options) {
  const KindFields& kind = options.kind();
  SEAM_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> given,
                        options.TakeStringList("fields", false));
  ExecFields out;
  if (!given) {
    out.names = {kind.primary};
    out.single = true;
    return out;
  }
  std::string all;
  for (const std::string& f : kind.fields) all += (all.empty() ? "" : ", ") + f;
  const std::string where = options.Where(options.LineOf("fields")) + ": key `fields` ";
  if (given->empty()) {
    return Status::InvalidArgument(where + "is empty; list the fields of kind `" + kind.kind +
                                   "` the programs exchange: " + all);
  }
  std::set<std::string> seen;
  for (const std::string& name : *given) {
    if (std::find(kind.fields.begin(), kind.fields.end(), name) == kind.fields.end()) {
      return Status::InvalidArgument(where + "names `" + name + "`, but kind `" + kind.kind +
                                     "` has no such field; its fields: " + all);
    }
    if (!seen.insert(name).second) return Status::InvalidArgument(where + "lists `" + name + "` twice");
  }
  out.names.clear();
  for (const std::string& f : kind.fields) {
    if (seen.count(f) != 0) out.names.push_back(f);
  }
  out.single = out.names.size() == 1 && out.names.front() == kind.primary;
  return out;
}

}  // namespace

Result<ExecSideConfig> ParseExecOptions(SideOptions& options) {
  ExecSideConfig config;
  SEAM_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> read, TakeArgv(options, "read", true));
  SEAM_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> write, TakeArgv(options, "write", true));
  SEAM_ASSIGN_OR_RETURN(config.remove, TakeArgv(options, "remove", false));
  SEAM_ASSIGN_OR_RETURN(config.timeout, TakeTimeout(options));
  SEAM_ASSIGN_OR_RETURN(std::optional<std::filesystem::path> cwd, options.TakePath("cwd", false));
  SEAM_ASSIGN_OR_RETURN(config.fields, TakeFields(options));
  SEAM_RETURN_IF_ERROR(options.RejectUnknown());
  config.read = std::move(*read);
  config.write = std::move(*write);
  config.cwd = cwd ? std::move(*cwd) : options.base_dir();
  // A config named without a directory (`seam.toml`) has an empty base: the current one.
  if (config.cwd.empty()) config.cwd = ".";
  config.seam = options.seam();
  config.side = options.side();
  config.path = options.hook_path();
  return config;
}

}  // namespace seam
