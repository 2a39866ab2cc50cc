#pragma once
// Shared by the sqlite-row suites: "another program" that owns a SQLite database and edits it with
// the sqlite3 C API directly, and a fixture that builds sqlite-row sides pointing at it.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/side.h"
#include "core/side_options.h"
#include "plugins/sqlite_row/sqlite_row_side.h"
#include "tests/support/records.h"
#include "tests/support/temp_dir.h"

namespace seam::testing {

inline constexpr char kSecret[] = "s3cret-token-value";
inline constexpr char kOtherSecret[] = "0ther-device-secret";

inline bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// A connection of the program that owns the database (it may create it).
class OtherProgram {
 public:
  explicit OtherProgram(const std::filesystem::path& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db_);
    }
  }
  ~OtherProgram() { sqlite3_close_v2(db_); }
  OtherProgram(const OtherProgram&) = delete;
  OtherProgram& operator=(const OtherProgram&) = delete;

  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (err ? err : "?");
    }
    sqlite3_free(err);
  }
  // The first column of the first row as text; nullopt when there is no row or it is NULL.
  std::optional<std::string> Text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return std::nullopt;
    }
    std::optional<std::string> out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return out;
  }
  // The token of `device`, read the way the gateway would.
  std::optional<std::string> Token(const std::string& device) {
    return Text("SELECT token_sha256 FROM pairings WHERE device_id = '" + device + "'");
  }
  std::string Count(const std::string& table) { return Text("SELECT count(*) FROM " + table).value_or("?"); }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteRowTest : public ::testing::Test {
 protected:
  using Keys = std::map<std::string, std::string>;

  std::filesystem::path Db() const { return dir_ / "gateway.db"; }
  std::string Shown() const { return Db().string(); }

  // The gateway's database: device-42 holds kSecret, device-7 kOtherSecret.
  void CreateGatewayDb(const std::string& extra_columns = ", paired_at TEXT") {
    OtherProgram gw(Db());
    gw.Exec("CREATE TABLE pairings (device_id TEXT PRIMARY KEY, token_sha256 TEXT" + extra_columns + ")");
    gw.Exec("INSERT INTO pairings (device_id, token_sha256) VALUES ('device-42', '" + std::string(kSecret) +
            "'), ('device-7', '" + std::string(kOtherSecret) + "')");
  }

  // The options of a side on device-42's token; `changes` overrides or adds keys ("" removes).
  SideOptions Options(const Keys& changes = {}) {
    Keys keys{{"path", "gateway.db"},     {"table", "pairings"}, {"key_column", "device_id"},
              {"key", "device-42"},       {"value_column", "token_sha256"}};
    for (const auto& [k, v] : changes) {
      if (v.empty() && k != "key") keys.erase(k);
      else keys[k] = v;
    }
    static const std::map<std::string, int> kLines{{"path", 11},         {"table", 12}, {"key_column", 13},
                                                   {"key", 14},          {"value_column", 15},
                                                   {"insert", 16},       {"busy_timeout_ms", 17}};
    SideOptions o("seam.toml", dir_.path(), "pairing", "gateway", 10);
    for (const auto& [k, v] : keys) {
      auto line = kLines.find(k);
      o.Set(k, OptionValue{v, line == kLines.end() ? 20 : line->second});
    }
    return o;
  }
  std::unique_ptr<Side> Make(const Keys& changes = {}) {
    SideOptions o = Options(changes);
    auto side = MakeSqliteRowSide(o);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  std::string FactoryError(const Keys& changes) {
    SideOptions o = Options(changes);
    auto side = MakeSqliteRowSide(o);
    EXPECT_FALSE(side.ok());
    if (side.ok()) return "";
    EXPECT_EQ(side.status().code(), StatusCode::kInvalidArgument);
    return side.status().message();
  }
  // Observes, expecting unreadable; checks the reason holds no value.
  std::string UnreadableReason(Side& side) {
    Observation o = side.Observe();
    EXPECT_EQ(o.state, Observation::State::kUnreadable);
    EXPECT_FALSE(Contains(o.reason, kSecret)) << o.reason;
    EXPECT_FALSE(Contains(o.reason, kOtherSecret)) << o.reason;
    return o.reason;
  }
  // A refusal's message, checked to hold no value.
  static std::string Refused(const Status& s, StatusCode code = StatusCode::kFailedPrecondition) {
    EXPECT_EQ(s.code(), code) << s.ToString();
    EXPECT_FALSE(Contains(s.message(), kSecret)) << s.message();
    EXPECT_FALSE(Contains(s.message(), kOtherSecret)) << s.message();
    return s.message();
  }

  TempDir dir_;
};

}  // namespace seam::testing
