#include "tools/common/config_for_seam.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <utility>

#include "core/config_split.h"
#include "core/crypto.h"
#include "store/open.h"

namespace seam {
namespace {

// Bumped whenever the split or its check changes (core/config_split.cc), so that an index a
// different rule checked is never read.
constexpr int kSplitFormat = 1;

// What the index is keyed by: the text, and what judged it (the split's rules, this seam's
// version, the kinds and plugins it knows). An index another seamd or seamctl wrote, one that
// checks differently, is then a miss rather than a vouching for a text this one never checked.
std::string IndexKey(const std::string& text, const ConfigSchema& schema) {
  std::string judge = "seam-config-index/" + std::to_string(kSplitFormat) + " seam " SEAM_VERSION "; kinds";
  for (const KindFields& kind : schema.kinds) judge += " " + kind.kind;
  judge += "; plugins";
  if (schema.sides != nullptr) {
    for (const std::string& plugin : schema.sides->Names()) judge += " " + plugin;
  }
  return Sha256Hex(judge) + Sha256Hex(text);  // two hashes: no copy of a 2.5 MB text
}

// Seam `name` alone, when the index vouches for this text; nullopt (logged at debug) otherwise.
std::optional<Config> FromIndex(const std::filesystem::path& file, const ConfigSchema& schema, const std::string& text,
                                const std::string& key, const std::vector<LineRange>& runs, const StoreConfig& store,
                                const std::string& name) {
  const std::unique_ptr<ConfigIndex> opened = store::OpenConfigIndex(store);
  const std::string index = opened->Describe();
  Result<std::optional<LineRange>> found = opened->Find(key, name);
  if (!found.ok()) {
    spdlog::debug("{}; parsing the whole config", found.status().message());
    return std::nullopt;
  }
  if (!found->has_value()) {
    spdlog::debug("config index {} has no seam `{}` for this text of {}; parsing the whole config", index,
                  name, file.string());
    return std::nullopt;
  }
  const LineRange lines = **found;
  Result<Config> one = ParseConfigSubset(text, file, schema, runs, &lines);
  if (!one.ok() || one->seams.size() != 1 || one->seams.front().name != name) {
    spdlog::debug("config index {}: lines {}-{} of {} are not seam `{}`{}; parsing the whole config", index,
                  lines.first, lines.end - 1, file.string(), name,
                  one.ok() ? std::string() : " (" + one.status().message() + ")");
    return std::nullopt;
  }
  spdlog::debug("config {}: seam `{}` from lines {}-{} (config index {})", file.string(), name, lines.first,
                lines.end - 1, index);
  return std::move(*one);
}

}  // namespace

const char* IndexUpdateName(IndexUpdate update) {
  switch (update) {
    case IndexUpdate::kWritten: return "written";
    case IndexUpdate::kUpToDate: return "up to date";
    case IndexUpdate::kNoStateDir: return "no state directory";
    case IndexUpdate::kNotSplittable: return "seams not on lines of their own";
  }
  return "?";
}

Result<SeamConfigLoad> LoadConfigForSeam(const std::filesystem::path& file, const ConfigSchema& schema,
                                         const std::string& name) {
  SEAM_ASSIGN_OR_RETURN(std::string text, ReadConfigText(file));
  const std::vector<LineRange> runs = SeamRuns(text);
  // [store] first (where the index is), from the lines outside every seam: cheap whatever the
  // seam count. If even that does not parse, the whole parse below says why.
  if (Result<Config> outside = ParseConfigSubset(text, file, schema, runs, nullptr); outside.ok()) {
    if (std::optional<Config> one = FromIndex(file, schema, text, IndexKey(text, schema), runs, outside->store, name)) {
      return SeamConfigLoad{std::move(*one), true};
    }
  }
  SEAM_ASSIGN_OR_RETURN(Config config, ParseConfig(text, file, schema));
  return SeamConfigLoad{std::move(config), false};
}

Result<IndexUpdateResult> UpdateConfigIndex(const std::filesystem::path& file, const ConfigSchema& schema) {
  SEAM_ASSIGN_OR_RETURN(std::string text, ReadConfigText(file));
  const std::string key = IndexKey(text, schema);
  const std::vector<LineRange> runs = SeamRuns(text);
  if (Result<Config> outside = ParseConfigSubset(text, file, schema, runs, nullptr); outside.ok()) {
    Result<bool> current = store::OpenConfigIndex(outside->store)->IsFor(key);
    if (current.ok() && *current) return IndexUpdateResult{IndexUpdate::kUpToDate, ""};
  }
  SEAM_ASSIGN_OR_RETURN(SplitConfig split, ParseConfigAndSplit(text, file, schema));
  std::error_code ec;
  if (!std::filesystem::is_directory(split.config.store.state_dir, ec)) {
    return IndexUpdateResult{IndexUpdate::kNoStateDir, split.config.store.state_dir.string()};
  }
  if (split.seams.empty()) return IndexUpdateResult{IndexUpdate::kNotSplittable, split.why_not_split};
  SEAM_RETURN_IF_ERROR(store::OpenConfigIndex(split.config.store)->Write(key, split.seams));
  return IndexUpdateResult{IndexUpdate::kWritten, std::to_string(split.seams.size()) + " seams"};
}

}  // namespace seam
