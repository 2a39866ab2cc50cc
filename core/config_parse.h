#pragma once
// Internal to core/config*.cc: the helpers shared by the top-level loader (config.cc) and the
// per-seam parser (config_seam.cc). Includes toml++, so it must not be included from any public
// header: toml++ is a private dependency of seam_core.

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/status.h"

namespace seam::config_internal {

// What every message and relative path needs to know about the file being parsed.
struct ParseContext {
  std::string file;                // the config path as given, for messages
  std::filesystem::path base_dir;  // its directory; relative paths are resolved against it
  const ConfigSchema* schema = nullptr;
  std::string hook_path = kDefaultHookPath;  // the top-level `hook_path`, for side factories
};

// One key of a table, with the line it was written on.
struct Entry {
  std::string_view key;
  const toml::node* node = nullptr;
  int line = 0;
  int column = 0;
};

int LineOf(const toml::node& node);

// toml::table iterates its keys sorted by name; messages and "declaration order" need the order
// in which they were written, so this sorts them by source position.
std::vector<Entry> InSourceOrder(const toml::table& table);

// "FILE:LINE: SCOPE: MESSAGE" (line omitted when 0, scope omitted when empty), InvalidArgument.
Status Error(const ParseContext& ctx, int line, const std::string& scope,
             const std::string& message);

// "a, b, c"
std::string JoinNames(const std::vector<std::string>& names);

// Reads a string-valued key. Absent: nullopt, or an error at `table_line` when `required`.
Result<std::optional<std::string>> GetString(const ParseContext& ctx, const toml::table& table,
                                             std::string_view key, bool required, int table_line,
                                             const std::string& scope);

// The config text's TOML, or InvalidArgument "FILE:LINE:COLUMN: invalid TOML: …".
Result<toml::table> ParseToml(const ParseContext& ctx, std::string_view text);

// InvalidArgument when a config of `bytes` bytes is over the size limit (16 MiB).
Status CheckSize(const ParseContext& ctx, std::size_t bytes);

// The Config a parsed document describes (top-level keys, [store], [daemon], every seam).
Result<Config> BuildConfig(const ParseContext& ctx, const toml::table& root,
                           const std::filesystem::path& file);

// "30d", "12h", "90m", "45s": a positive whole number and a unit, at most 10 years, in
// microseconds; nullopt for anything else.
std::optional<std::int64_t> ParseDurationUs(const std::string& text);

// The [[notify]] tables (core/config_notify.cc).
Result<std::vector<NotifyConfig>> ParseNotify(const ParseContext& ctx, const toml::table& root,
                                              const std::vector<SeamConfig>& seams);

// The [store] table (core/config_store.cc), with $SEAM_STORE_URL applied.
Result<StoreConfig> ParseStore(const ParseContext& ctx, const toml::table& root);

// One [[seam]] entry, with its sides built through the registry and sorted into `order`.
Result<SeamConfig> ParseSeam(const ParseContext& ctx, const toml::node& node);

}  // namespace seam::config_internal
