// The [store] table of seam.toml and the store URL (core/config.h StoreConfig).

#include <cstdlib>

#include "core/config.h"
#include "core/config_parse.h"

namespace seam {
namespace {

using config_internal::Entry;
using config_internal::Error;
using config_internal::ParseContext;

constexpr char kDefaultLog[] = ".seam/events.db";
constexpr char kSqlitePrefix[] = "sqlite:";

std::filesystem::path Resolve(const std::filesystem::path& p, const std::filesystem::path& base_dir) {
  return (p.is_relative() ? base_dir / p : p).lexically_normal();
}

// A non-empty string key of [store], resolved as a path; nullopt when absent.
Result<std::optional<std::filesystem::path>> PathKey(const ParseContext& ctx, const toml::table& table,
                                                     std::string_view key, int table_line) {
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> value,
                        config_internal::GetString(ctx, table, key, false, table_line, "store"));
  if (!value) return std::optional<std::filesystem::path>();
  if (value->empty()) {
    return Error(ctx, config_internal::LineOf(*table.get(key)), "store", "key `" + std::string(key) + "` is empty");
  }
  return std::optional<std::filesystem::path>(Resolve(*value, ctx.base_dir));
}

}  // namespace

Result<StoreConfig> StoreFromUrl(const std::string& url, const std::filesystem::path& base_dir) {
  const std::size_t colon = url.find(':');
  // Only the scheme is ever echoed: a database URL may carry a password.
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("store URL has no scheme; write sqlite:PATH");
  }
  const std::string scheme = url.substr(0, colon);
  if (scheme == "postgresql" || scheme == "postgres") {
    if (url.compare(colon, 3, "://") != 0) {
      return Status::InvalidArgument("store URL `" + scheme + ":…` is not a PostgreSQL URI; write " + scheme +
                                     "://USER@HOST/DB");
    }
    StoreConfig store;
    store.scheme = "postgresql";
    store.url = url;
    store.state_dir = Resolve(".seam", base_dir);
    store.key_path = (store.state_dir / "key").lexically_normal();
    return store;
  }
  if (url.compare(0, sizeof kSqlitePrefix - 1, kSqlitePrefix) != 0) {
    return Status::InvalidArgument("store URL scheme `" + scheme.substr(0, 32) +
                                   "` is not one this seam opens (sqlite:PATH, postgresql://USER@HOST/DB)");
  }
  const std::string path = url.substr(sizeof kSqlitePrefix - 1);
  if (path.empty()) return Status::InvalidArgument("store URL `sqlite:` names no file; write sqlite:PATH");
  if (path.rfind("//", 0) == 0) {
    // sqlite://host/… has no meaning for a file; sqlite:///abs would silently be "//abs".
    return Status::InvalidArgument("store URL `sqlite://…` has a host part; write sqlite:PATH (sqlite:/var/lib/seam/events.db, "
                                   "or a path relative to the config file)");
  }
  StoreConfig store;
  store.scheme = "sqlite";
  store.db_path = Resolve(path, base_dir);
  store.url = kSqlitePrefix + store.db_path.string();
  store.state_dir = store.db_path.parent_path();
  if (store.state_dir.empty()) store.state_dir = ".";
  store.key_path = (store.state_dir / "key").lexically_normal();
  return store;
}

Result<StoreConfig> config_internal::ParseStore(const ParseContext& ctx, const toml::table& root) {
  std::string url = kSqlitePrefix + std::string(kDefaultLog);
  std::optional<std::filesystem::path> key_file;
  std::optional<std::filesystem::path> state_dir;
  std::optional<std::filesystem::path> password_file;
  int password_file_line = 0;
  int url_line = 0;
  if (const toml::node* node = root.get("store")) {
    const int line = LineOf(*node);
    const toml::table* table = node->as_table();
    if (table == nullptr) return Error(ctx, line, "", "key `store` must be a table ([store])");
    for (const Entry& e : InSourceOrder(*table)) {
      if (e.key != "path" && e.key != "url" && e.key != "key_file" && e.key != "state_dir" &&
          e.key != "password_file") {
        return Error(ctx, e.line, "store",
                     "unknown key `" + std::string(e.key) +
                         "` (known: url, path, key_file, state_dir, password_file)");
      }
    }
    SEAM_ASSIGN_OR_RETURN(std::optional<std::string> path, GetString(ctx, *table, "path", false, line, "store"));
    SEAM_ASSIGN_OR_RETURN(std::optional<std::string> given_url, GetString(ctx, *table, "url", false, line, "store"));
    if (path && given_url) {
      return Error(ctx, LineOf(*table->get("url")), "store",
                   "keys `url` and `path` both name the event log (line " +
                       std::to_string(LineOf(*table->get("path"))) + "); keep one");
    }
    if (path) {
      if (path->empty()) return Error(ctx, LineOf(*table->get("path")), "store", "key `path` is empty");
      url = kSqlitePrefix + *path;
    }
    if (given_url) {
      url = *given_url;
      url_line = LineOf(*table->get("url"));
    }
    SEAM_ASSIGN_OR_RETURN(key_file, PathKey(ctx, *table, "key_file", line));
    SEAM_ASSIGN_OR_RETURN(state_dir, PathKey(ctx, *table, "state_dir", line));
    SEAM_ASSIGN_OR_RETURN(password_file, PathKey(ctx, *table, "password_file", line));
    if (password_file) password_file_line = LineOf(*table->get("password_file"));
  }
  const char* env = std::getenv("SEAM_STORE_URL");
  const bool from_env = env != nullptr && *env != '\0';
  Result<StoreConfig> store = StoreFromUrl(from_env ? std::string(env) : url, ctx.base_dir);
  if (!store.ok() && from_env) return Status::InvalidArgument("$SEAM_STORE_URL: " + store.status().message());
  if (!store.ok()) return Error(ctx, url_line, "store", "key `url`: " + store.status().message());
  if (state_dir) {
    // A database store's default key file lives in its state directory, and follows it; a file
    // store's sits beside the log file whatever the state directory.
    if (store->scheme == "postgresql") store->key_path = (*state_dir / "key").lexically_normal();
    store->state_dir = *state_dir;
  }
  if (key_file) store->key_path = *key_file;
  if (password_file) {
    if (store->scheme != "postgresql") {
      return Error(ctx, password_file_line, "store", "key `password_file` is for a postgresql:// store (this one is " +
                                                         store->scheme + ")");
    }
    store->password_file = *password_file;
  }
  return store;
}

}  // namespace seam
