#include "plugins/common/probe_options.h"

#include <algorithm>
#include <optional>

namespace seam {

Result<std::size_t> TakeProbeHistory(SideOptions& options) {
  const std::string where = options.Where(options.LineOf("probe_history")) + ": key `probe_history` ";
  const std::string want = "must be a string of digits from 0 to " + std::to_string(kMaxProbeHistory) +
                           " (earlier values tried after the intended one), e.g. probe_history = \"3\"";
  Result<std::optional<std::string>> text = options.TakeString("probe_history", false);
  if (!text.ok()) return Status::InvalidArgument(where + want);
  if (!text->has_value()) return kDefaultProbeHistory;
  const std::string& s = **text;
  if (s.empty() || s.size() > 2 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoul(s) > kMaxProbeHistory) {
    return Status::InvalidArgument(where + want + ", got \"" + s + "\"");
  }
  return static_cast<std::size_t>(std::stoul(s));
}

Result<std::string> TakeProbeField(SideOptions& options) {
  const KindFields& kind = options.kind();
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> given, options.TakeString("field", false));
  if (!given) return kind.primary;
  if (std::find(kind.fields.begin(), kind.fields.end(), *given) == kind.fields.end()) {
    std::string all;
    for (const std::string& f : kind.fields) all += (all.empty() ? "" : ", ") + f;
    return Status::InvalidArgument(options.Where(options.LineOf("field")) + ": key `field` names `" + *given +
                                   "`, but kind `" + kind.kind + "` has no such field; its fields: " + all);
  }
  return *given;
}

}  // namespace seam
