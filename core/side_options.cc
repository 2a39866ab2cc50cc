#include "core/side_options.h"

#include <algorithm>
#include <vector>

namespace seam {
namespace {

// Levenshtein distance; keys are short, so the quadratic table is fine.
std::size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string SideOptions::Where(int line) const {
  return config_file_ + ":" + std::to_string(line > 0 ? line : table_line_) + ": seam `" + seam_ +
         "` side `" + side_ + "`";
}

Result<std::optional<std::string>> SideOptions::TakeString(const std::string& key, bool required) {
  auto it = values_.find(key);
  if (it == values_.end()) {
    if (required) {
      // A misspelt key is the usual cause: point at a given key that is one or two edits away.
      std::string hint;
      for (const auto& [k, v] : values_) {
        // Short keys are all close to each other (`port` and `host`): one edit for those.
        if (EditDistance(k, key) <= (key.size() <= 4 ? 1u : 2u)) {
          hint = " (is `" + k + "` on line " + std::to_string(v.line) + " a misspelling?)";
          break;
        }
      }
      return Status::InvalidArgument(Where() + ": missing required key `" + key + "`" + hint);
    }
    return std::optional<std::string>();
  }
  OptionValue v = std::move(it->second);
  values_.erase(it);
  taken_lines_[key] = v.line;
  if (!std::holds_alternative<std::string>(v.value)) {
    return Status::InvalidArgument(Where(v.line) + ": key `" + key + "` must be a string");
  }
  return std::optional<std::string>(std::get<std::string>(std::move(v.value)));
}

Result<std::optional<std::int64_t>> SideOptions::TakeInteger(const std::string& key, std::int64_t min,
                                                              std::int64_t max) {
  auto it = values_.find(key);
  if (it == values_.end()) return std::optional<std::int64_t>();
  OptionValue v = std::move(it->second);
  values_.erase(it);
  taken_lines_[key] = v.line;
  const std::int64_t* n = std::get_if<std::int64_t>(&v.value);
  if (n == nullptr || *n < min || *n > max) {
    return Status::InvalidArgument(Where(v.line) + ": key `" + key + "` must be an integer from " + std::to_string(min) +
                                   " to " + std::to_string(max));
  }
  return std::optional<std::int64_t>(*n);
}

Result<std::optional<std::filesystem::path>> SideOptions::TakePath(const std::string& key,
                                                                   bool required) {
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> s, TakeString(key, required));
  if (!s) return std::optional<std::filesystem::path>();
  const int line = LineOf(key);
  if (s->empty()) return Status::InvalidArgument(Where(line) + ": key `" + key + "` is empty");
  // A NUL would silently cut the path short for the OS; other control bytes are never meant.
  for (const char c : *s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(Where(line) + ": key `" + key + "` contains a control character");
    }
  }
  std::filesystem::path p(*s);
  if (p.is_relative()) p = base_dir_ / p;
  return std::optional<std::filesystem::path>(p.lexically_normal());
}

Result<std::optional<std::vector<std::string>>> SideOptions::TakeStringList(const std::string& key,
                                                                           bool required) {
  using List = std::vector<std::string>;
  auto it = values_.find(key);
  if (it == values_.end()) {
    // Absent: TakeString reports it exactly as for a string (with the misspelling hint).
    SEAM_RETURN_IF_ERROR(TakeString(key, required).status());
    return std::optional<List>();
  }
  OptionValue v = std::move(it->second);
  values_.erase(it);
  taken_lines_[key] = v.line;
  if (!std::holds_alternative<List>(v.value)) {
    return Status::InvalidArgument(Where(v.line) + ": key `" + key + "` must be a list of strings");
  }
  return std::optional<List>(std::get<List>(std::move(v.value)));
}

Result<std::vector<FieldPlace>> SideOptions::TakeFieldMap(const std::string& shorthand) {
  std::map<std::string, FieldPlace> placed;
  if (auto it = values_.find("fields"); it != values_.end()) {
    OptionValue v = std::move(it->second);
    values_.erase(it);
    taken_lines_["fields"] = v.line;
    if (!std::holds_alternative<StringTable>(v.value)) {
      return Status::InvalidArgument(Where(v.line) +
                                     ": key `fields` must be a table of field = \"place\" strings");
    }
    for (TableItem& item : std::get<StringTable>(v.value)) {
      const auto& known = kind_.fields;
      if (std::find(known.begin(), known.end(), item.key) == known.end()) {
        std::string list;
        for (const std::string& f : known) list += (list.empty() ? "" : ", ") + f;
        return Status::InvalidArgument(Where(item.line) + ": `fields." + item.key +
                                       "`: kind `" + kind_.kind + "` has no field `" + item.key +
                                       "`; its fields: " + list);
      }
      if (item.value.empty()) {
        return Status::InvalidArgument(Where(item.line) + ": `fields." + item.key + "` is empty");
      }
      placed[item.key] = FieldPlace{item.key, std::move(item.value), item.line, "fields." + item.key};
    }
  }
  const int fields_line = LineOf("fields");
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> primary,
                        TakeString(shorthand, placed.empty()));
  if (primary) {
    const int line = LineOf(shorthand);
    if (placed.count(kind_.primary) != 0) {
      return Status::InvalidArgument(Where(line) + ": key `" + shorthand + "` places field `" +
                                     kind_.primary + "`, which `fields` (line " +
                                     std::to_string(fields_line) + ") places too; keep one");
    }
    if (primary->empty()) {
      return Status::InvalidArgument(Where(line) + ": key `" + shorthand + "` is empty");
    }
    placed[kind_.primary] = FieldPlace{kind_.primary, std::move(*primary), line, shorthand};
  }
  std::vector<FieldPlace> out;
  for (const std::string& f : kind_.fields) {
    if (auto it = placed.find(f); it != placed.end()) out.push_back(std::move(it->second));
  }
  return out;
}

Status SideOptions::RejectUnknown() const {
  if (values_.empty()) return Status::Ok();
  const auto& [key, v] = *values_.begin();
  return Status::InvalidArgument(Where(v.line) + ": unknown key `" + key + "`");
}

int SideOptions::LineOf(const std::string& key) const {
  if (auto it = values_.find(key); it != values_.end()) return it->second.line;
  if (auto it = taken_lines_.find(key); it != taken_lines_.end()) return it->second;
  return table_line_;
}

}  // namespace seam
