// A seam whose gateway side is a row in another program's SQLite database (sqlite-row) and whose
// CLI side is a JSON file: issue, a stale restore of the gateway's database, check, repair.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

class SqliteRowSeamTest : public SeamctlTest {
 protected:
  fs::path GatewayDb() const { return Root() / "gateway/gateway.db"; }

  // The "other program": creates its database and table, as the gateway would on first start.
  void CreateGatewayDb() const {
    fs::create_directories(GatewayDb().parent_path());
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(GatewayDb().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE pairings(device TEXT PRIMARY KEY, token_sha256 TEXT);"
                           "INSERT INTO pairings(device) VALUES ('device-42'), ('device-7');",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }

  std::string GatewayDigest(const char* device = "device-42") const {
    sqlite3* db = nullptr;
    std::string out;
    if (sqlite3_open_v2(GatewayDb().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* s = nullptr;
      sqlite3_prepare_v2(db, "SELECT token_sha256 FROM pairings WHERE device = ?", -1, &s, nullptr);
      sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
      if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != nullptr) {
        out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
      }
      sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return out;
  }

  void SetUpSeam() {
    ASSERT_NO_FATAL_FAILURE(CreateGatewayDb());
    WriteFreshSides();
    WriteConfig(R"([[seam]]
name = "device-token"
kind = "token"
entity = "device-42"
order = ["gateway", "cli"]
[seam.sides.gateway]
plugin = "sqlite-row"
path = "gateway/gateway.db"
table = "pairings"
key_column = "device"
key = "device-42"
value_column = "token_sha256"
transform = "sha256-hex"
[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
pointer = "/token"
)");
    ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  }
};

TEST_F(SqliteRowSeamTest, StaleDatabaseRestoreIsLaggingAndRepairUpdatesOnlyThatRow) {
  ASSERT_NO_FATAL_FAILURE(SetUpSeam());
  ProcessResult issue = Seamctl({"token", "issue", "device-token"});
  ASSERT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  const std::string v1 = CliToken().value();
  EXPECT_EQ(GatewayDigest(), Sha256HexOf(v1));
  fs::copy_file(GatewayDb(), Root() / "gateway/backup.db");

  ASSERT_EQ(Seamctl({"token", "rotate", "device-token"}).exit_code, 0);
  fs::copy_file(Root() / "gateway/backup.db", GatewayDb(), fs::copy_options::overwrite_existing);

  int code = -1;
  nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1) << report.dump(2);
  EXPECT_EQ(report["seams"][0]["sides"][0]["name"], "gateway");
  EXPECT_EQ(report["seams"][0]["sides"][0]["verdict"], "lagging");
  EXPECT_EQ(report["seams"][0]["sides"][0]["holds_version"], 1);

  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(GatewayDigest(), Sha256HexOf(CliToken().value()));
  EXPECT_EQ(GatewayDigest("device-7"), "");  // another device's row is untouched
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

TEST_F(SqliteRowSeamTest, MissingGatewayDatabaseIsTroubleAndIsNeverCreated) {
  ASSERT_NO_FATAL_FAILURE(SetUpSeam());
  ASSERT_EQ(Seamctl({"token", "issue", "device-token"}).exit_code, 0);
  fs::remove(GatewayDb());
  const Snapshot before = TakeSnapshot(Root());
  int code = -1;
  nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 2) << report.dump(2);
  EXPECT_EQ(report["seams"][0]["sides"][0]["verdict"], "unreadable");
  const std::size_t events_before = LogEvents().size();
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 2);
  ExpectOnlyAnUnreadableSpell(before, events_before, "gateway");
  // Operations refuse before recording anything.
  const Snapshot after_repair = TakeSnapshot(Root());
  EXPECT_TRUE(IsCleanError(Seamctl({"token", "rotate", "device-token"}), "database does not exist"));
  EXPECT_FALSE(fs::exists(GatewayDb()));
  EXPECT_EQ(SnapshotDiff(after_repair, TakeSnapshot(Root())), "");
}

}  // namespace
}  // namespace seam::e2e
