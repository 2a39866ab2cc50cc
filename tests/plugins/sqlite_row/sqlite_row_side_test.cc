// sqlite-row: the factory's config checks and what Observe reports. Writes are in
// sqlite_row_side_write_test.cc, CheckWritable in sqlite_row_side_check_test.cc.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include <chrono>
#include <filesystem>
#include <string>

#include "tests/plugins/sqlite_row/sqlite_row_fixture.h"

namespace seam::testing {
namespace {

namespace fs = std::filesystem;
using State = Observation::State;

class SqliteRowSideTest : public SqliteRowTest {};

// --- factory ---------------------------------------------------------------------------------

TEST_F(SqliteRowSideTest, FactoryRequiresEveryKey) {
  for (const char* key : {"path", "table", "key_column", "key", "value_column"}) {
    SideOptions without("seam.toml", dir_.path(), "pairing", "gateway", 10);
    for (const char* k : {"path", "table", "key_column", "key", "value_column"}) {
      if (std::string(k) != key) without.Set(k, OptionValue{std::string(k), 11});
    }
    auto side = MakeSqliteRowSide(without);
    ASSERT_FALSE(side.ok()) << key;
    EXPECT_EQ(side.status().message(),
              "seam.toml:10: seam `pairing` side `gateway`: missing required key `" + std::string(key) + "`");
  }
}

TEST_F(SqliteRowSideTest, FactoryRejectsBadIdentifiersNamingTheirLine) {
  EXPECT_EQ(FactoryError({{"table", "pairings; DROP TABLE pairings"}}),
            "seam.toml:12: seam `pairing` side `gateway`: key `table` must be a plain SQL identifier "
            "([A-Za-z_][A-Za-z0-9_]*), got \"pairings; DROP TABLE pairings\"");
  EXPECT_TRUE(Contains(FactoryError({{"key_column", "device id"}}),
                       "seam.toml:13: seam `pairing` side `gateway`: key `key_column` must be a plain SQL"));
  EXPECT_TRUE(Contains(FactoryError({{"value_column", "token\""}}),
                       "seam.toml:15: seam `pairing` side `gateway`: key `value_column` must be a plain SQL"));
  EXPECT_TRUE(Contains(FactoryError({{"table", "1pairings"}}), "seam.toml:12:"));
  EXPECT_TRUE(Contains(FactoryError({{"table", "main.pairings"}}), "seam.toml:12:"));
  EXPECT_TRUE(Contains(FactoryError({{"table", "pâirings"}}), "seam.toml:12:"));
}

TEST_F(SqliteRowSideTest, FactoryRejectsTheSameColumnForKeyAndValue) {
  EXPECT_EQ(FactoryError({{"value_column", "Device_ID"}}),
            "seam.toml:15: seam `pairing` side `gateway`: key `value_column` names the same column as "
            "`key_column`");
}

TEST_F(SqliteRowSideTest, FactoryRejectsEmptyOrControlCharacterKey) {
  EXPECT_EQ(FactoryError({{"key", ""}}), "seam.toml:14: seam `pairing` side `gateway`: key `key` is empty");
  EXPECT_EQ(FactoryError({{"key", "device\n42"}}),
            "seam.toml:14: seam `pairing` side `gateway`: key `key` contains a control character");
}

TEST_F(SqliteRowSideTest, FactoryAcceptsOnlyTrueOrFalseStringsForInsert) {
  EXPECT_EQ(FactoryError({{"insert", "yes"}}),
            "seam.toml:16: seam `pairing` side `gateway`: key `insert` must be the string \"true\" or "
            "\"false\", got \"yes\"");
  SideOptions o = Options();
  o.Set("insert", OptionValue{true, 16});  // a TOML boolean: not offered by SideOptions yet
  auto side = MakeSqliteRowSide(o);
  ASSERT_FALSE(side.ok());
  EXPECT_EQ(side.status().message(), "seam.toml:16: seam `pairing` side `gateway`: key `insert` must be a string");
  EXPECT_NE(Make({{"insert", "true"}}), nullptr);
  EXPECT_NE(Make({{"insert", "false"}}), nullptr);
}

TEST_F(SqliteRowSideTest, FactoryChecksBusyTimeout) {
  for (const char* bad : {"-1", "2s", "600001", "99999999999999999999", " 100"}) {
    EXPECT_EQ(FactoryError({{"busy_timeout_ms", bad}}),
              "seam.toml:17: seam `pairing` side `gateway`: key `busy_timeout_ms` must be a string of "
              "digits from \"0\" to \"600000\" (milliseconds), got \"" + std::string(bad) + "\"")
        << bad;
  }
  EXPECT_NE(Make({{"busy_timeout_ms", "0"}}), nullptr);
  EXPECT_NE(Make({{"busy_timeout_ms", "600000"}}), nullptr);
}

TEST_F(SqliteRowSideTest, FactoryRejectsUnknownKeyNamingItsLine) {
  EXPECT_EQ(FactoryError({{"colum", "x"}}), "seam.toml:20: seam `pairing` side `gateway`: unknown key `colum`");
}

TEST_F(SqliteRowSideTest, FactoryDoesNoIoAndDescribesTheCell) {
  auto side = Make({{"path", "no/such/dir/gateway.db"}});
  ASSERT_NE(side, nullptr);
  EXPECT_EQ(side->Describe(), "sqlite-row " + (dir_ / "no/such/dir/gateway.db").string() +
                                  " pairings.token_sha256 where device_id = device-42");
  EXPECT_FALSE(fs::exists(dir_ / "no"));
}

// --- observe ---------------------------------------------------------------------------------

TEST_F(SqliteRowSideTest, ObservesTheValueOfTheRow) {
  CreateGatewayDb();
  Observation o = Make()->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o), kSecret);
  EXPECT_EQ(o.changed_at_us, 0);
  EXPECT_FALSE(Contains(o.marker.opaque, kSecret));
  Observation other = Make({{"key", "device-7"}})->Observe();
  ASSERT_EQ(other.state, State::kValue);
  EXPECT_EQ(FieldText(other), kOtherSecret);
}

TEST_F(SqliteRowSideTest, ObserveNeverChangesTheFile) {
  CreateGatewayDb();
  const std::string before = ReadFile(Db());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Make()->Observe().state, State::kValue);
  EXPECT_EQ(ReadFile(Db()), before);
  EXPECT_FALSE(fs::exists(Shown() + "-journal"));
}

TEST_F(SqliteRowSideTest, MarkerFollowsThisRowOnly) {
  CreateGatewayDb();
  auto side = Make();
  const ChangeMarker first = side->Observe().marker;
  EXPECT_EQ(side->Observe().marker, first);
  OtherProgram gw(Db());
  gw.Exec("UPDATE pairings SET token_sha256 = 'moved' WHERE device_id = 'device-7'");
  gw.Exec("INSERT INTO pairings (device_id, token_sha256) VALUES ('device-9', 'nine')");
  EXPECT_EQ(side->Observe().marker, first);
  gw.Exec("UPDATE pairings SET token_sha256 = 'changed' WHERE device_id = 'device-42'");
  EXPECT_NE(side->Observe().marker, first);
}

TEST_F(SqliteRowSideTest, MissingRowAndNullValueAreMissingWithDistinctMarkers) {
  CreateGatewayDb();
  Observation absent = Make({{"key", "device-1"}})->Observe();
  EXPECT_EQ(absent.state, State::kMissing) << absent.reason;
  EXPECT_TRUE(absent.answered_absent);
  OtherProgram(Db()).Exec("UPDATE pairings SET token_sha256 = NULL WHERE device_id = 'device-42'");
  Observation null = Make()->Observe();
  EXPECT_EQ(null.state, State::kMissing) << null.reason;
  EXPECT_TRUE(null.answered_absent);
  EXPECT_NE(null.marker, absent.marker);
}

TEST_F(SqliteRowSideTest, EmptyTextIsAValue) {
  CreateGatewayDb();
  OtherProgram(Db()).Exec("UPDATE pairings SET token_sha256 = '' WHERE device_id = 'device-42'");
  Observation o = Make()->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o), "");
}

TEST_F(SqliteRowSideTest, NonTextValueIsUnreadable) {
  OtherProgram gw(Db());
  // No declared type: a TEXT column would turn the numbers below back into text.
  gw.Exec("CREATE TABLE pairings (device_id TEXT PRIMARY KEY, token_sha256)");
  gw.Exec("INSERT INTO pairings VALUES ('device-42', 'x')");
  const std::string cell = Shown() + ": pairings.token_sha256 where device_id = \"device-42\" is ";
  gw.Exec("UPDATE pairings SET token_sha256 = 42 WHERE device_id = 'device-42'");
  EXPECT_EQ(UnreadableReason(*Make()), cell + "an integer, not text");
  gw.Exec("UPDATE pairings SET token_sha256 = 4.2 WHERE device_id = 'device-42'");
  EXPECT_EQ(UnreadableReason(*Make()), cell + "a real number, not text");
  gw.Exec("UPDATE pairings SET token_sha256 = CAST('" + std::string(kSecret) + "' AS BLOB) WHERE device_id = 'device-42'");
  EXPECT_EQ(UnreadableReason(*Make()), cell + "a blob, not text");
}

TEST_F(SqliteRowSideTest, SeveralRowsWithTheKeyAreUnreadable) {
  OtherProgram gw(Db());
  gw.Exec("CREATE TABLE pairings (device_id TEXT, token_sha256 TEXT)");
  gw.Exec("INSERT INTO pairings VALUES ('device-42', 'a'), ('device-42', 'b')");
  EXPECT_EQ(UnreadableReason(*Make()),
            Shown() + ": more than one row of pairings has device_id = \"device-42\"");
}

TEST_F(SqliteRowSideTest, MissingDatabaseIsUnreadableAndNotCreated) {
  EXPECT_EQ(UnreadableReason(*Make()), Shown() + ": database does not exist");
  EXPECT_FALSE(fs::exists(Db()));
  EXPECT_TRUE(fs::is_empty(dir_.path()));
}

TEST_F(SqliteRowSideTest, DirectoryOrNonDatabaseFileIsUnreadable) {
  fs::create_directory(Db());
  EXPECT_EQ(UnreadableReason(*Make()), Shown() + " is a directory");
  fs::remove(Db());
  WriteFile(Db(), std::string(200, 'x'));
  EXPECT_EQ(UnreadableReason(*Make()), Shown() + ": file is not a SQLite database");
}

TEST_F(SqliteRowSideTest, MissingTableOrColumnIsUnreadableNamingIt) {
  CreateGatewayDb();
  EXPECT_EQ(UnreadableReason(*Make({{"table", "devices"}})), Shown() + ": database has no table \"devices\"");
  EXPECT_EQ(UnreadableReason(*Make({{"value_column", "token"}})),
            Shown() + ": table \"pairings\" has no column \"token\"");
  EXPECT_EQ(UnreadableReason(*Make({{"key_column", "device"}})),
            Shown() + ": table \"pairings\" has no column \"device\"");
  // Identifiers compare without regard to case, as SQLite does.
  EXPECT_EQ(Make({{"table", "PAIRINGS"}, {"value_column", "Token_SHA256"}})->Observe().state, State::kValue);
}

TEST_F(SqliteRowSideTest, EmptyFileIsAnEmptyDatabaseWithoutTheTable) {
  WriteFile(Db(), "");
  EXPECT_EQ(UnreadableReason(*Make()), Shown() + ": database has no table \"pairings\"");
  EXPECT_EQ(fs::file_size(Db()), 0u);
}

TEST_F(SqliteRowSideTest, LockedPastTheBusyTimeoutIsUnreadable) {
  CreateGatewayDb();
  OtherProgram holder(Db());
  holder.Exec("BEGIN EXCLUSIVE");
  auto side = Make({{"busy_timeout_ms", "100"}});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(UnreadableReason(*side), Shown() + " is locked by another process (busy for 100 ms)");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(90));
  holder.Exec("ROLLBACK");
  EXPECT_EQ(side->Observe().state, State::kValue);
}

// A caller's deadline before the busy timeout ends the wait then, and the reason says so.
TEST_F(SqliteRowSideTest, ADeadlineBeforeTheBusyTimeoutEndsTheWaitAndSaysSo) {
  CreateGatewayDb();
  OtherProgram holder(Db());
  holder.Exec("BEGIN EXCLUSIVE");
  auto side = Make({{"busy_timeout_ms", "20000"}});
  const auto start = std::chrono::steady_clock::now();
  Observation o = side->Observe(start + std::chrono::milliseconds(200));
  EXPECT_EQ(o.state, State::kUnreadable);
  EXPECT_EQ(o.reason.rfind(Db().string() + ": no answer by the deadline (", 0), 0u) << o.reason;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  holder.Exec("ROLLBACK");
  EXPECT_EQ(side->Observe(std::chrono::steady_clock::now() + std::chrono::seconds(5)).state, State::kValue);
}

// Another PROCESS holding an exclusive lock (POSIX advisory locks, not SQLite's in-process lock
// bookkeeping). The child opens the database itself, runs BEGIN EXCLUSIVE, writes one byte to
// `ready`, then blocks reading `release` until the parent closes its end. No sleeps.
class LockingChild {
 public:
  explicit LockingChild(const fs::path& db) {
    if (::pipe(ready_) != 0 || ::pipe(release_) != 0) {
      ADD_FAILURE() << "pipe failed";
      return;
    }
    pid_ = ::fork();
    if (pid_ < 0) {
      ADD_FAILURE() << "fork failed";
      return;
    }
    if (pid_ == 0) {
      ::close(ready_[0]);
      ::close(release_[1]);
      sqlite3* conn = nullptr;
      if (sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) ::_exit(2);
      if (sqlite3_exec(conn, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) != SQLITE_OK) ::_exit(3);
      const char byte = 'L';
      if (::write(ready_[1], &byte, 1) != 1) ::_exit(4);
      char buf = 0;
      while (::read(release_[0], &buf, 1) > 0) {
      }
      sqlite3_exec(conn, "ROLLBACK", nullptr, nullptr, nullptr);
      sqlite3_close_v2(conn);
      ::_exit(0);
    }
    ::close(ready_[1]);
    ready_[1] = -1;
    ::close(release_[0]);
    release_[0] = -1;
  }
  ~LockingChild() { EXPECT_EQ(Release(), 0); }
  LockingChild(const LockingChild&) = delete;
  LockingChild& operator=(const LockingChild&) = delete;

  // True once the child holds the lock (false when it died first).
  bool WaitUntilLocked() {
    char byte = 0;
    return pid_ > 0 && ::read(ready_[0], &byte, 1) == 1 && byte == 'L';
  }
  // Lets the child roll back and exit; returns its exit status (0: all went well).
  int Release() {
    for (int* fd : {&ready_[0], &ready_[1], &release_[0], &release_[1]}) {
      if (*fd >= 0) ::close(*fd);
      *fd = -1;
    }
    if (pid_ <= 0) return status_;
    int wstatus = 0;
    while (::waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    status_ = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    return status_;
  }

 private:
  int ready_[2] = {-1, -1};
  int release_[2] = {-1, -1};
  pid_t pid_ = -1;
  int status_ = 0;
};

TEST_F(SqliteRowSideTest, LockedByAnotherProcessIsUnreadableAndWriteIsUnavailable) {
  CreateGatewayDb();  // closes its connection: nothing SQLite is open across the fork
  auto side = Make({{"busy_timeout_ms", "100"}});
  const ChangeMarker marker = side->Observe().marker;
  const std::string before = ReadFile(Db());
  LockingChild child(Db());
  ASSERT_TRUE(child.WaitUntilLocked());

  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(UnreadableReason(*side), Shown() + " is locked by another process (busy for 100 ms)");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(90));
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_EQ(Refused(side->Write(OneField("n3w"), marker), StatusCode::kUnavailable),
            Shown() + " is locked by another process (busy for 100 ms); not writing");
  EXPECT_EQ(Refused(side->Remove(marker), StatusCode::kUnavailable),
            Shown() + " is locked by another process (busy for 100 ms); not writing");
  EXPECT_EQ(Refused(side->CheckWritable(), StatusCode::kUnavailable),
            Shown() + " is locked by another process (busy for 100 ms)");

  EXPECT_EQ(child.Release(), 0);
  EXPECT_EQ(ReadFile(Db()), before);
  Observation after = side->Observe();
  ASSERT_EQ(after.state, State::kValue) << after.reason;
  EXPECT_EQ(FieldText(after), kSecret);
  EXPECT_EQ(after.marker, marker);
}

TEST_F(SqliteRowSideTest, ViewNamedLikeTheTableIsUnreadableWithoutRunningIt) {
  // A hostile database: `pairings` is a view over an endless recursive CTE. pragma_table_info
  // describes it like a table, and reading it would never end.
  OtherProgram gw(Db());
  gw.Exec("CREATE VIEW pairings AS WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) "
          "SELECT 'device-' || n AS device_id, 'token' || n AS token_sha256 FROM c");
  for (const char* table : {"pairings", "PAIRINGS"}) {
    auto side = Make({{"table", table}});
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(UnreadableReason(*side), Shown() + ": \"" + table + "\" is a view, not a table");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
    EXPECT_EQ(Refused(side->Write(OneField("n3w"), ChangeMarker{"row:absent"})),
              Shown() + ": \"" + table + "\" is a view, not a table; not writing");
    EXPECT_EQ(Refused(side->CheckWritable()), Shown() + ": \"" + table + "\" is a view, not a table");
  }
}

TEST_F(SqliteRowSideTest, WalDatabaseIsReadWhileAnotherProgramWrites) {
  CreateGatewayDb();
  OtherProgram writer(Db());
  writer.Exec("PRAGMA journal_mode = WAL");
  writer.Exec("BEGIN IMMEDIATE");
  writer.Exec("UPDATE pairings SET token_sha256 = 'uncommitted' WHERE device_id = 'device-42'");
  Observation o = Make({{"busy_timeout_ms", "100"}})->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o), kSecret);
  writer.Exec("ROLLBACK");
}

TEST_F(SqliteRowSideTest, HostileKeyIsBoundNotInterpolated) {
  CreateGatewayDb();
  const std::string hostile = "x'; DROP TABLE pairings; --";
  EXPECT_EQ(Make({{"key", hostile}})->Observe().state, State::kMissing);
  EXPECT_EQ(Make({{"key", "device-42' OR '1'='1"}})->Observe().state, State::kMissing);
  OtherProgram gw(Db());
  EXPECT_EQ(gw.Count("pairings"), "2");
}

TEST_F(SqliteRowSideTest, IntegerKeyColumnMatchesTheKeyByAffinity) {
  OtherProgram gw(Db());
  gw.Exec("CREATE TABLE users (id INTEGER PRIMARY KEY, api_key TEXT)");
  gw.Exec("INSERT INTO users VALUES (42, 'k42')");
  Observation o = Make({{"table", "users"}, {"key_column", "id"}, {"key", "42"}, {"value_column", "api_key"}})->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o), "k42");
}

}  // namespace
}  // namespace seam::testing
