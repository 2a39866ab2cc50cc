#include "tools/demo_gateway/gateway_store.h"

namespace seam::demo {
namespace {

void BindText(sqlite3_stmt* s, int index, const std::optional<std::string>& value) {
  if (value) {
    sqlite3_bind_text(s, index, value->data(), static_cast<int>(value->size()), SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_null(s, index);
  }
}

std::optional<std::string> ColumnText(sqlite3_stmt* s, int column) {
  if (sqlite3_column_type(s, column) == SQLITE_NULL) return std::nullopt;
  const unsigned char* text = sqlite3_column_text(s, column);
  const int size = sqlite3_column_bytes(s, column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

// Resets a cached statement when the scope ends, whatever happened.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* s) : s_(s) {}
  ~ResetOnExit() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* s_;
};

}  // namespace

GatewayStore::GatewayStore(const std::string& path, const std::string& synchronous) {
  if (synchronous != "OFF" && synchronous != "NORMAL" && synchronous != "FULL") {
    throw StoreError("synchronous must be OFF, NORMAL or FULL");
  }
  const int rc = sqlite3_open_v2(path.c_str(), &db_,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    const std::string reason = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    Close();
    throw StoreError("cannot open database " + path + ": " + reason);
  }
  try {
    sqlite3_busy_timeout(db_, 2000);
    // Rollback journal, not WAL: the whole state is in the one file, so `cp gateway.db backup`
    // while the gateway runs is a faithful (if careless) backup, as in the demo story.
    Exec("PRAGMA journal_mode=DELETE");
    Exec("PRAGMA synchronous=" + synchronous);
    Exec(
        "CREATE TABLE IF NOT EXISTS pairings("
        "device TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL, gateway_url TEXT, paired_at TEXT)");
    get_ = Prepare(
        "SELECT device, token_sha256, gateway_url, paired_at FROM pairings WHERE device = ?1");
    put_ = Prepare(
        "INSERT INTO pairings(device, token_sha256, gateway_url, paired_at) VALUES(?1, ?2, ?3, ?4) "
        "ON CONFLICT(device) DO UPDATE SET token_sha256 = excluded.token_sha256, "
        "gateway_url = excluded.gateway_url, paired_at = excluded.paired_at");
    remove_ = Prepare("DELETE FROM pairings WHERE device = ?1");
  } catch (...) {
    Close();
    throw;
  }
}

GatewayStore::~GatewayStore() { Close(); }

void GatewayStore::Close() noexcept {
  for (sqlite3_stmt* s : {get_, put_, remove_}) sqlite3_finalize(s);
  get_ = put_ = remove_ = nullptr;
  sqlite3_close(db_);
  db_ = nullptr;
}

void GatewayStore::Fail(const std::string& what) const {
  throw StoreError(what + ": " + sqlite3_errmsg(db_));
}

sqlite3_stmt* GatewayStore::Prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    Fail("database prepare");
  }
  return stmt;
}

void GatewayStore::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string reason = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    throw StoreError("database: " + reason);
  }
}

std::optional<Pairing> GatewayStore::Get(const std::string& device) {
  ResetOnExit reset(get_);
  BindText(get_, 1, device);
  const int rc = sqlite3_step(get_);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) Fail("database read");
  Pairing p;
  p.device = ColumnText(get_, 0).value_or("");
  p.token_sha256 = ColumnText(get_, 1).value_or("");
  p.gateway_url = ColumnText(get_, 2);
  p.paired_at = ColumnText(get_, 3);
  return p;
}

void GatewayStore::Put(const Pairing& pairing) {
  ResetOnExit reset(put_);
  BindText(put_, 1, pairing.device);
  BindText(put_, 2, pairing.token_sha256);
  BindText(put_, 3, pairing.gateway_url);
  BindText(put_, 4, pairing.paired_at);
  if (sqlite3_step(put_) != SQLITE_DONE) Fail("database write");
}

bool GatewayStore::Remove(const std::string& device) {
  ResetOnExit reset(remove_);
  BindText(remove_, 1, device);
  if (sqlite3_step(remove_) != SQLITE_DONE) Fail("database write");
  return sqlite3_changes(db_) > 0;
}

void GatewayStore::Begin() { Exec("BEGIN IMMEDIATE"); }
void GatewayStore::Commit() { Exec("COMMIT"); }
void GatewayStore::Rollback() noexcept {
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace seam::demo
