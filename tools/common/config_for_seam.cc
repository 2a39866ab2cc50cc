#include "tools/common/config_for_seam.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <utility>

#include "core/config_split.h"
#include "core/crypto.h"
#include "store/sqlite_config_index.h"

namespace seam {
namespace {

// Seam `name` alone, when the index vouches for this text; nullopt (logged at debug) otherwise.
std::optional<Config> FromIndex(const std::filesystem::path& file, const ConfigSchema& schema, const std::string& text,
                                const std::string& sha256, const std::vector<LineRange>& runs, const StoreConfig& store,
                                const std::string& name) {
  const std::filesystem::path index = ConfigIndexPath(store);
  Result<std::optional<LineRange>> found = FindIndexedSeam(index, sha256, name);
  if (!found.ok()) {
    spdlog::debug("{}; parsing the whole config", found.status().message());
    return std::nullopt;
  }
  if (!found->has_value()) {
    spdlog::debug("config index {} has no seam `{}` for this text of {}; parsing the whole config", index.string(),
                  name, file.string());
    return std::nullopt;
  }
  const LineRange lines = **found;
  Result<Config> one = ParseConfigSubset(text, file, schema, runs, &lines);
  if (!one.ok() || one->seams.size() != 1 || one->seams.front().name != name) {
    spdlog::debug("config index {} does not fit {}; parsing the whole config", index.string(), file.string());
    return std::nullopt;
  }
  spdlog::debug("config {}: seam `{}` from lines {}-{} (config index {})", file.string(), name, lines.first,
                lines.end - 1, index.string());
  return std::move(*one);
}

}  // namespace

std::filesystem::path ConfigIndexPath(const StoreConfig& store) { return store.state_dir / "config-index.db"; }

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
    if (std::optional<Config> one = FromIndex(file, schema, text, Sha256Hex(text), runs, outside->store, name)) {
      return SeamConfigLoad{std::move(*one), true};
    }
  }
  SEAM_ASSIGN_OR_RETURN(Config config, ParseConfig(text, file, schema));
  return SeamConfigLoad{std::move(config), false};
}

Result<IndexUpdate> UpdateConfigIndex(const std::filesystem::path& file, const ConfigSchema& schema) {
  SEAM_ASSIGN_OR_RETURN(std::string text, ReadConfigText(file));
  const std::string sha256 = Sha256Hex(text);
  const std::vector<LineRange> runs = SeamRuns(text);
  if (Result<Config> outside = ParseConfigSubset(text, file, schema, runs, nullptr); outside.ok()) {
    Result<bool> current = IndexIsFor(ConfigIndexPath(outside->store), sha256);
    if (current.ok() && *current) return IndexUpdate::kUpToDate;
  }
  SEAM_ASSIGN_OR_RETURN(SplitConfig split, ParseConfigAndSplit(text, file, schema));
  std::error_code ec;
  if (!std::filesystem::is_directory(split.config.store.state_dir, ec)) return IndexUpdate::kNoStateDir;
  if (split.seams.empty()) return IndexUpdate::kNotSplittable;
  SEAM_RETURN_IF_ERROR(WriteConfigIndex(ConfigIndexPath(split.config.store), sha256, split.seams));
  return IndexUpdate::kWritten;
}

}  // namespace seam
