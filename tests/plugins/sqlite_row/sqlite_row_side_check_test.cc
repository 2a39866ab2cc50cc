// sqlite-row: CheckWritable — every refusal writes nothing, and a value never reaches a reason.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "tests/plugins/common/unprivileged.h"
#include "tests/plugins/sqlite_row/sqlite_row_fixture.h"

namespace seam::testing {
namespace {

namespace fs = std::filesystem;

class SqliteRowCheckTest : public SqliteRowTest {};

TEST_F(SqliteRowCheckTest, WritableRowPassesAndNothingChanges) {
  CreateGatewayDb();
  const std::string before = ReadFile(Db());
  EXPECT_TRUE(Make()->CheckWritable().ok());
  EXPECT_TRUE(Make({{"key", "device-9"}, {"insert", "true"}})->CheckWritable().ok());
  EXPECT_EQ(ReadFile(Db()), before);
  EXPECT_FALSE(fs::exists(Shown() + "-journal"));
}

TEST_F(SqliteRowCheckTest, MissingDatabaseIsRefusedAndNotCreated) {
  EXPECT_EQ(Refused(Make({{"insert", "true"}})->CheckWritable()), Shown() + ": database does not exist");
  EXPECT_TRUE(fs::is_empty(dir_.path()));
}

TEST_F(SqliteRowCheckTest, MissingTableOrColumnIsRefused) {
  CreateGatewayDb();
  EXPECT_EQ(Refused(Make({{"table", "devices"}, {"insert", "true"}})->CheckWritable()),
            Shown() + ": database has no table \"devices\"");
  EXPECT_EQ(Refused(Make({{"value_column", "token"}})->CheckWritable()),
            Shown() + ": table \"pairings\" has no column \"token\"");
}

TEST_F(SqliteRowCheckTest, MissingRowWithoutInsertIsRefused) {
  CreateGatewayDb();
  EXPECT_EQ(Refused(Make({{"key", "device-9"}})->CheckWritable()),
            Shown() + ": no row of pairings has device_id = \"device-9\" and insert is false (seam "
                      "only updates existing rows)");
}

TEST_F(SqliteRowCheckTest, NonTextValueIsRefused) {
  CreateGatewayDb();
  OtherProgram(Db()).Exec("UPDATE pairings SET token_sha256 = x'00ff' WHERE device_id = 'device-42'");
  EXPECT_EQ(Refused(Make()->CheckWritable()),
            Shown() + ": pairings.token_sha256 where device_id = \"device-42\" is a blob, not text");
}

TEST_F(SqliteRowCheckTest, NotADatabaseIsRefused) {
  WriteFile(Db(), std::string(512, 'x'));
  EXPECT_EQ(Refused(Make()->CheckWritable()), Shown() + ": file is not a SQLite database");
  EXPECT_EQ(fs::file_size(Db()), 512u);
}

TEST_F(SqliteRowCheckTest, LockedIsUnavailable) {
  CreateGatewayDb();
  OtherProgram holder(Db());
  holder.Exec("BEGIN IMMEDIATE");
  EXPECT_EQ(Refused(Make({{"busy_timeout_ms", "50"}})->CheckWritable(), StatusCode::kUnavailable),
            Shown() + " is locked by another process (busy for 50 ms)");
  holder.Exec("ROLLBACK");
}

TEST_F(SqliteRowCheckTest, ReadOnlyDatabaseFileIsRefused) {
  CreateGatewayDb();
  ::chmod(dir_.path().c_str(), 0755);
  ::chmod(Db().c_str(), 0444);
  auto side = Make();
  Status s = RunUnprivileged([&] { return side->CheckWritable(); });
  EXPECT_EQ(Refused(s), Shown() + " is not writable by this user");
  Status w = RunUnprivileged([&] { return side->Write(OneField("n3w"), side->Observe().marker); });
  EXPECT_EQ(Refused(w), Shown() + " is not writable by this user; not writing");
  // Observing only needs to read.
  Status o = RunUnprivileged([&] {
    Observation obs = side->Observe();
    return obs.state == Observation::State::kValue ? Status::Ok() : Status::Internal(obs.reason);
  });
  EXPECT_TRUE(o.ok()) << o.ToString();
  EXPECT_EQ(OtherProgram(Db()).Token("device-42"), kSecret);
}

TEST_F(SqliteRowCheckTest, UnwritableDirectoryIsRefusedForARollbackJournal) {
  CreateGatewayDb();
  ::chmod(Db().c_str(), 0666);
  ::chmod(dir_.path().c_str(), 0555);
  auto side = Make();
  Status s = RunUnprivileged([&] { return side->CheckWritable(); });
  ::chmod(dir_.path().c_str(), 0755);
  EXPECT_EQ(Refused(s), dir_.path().string() + ": directory is not writable, so SQLite cannot create "
                                               "the rollback journal of " + Shown());
}

TEST_F(SqliteRowCheckTest, WalDatabaseInAnUnwritableDirectoryIsNotRefusedForAJournal) {
  CreateGatewayDb();
  OtherProgram writer(Db());  // keeps the WAL and shm files in place
  writer.Exec("PRAGMA journal_mode = WAL");
  ::chmod(dir_.path().c_str(), 0755);
  EXPECT_TRUE(Make()->CheckWritable().ok());
}

}  // namespace
}  // namespace seam::testing
