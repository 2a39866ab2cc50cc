// sqlite-row: Write and Remove — compare-and-swap in one IMMEDIATE transaction, UPDATE or
// INSERT, removal to NULL, and never creating the database or the table.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "tests/plugins/sqlite_row/sqlite_row_fixture.h"

namespace seam::testing {
namespace {

namespace fs = std::filesystem;
using State = Observation::State;

class SqliteRowWriteTest : public SqliteRowTest {};

constexpr char kNew[] = "n3w-token-value";

TEST_F(SqliteRowWriteTest, WriteUpdatesOnlyThatRow) {
  CreateGatewayDb();
  OtherProgram(Db()).Exec("UPDATE pairings SET paired_at = '2024-01-01' WHERE device_id = 'device-42'");
  auto side = Make();
  Observation before = side->Observe();
  ASSERT_TRUE(side->Write(OneField(kNew), before.marker).ok());
  OtherProgram gw(Db());
  EXPECT_EQ(gw.Token("device-42"), kNew);
  EXPECT_EQ(gw.Token("device-7"), kOtherSecret);
  EXPECT_EQ(gw.Text("SELECT paired_at FROM pairings WHERE device_id = 'device-42'"), "2024-01-01");
  EXPECT_EQ(gw.Count("pairings"), "2");
  Observation after = side->Observe();
  ASSERT_EQ(after.state, State::kValue);
  EXPECT_EQ(FieldText(after), kNew);
  EXPECT_NE(after.marker, before.marker);
  EXPECT_FALSE(fs::exists(Shown() + "-journal"));
}

TEST_F(SqliteRowWriteTest, WriteFillsANullValue) {
  CreateGatewayDb();
  OtherProgram(Db()).Exec("UPDATE pairings SET token_sha256 = NULL WHERE device_id = 'device-42'");
  auto side = Make();
  ASSERT_TRUE(side->Write(OneField(kNew), side->Observe().marker).ok());
  EXPECT_EQ(OtherProgram(Db()).Token("device-42"), kNew);
}

TEST_F(SqliteRowWriteTest, WriteInsertsAMissingRowWhenAllowed) {
  CreateGatewayDb();
  auto side = Make({{"key", "device-9"}, {"insert", "true"}});
  Observation before = side->Observe();
  ASSERT_EQ(before.state, State::kMissing);
  Status s = side->Write(OneField(kNew), before.marker);
  ASSERT_TRUE(s.ok()) << s.ToString();
  OtherProgram gw(Db());
  EXPECT_EQ(gw.Token("device-9"), kNew);
  EXPECT_EQ(gw.Text("SELECT paired_at FROM pairings WHERE device_id = 'device-9'"), std::nullopt);
  EXPECT_EQ(gw.Count("pairings"), "3");
}

TEST_F(SqliteRowWriteTest, WriteRefusesToInsertWhenNotAllowed) {
  CreateGatewayDb();
  for (const char* insert : {"", "false"}) {
    auto side = Make({{"key", "device-9"}, {"insert", insert}});
    std::string msg = Refused(side->Write(OneField(kNew), side->Observe().marker));
    EXPECT_EQ(msg, Shown() + ": no row of pairings has device_id = \"device-9\" and insert is false "
                             "(seam only updates existing rows); not writing");
  }
  EXPECT_EQ(OtherProgram(Db()).Count("pairings"), "2");
}

TEST_F(SqliteRowWriteTest, InsertRefusedByAnotherNotNullColumnWritesNothing) {
  OtherProgram gw(Db());
  gw.Exec("CREATE TABLE pairings (device_id TEXT PRIMARY KEY, token_sha256 TEXT, "
          "paired_at TEXT NOT NULL DEFAULT 'x', owner TEXT NOT NULL)");
  gw.Exec("INSERT INTO pairings VALUES ('device-42', 'a', 'b', 'c'), ('device-7', 'd', 'e', 'f')");
  auto side = Make({{"key", "device-9"}, {"insert", "true"}});
  std::string msg = Refused(side->Write(OneField(kNew), side->Observe().marker));
  EXPECT_TRUE(Contains(msg, "the database refused the change (NOT NULL constraint failed: pairings.owner)"))
      << msg;
  EXPECT_TRUE(Contains(msg, "; not writing")) << msg;
  EXPECT_EQ(gw.Count("pairings"), "2");
}

TEST_F(SqliteRowWriteTest, WriteRefusesWhenTheRowChangedSinceObserved) {
  CreateGatewayDb();
  auto side = Make();
  Observation before = side->Observe();
  OtherProgram gw(Db());
  gw.Exec("UPDATE pairings SET token_sha256 = 'the-gateway-wrote-this' WHERE device_id = 'device-42'");
  std::string msg = Refused(side->Write(OneField(kNew), before.marker));
  EXPECT_EQ(msg, Shown() + ": pairings.token_sha256 where device_id = \"device-42\" changed since it "
                           "was observed; not writing");
  EXPECT_FALSE(Contains(msg, "the-gateway-wrote-this"));
  EXPECT_EQ(gw.Token("device-42"), "the-gateway-wrote-this");
  EXPECT_EQ(Refused(side->Remove(before.marker)), msg);
  EXPECT_EQ(gw.Token("device-42"), "the-gateway-wrote-this");
}

TEST_F(SqliteRowWriteTest, InsertRefusedWhenTheRowAppearedSinceObserved) {
  CreateGatewayDb();
  auto side = Make({{"key", "device-9"}, {"insert", "true"}});
  Observation before = side->Observe();
  OtherProgram gw(Db());
  gw.Exec("INSERT INTO pairings (device_id, token_sha256) VALUES ('device-9', 'theirs')");
  EXPECT_TRUE(Contains(Refused(side->Write(OneField(kNew), before.marker)), "changed since"));
  EXPECT_EQ(gw.Token("device-9"), "theirs");
}

TEST_F(SqliteRowWriteTest, RemoveSetsTheValueToNullAndKeepsTheRow) {
  CreateGatewayDb();
  auto side = Make();
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  OtherProgram gw(Db());
  EXPECT_EQ(gw.Text("SELECT count(*) FROM pairings WHERE device_id = 'device-42' AND token_sha256 IS NULL"), "1");
  EXPECT_EQ(gw.Token("device-7"), kOtherSecret);
  Observation after = side->Observe();
  EXPECT_EQ(after.state, State::kMissing);
  // Removing what is already gone is ok and writes nothing.
  EXPECT_TRUE(side->Remove(after.marker).ok());
  auto absent = Make({{"key", "device-9"}});
  EXPECT_TRUE(absent->Remove(absent->Observe().marker).ok());
  EXPECT_EQ(gw.Count("pairings"), "2");
}

TEST_F(SqliteRowWriteTest, RemoveRefusesANotNullColumn) {
  OtherProgram gw(Db());
  gw.Exec("CREATE TABLE pairings (device_id TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL)");
  gw.Exec("INSERT INTO pairings VALUES ('device-42', '" + std::string(kSecret) + "')");
  auto side = Make();
  EXPECT_EQ(Refused(side->Remove(side->Observe().marker)),
            Shown() + ": column pairings.token_sha256 is declared NOT NULL, so its value cannot be "
                      "removed (seam never deletes another program's row); not writing");
  EXPECT_EQ(gw.Token("device-42"), kSecret);
}

TEST_F(SqliteRowWriteTest, NeverCreatesTheDatabase) {
  auto side = Make({{"insert", "true"}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kUnreadable);
  EXPECT_EQ(Refused(side->Write(OneField(kNew), o.marker)),
            Shown() + ": database does not exist; not writing");
  EXPECT_EQ(Refused(side->Remove(o.marker)), Shown() + ": database does not exist; not writing");
  EXPECT_TRUE(fs::is_empty(dir_.path()));
}

TEST_F(SqliteRowWriteTest, NeverCreatesTheTable) {
  OtherProgram(Db()).Exec("CREATE TABLE other (x TEXT)");
  auto side = Make({{"insert", "true"}});
  EXPECT_EQ(Refused(side->Write(OneField(kNew), ChangeMarker{"row:absent"})),
            Shown() + ": database has no table \"pairings\"; not writing");
  EXPECT_EQ(OtherProgram(Db()).Text("SELECT count(*) FROM sqlite_master WHERE name = 'pairings'"), "0");
}

TEST_F(SqliteRowWriteTest, LockedPastTheBusyTimeoutIsUnavailable) {
  CreateGatewayDb();
  auto side = Make({{"busy_timeout_ms", "100"}});
  Observation before = side->Observe();
  OtherProgram holder(Db());
  holder.Exec("BEGIN IMMEDIATE");
  EXPECT_EQ(Refused(side->Write(OneField(kNew), before.marker), StatusCode::kUnavailable),
            Shown() + " is locked by another process (busy for 100 ms); not writing");
  holder.Exec("ROLLBACK");
  EXPECT_EQ(OtherProgram(Db()).Token("device-42"), kSecret);
  EXPECT_TRUE(side->Write(OneField(kNew), before.marker).ok());
}

TEST_F(SqliteRowWriteTest, CommitBlockedByAReaderIsUnavailableAndRolledBack) {
  CreateGatewayDb();
  auto side = Make({{"busy_timeout_ms", "100"}});
  Observation before = side->Observe();
  OtherProgram reader(Db());
  reader.Exec("BEGIN");
  EXPECT_EQ(reader.Token("device-42"), kSecret);  // holds a shared lock until ROLLBACK
  Status s = side->Write(OneField(kNew), before.marker);
  EXPECT_EQ(Refused(s, StatusCode::kUnavailable),
            Shown() + " is locked by another process (busy for 100 ms); not writing");
  reader.Exec("ROLLBACK");
  EXPECT_EQ(OtherProgram(Db()).Token("device-42"), kSecret);
  EXPECT_EQ(side->Observe().marker, before.marker);
}

TEST_F(SqliteRowWriteTest, TriggerOfTheOtherProgramStillRunsOnUpdate) {
  // The connection has SQLITE_DBCONFIG_TRUSTED_SCHEMA off: the schema may only use innocuous
  // functions, which all of SQLite's ordinary built-ins (datetime, length, printf, ...) are.
  CreateGatewayDb();
  OtherProgram gw(Db());
  gw.Exec("CREATE TABLE audit (device_id TEXT, token_length INTEGER, at TEXT, note TEXT)");
  gw.Exec("CREATE TRIGGER pairings_audit AFTER UPDATE OF token_sha256 ON pairings BEGIN "
          "INSERT INTO audit VALUES (new.device_id, length(new.token_sha256), datetime('now'), "
          "printf('%s rotated', upper(new.device_id))); END");
  auto side = Make();
  Status s = side->Write(OneField(kNew), side->Observe().marker);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(gw.Token("device-42"), kNew);
  EXPECT_EQ(gw.Text("SELECT token_length || ' ' || note FROM audit"), "15 DEVICE-42 rotated");
  EXPECT_EQ(gw.Count("audit WHERE at IS NOT NULL"), "1");
}

TEST_F(SqliteRowWriteTest, TriggerThatNeverEndsIsInterruptedAndWritesNothing) {
  // busy_timeout bounds waiting for a lock, not execution: a hostile trigger reading an endless
  // recursive view would hang the write without the progress handler's deadline.
  CreateGatewayDb();
  OtherProgram gw(Db());
  gw.Exec("CREATE VIEW forever AS WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) "
          "SELECT n FROM c");
  gw.Exec("CREATE TRIGGER pairings_hang AFTER UPDATE ON pairings BEGIN SELECT count(*) FROM forever; END");
  auto side = Make({{"busy_timeout_ms", "0"}});
  const ChangeMarker marker = side->Observe().marker;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Refused(side->Write(OneField(kNew), marker)),
            Shown() + ": query took longer than 2000 ms; not writing");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(1900));
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_EQ(gw.Token("device-42"), kSecret);
  EXPECT_FALSE(fs::exists(Shown() + "-journal"));
  EXPECT_EQ(side->Observe().state, State::kValue);
}

TEST_F(SqliteRowWriteTest, HostileKeyIsBoundAndTheTableSurvives) {
  CreateGatewayDb();
  const std::string hostile = "x'; DROP TABLE pairings; --";
  auto side = Make({{"key", hostile}, {"insert", "true"}});
  ASSERT_TRUE(side->Write(OneField(kNew), side->Observe().marker).ok());
  OtherProgram gw(Db());
  EXPECT_EQ(gw.Count("pairings"), "3");
  EXPECT_EQ(gw.Text("SELECT device_id FROM pairings WHERE token_sha256 = '" + std::string(kNew) + "'"), hostile);
  EXPECT_EQ(gw.Token("device-42"), kSecret);
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_EQ(gw.Count("pairings"), "3");
}

TEST_F(SqliteRowWriteTest, HostileValueIsBoundVerbatim) {
  CreateGatewayDb();
  const std::string hostile("v'); DROP TABLE pairings; --\0tail", 33);
  auto side = Make();
  ASSERT_TRUE(side->Write(OneField(hostile), side->Observe().marker).ok());
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kValue);
  EXPECT_EQ(FieldText(o), hostile);
  EXPECT_EQ(OtherProgram(Db()).Count("pairings"), "2");
}

TEST_F(SqliteRowWriteTest, NonTextValueIsNeverOverwritten) {
  OtherProgram gw(Db());
  gw.Exec("CREATE TABLE pairings (device_id TEXT PRIMARY KEY, token_sha256 INTEGER)");
  gw.Exec("INSERT INTO pairings VALUES ('device-42', 42)");
  auto side = Make();
  EXPECT_EQ(Refused(side->Write(OneField(kNew), ChangeMarker{"row:null"})),
            Shown() + ": pairings.token_sha256 where device_id = \"device-42\" is an integer, not text; "
                      "not writing");
  EXPECT_EQ(gw.Text("SELECT typeof(token_sha256) FROM pairings WHERE device_id = 'device-42'"), "integer");
}

}  // namespace
}  // namespace seam::testing
