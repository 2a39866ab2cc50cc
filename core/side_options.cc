#include "core/side_options.h"

namespace seam {

std::string SideOptions::Where(int line) const {
  return config_file_ + ":" + std::to_string(line > 0 ? line : table_line_) + ": seam `" + seam_ +
         "` side `" + side_ + "`";
}

Result<std::optional<std::string>> SideOptions::TakeString(const std::string& key, bool required) {
  auto it = values_.find(key);
  if (it == values_.end()) {
    if (required) return Status::InvalidArgument(Where() + ": missing required key `" + key + "`");
    return std::optional<std::string>();
  }
  OptionValue v = std::move(it->second);
  values_.erase(it);
  if (!std::holds_alternative<std::string>(v.value)) {
    return Status::InvalidArgument(Where(v.line) + ": key `" + key + "` must be a string");
  }
  return std::optional<std::string>(std::get<std::string>(std::move(v.value)));
}

Result<std::optional<std::filesystem::path>> SideOptions::TakePath(const std::string& key,
                                                                   bool required) {
  // Remember the key's line before TakeString removes it, so "is empty" points at the key.
  auto it = values_.find(key);
  const int line = it == values_.end() ? 0 : it->second.line;
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> s, TakeString(key, required));
  if (!s) return std::optional<std::filesystem::path>();
  if (s->empty()) return Status::InvalidArgument(Where(line) + ": key `" + key + "` is empty");
  std::filesystem::path p(*s);
  if (p.is_relative()) p = base_dir_ / p;
  return std::optional<std::filesystem::path>(p.lexically_normal());
}

Status SideOptions::RejectUnknown() const {
  if (values_.empty()) return Status::Ok();
  const auto& [key, v] = *values_.begin();
  return Status::InvalidArgument(Where(v.line) + ": unknown key `" + key + "`");
}

}  // namespace seam
