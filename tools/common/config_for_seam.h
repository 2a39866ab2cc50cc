#pragma once
// Loading the config for a command about one seam (`seamctl audit SEAM`, `drift SEAM`, `log
// SEAM`, `check SEAM`): only that seam's table is parsed and built when the config index
// (core/config_index.h, kept by the store: store::OpenConfigIndex) knows this exact text; otherwise the
// whole config is parsed, as LoadConfig does.
//
// Those commands only read the index: they write nothing. `seamctl init` and seamd (after its
// start-up pass and after each reload) write it, through UpdateConfigIndex.
//
// The result is a Config holding that one seam (plus [store] and [daemon]). Every error is the
// whole parse's own: a text the index does not vouch for is never judged by its parts.

#include <filesystem>
#include <string>

#include "core/config.h"
#include "core/status.h"

namespace seam {

struct SeamConfigLoad {
  Config config;         // when from the index: [store], [daemon] and seam `name` only
  bool indexed = false;  // true: read through the index
};

// When `name` is not a seam of `file`, the whole config is returned (the caller's FindSeam says
// so). Why the index was not used is logged at debug.
Result<SeamConfigLoad> LoadConfigForSeam(const std::filesystem::path& file, const ConfigSchema& schema,
                                         const std::string& name);

// What UpdateConfigIndex did.
enum class IndexUpdate {
  kWritten,       // the index now holds this text's seams
  kUpToDate,      // it already did: nothing parsed, nothing written
  kNoStateDir,    // the state directory does not exist (yet): nothing written
  kNotSplittable  // the seams do not each sit on lines of their own (see config_split.h)
};
const char* IndexUpdateName(IndexUpdate update);
struct IndexUpdateResult {
  IndexUpdate what = IndexUpdate::kUpToDate;
  std::string detail;  // kNotSplittable: why (naming lines); kWritten: how many seams
};

// Writes the config index for the current text of `file` unless it is already for that text
// (and this seam version: the index is keyed by both).
// A whole parse plus the split's check (about twice LoadConfig) when it writes; a read and a
// hash when it does not. An error (a config that does not load, an index that cannot be
// written) names the file; callers warn and go on, the index being a cache.
Result<IndexUpdateResult> UpdateConfigIndex(const std::filesystem::path& file, const ConfigSchema& schema);

}  // namespace seam
