#pragma once
// The demo gateway's own SQLite database: one table of paired devices. Tokens are stored only as
// lower-case hex SHA-256. Every request reads the database afresh (no cache), so a value written
// by another program (seam's sqlite-row side, a restore) is what the next request sees.

#include <sqlite3.h>

#include <optional>
#include <stdexcept>
#include <string>

namespace seam::demo {

struct Pairing {
  std::string device;
  std::string token_sha256;
  std::optional<std::string> gateway_url;
  std::optional<std::string> paired_at;
};

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class GatewayStore {
 public:
  // Opens (creating if needed) the database and the `pairings` table. Throws StoreError.
  // `synchronous`: SQLite's PRAGMA synchronous (OFF, NORMAL or FULL).
  explicit GatewayStore(const std::string& path, const std::string& synchronous = "FULL");
  ~GatewayStore();
  GatewayStore(const GatewayStore&) = delete;
  GatewayStore& operator=(const GatewayStore&) = delete;

  std::optional<Pairing> Get(const std::string& device);
  void Put(const Pairing& pairing);        // insert or replace
  bool Remove(const std::string& device);  // false when absent

  // BEGIN IMMEDIATE / COMMIT / ROLLBACK: a read-compare-write (If-Match) is one transaction, so
  // another process writing the same database cannot slip in between.
  void Begin();
  void Commit();
  void Rollback() noexcept;

 private:
  void Exec(const std::string& sql);
  sqlite3_stmt* Prepare(const char* sql);
  [[noreturn]] void Fail(const std::string& what) const;
  void Close() noexcept;

  sqlite3* db_ = nullptr;
  // Prepared once, reset after each use: every request runs one of these.
  sqlite3_stmt* get_ = nullptr;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* remove_ = nullptr;
};

// RAII transaction: rolls back unless Commit() was called.
class StoreTransaction {
 public:
  explicit StoreTransaction(GatewayStore& store) : store_(store) { store_.Begin(); }
  ~StoreTransaction() {
    if (!done_) store_.Rollback();
  }
  StoreTransaction(const StoreTransaction&) = delete;
  StoreTransaction& operator=(const StoreTransaction&) = delete;
  void Commit() {
    store_.Commit();
    done_ = true;
  }

 private:
  GatewayStore& store_;
  bool done_ = false;
};

}  // namespace seam::demo
