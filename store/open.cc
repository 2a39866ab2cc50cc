#include "store/open.h"

#include "store/postgres/pg_store.h"
#include "store/sqlite_config_index.h"
#include "store/sqlite_store.h"

namespace seam::store {

Result<std::unique_ptr<Store>> Open(const StoreConfig& config, const OpenOptions& options) {
  // StoreFromUrl accepts only the schemes listed here; a new store is one branch.
  if (config.scheme == "postgresql") {
    PgOpenOptions pg;
    pg.create_if_missing = options.create_if_missing;
    pg.read_only = options.read_only;
    SEAM_ASSIGN_OR_RETURN(std::unique_ptr<PgStore> store, PgStore::Open(config, pg));
    return std::unique_ptr<Store>(std::move(store));
  }
  if (config.scheme != "sqlite") {
    return Status::InvalidArgument("store URL scheme `" + config.scheme +
                                   "` is not one this seam opens (sqlite:PATH, postgresql://USER@HOST/DB)");
  }
  SqliteOpenOptions sqlite;
  sqlite.create_if_missing = options.create_if_missing;
  sqlite.read_only = options.read_only;
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(config, sqlite));
  return std::unique_ptr<Store>(std::move(store));
}

std::unique_ptr<ConfigIndex> OpenConfigIndex(const StoreConfig& config) {
  return std::make_unique<SqliteConfigIndex>(config.state_dir / "config-index.db");
}

}  // namespace seam::store
