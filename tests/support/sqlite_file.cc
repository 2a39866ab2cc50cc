#include "tests/support/sqlite_file.h"

#include <sqlite3.h>

namespace seam::testing {

std::string ExecSqlite(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* conn = nullptr;
  if (sqlite3_open(db.c_str(), &conn) != SQLITE_OK) {
    const std::string msg = conn ? sqlite3_errmsg(conn) : "cannot open";
    sqlite3_close(conn);
    return db.string() + ": " + msg;
  }
  char* err = nullptr;
  const int rc = sqlite3_exec(conn, sql.c_str(), nullptr, nullptr, &err);
  const std::string msg = rc == SQLITE_OK ? "" : (err ? err : "failed");
  sqlite3_free(err);
  sqlite3_close(conn);
  return msg;
}

}  // namespace seam::testing
