#pragma once
// store::Open: the one place a tool gets a Store (core/store.h) from, by the `[store]` table's
// URL (core/config.h StoreConfig). Tools never name an implementation.

#include <memory>

#include "core/config.h"
#include "core/config_index.h"
#include "core/store.h"

namespace seam::store {

struct OpenOptions {
  // Create and initialise an empty log (`seamctl init`); otherwise a missing log is NotFound
  // ("no event log at …; run `seamctl init`").
  bool create_if_missing = false;
  // Read commands (check, log, verify, audit): never write the log; Append is refused.
  bool read_only = false;
};

// Opens the store `config` names. The refusals are the implementation's, each one line naming
// the file or URL (not a log, another application's, a newer schema, locked past the wait).
Result<std::unique_ptr<Store>> Open(const StoreConfig& config, const OpenOptions& options = {});

// The config index of this host (<state_dir>/config-index.db). Opening it touches nothing: the
// file is read or written by the calls.
std::unique_ptr<ConfigIndex> OpenConfigIndex(const StoreConfig& config);

}  // namespace seam::store
