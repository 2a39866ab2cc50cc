#include "plugins/exec/exec_options.h"

#include <algorithm>
#include <set>

#include "plugins/common/argv_option.h"

namespace seam {

namespace {

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
  SEAM_ASSIGN_OR_RETURN(config.timeout, TakeTimeoutMs(options, kExecDefaultTimeout, kExecMaxTimeout));
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
