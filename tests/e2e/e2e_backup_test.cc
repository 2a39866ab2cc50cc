// seamctl backup and store restore on real SQLite files: a reader holding a snapshot keeps the
// latest events in the WAL, where a `cp` of events.db misses them and a backup does not; the
// backup verifies to the head `seamctl head` prints, is never written over, and restores into a
// state directory that lost its log (the lost disk), after which check and verify work as before.
// A restore never writes over a log.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <regex>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

constexpr char kSeam[] = "device-token";

class BackupTest : public SeamctlTest {
 protected:
  // The events in an SQLite log file, read on its own (no WAL beside it: what a `cp` would hold).
  static int EventsIn(const fs::path& db) {
    sqlite3* h = nullptr;
    int n = -1;
    if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(h, "SELECT count(*) FROM events", -1, &st, nullptr) == SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int(st, 0);
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return n;
  }
  std::string HeadLine() {
    ProcessResult head = Seamctl({"head"});
    EXPECT_EQ(head.exit_code, 0) << head.err;
    return head.out;
  }
};

TEST_F(BackupTest, ABackupHoldsWhatTheWalHoldsAndRestoresIntoALostStateDirectory) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  // A reader (as seamd's connections are) holding a snapshot: no checkpoint can move the new
  // events out of the WAL while it reads.
  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open_v2(DbFile().c_str(), &reader, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM events;", nullptr, nullptr, nullptr), SQLITE_OK);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  const std::size_t events = LogEvents().size();

  fs::copy_file(DbFile(), Root() / "cp-of-events.db");
  const int by_cp = EventsIn(Root() / "cp-of-events.db");
  EXPECT_LT(by_cp, static_cast<int>(events)) << "a cp of the file alone misses what the WAL holds";

  ProcessResult backup = Seamctl({"backup", "backups/seam-1.db"});
  EXPECT_NE(backup.exit_code, 0) << "no such directory yet";
  fs::create_directories(Root() / "backups");
  backup = Seamctl({"backup", "backups/seam-1.db"});
  ASSERT_EQ(backup.exit_code, 0) << backup.out << backup.err;
  sqlite3_exec(reader, "COMMIT;", nullptr, nullptr, nullptr);
  sqlite3_close(reader);
  const fs::path file = Root() / "backups/seam-1.db";
  EXPECT_FALSE(fs::exists(file.string() + ".partial"));
  EXPECT_FALSE(fs::exists(file.string() + "-wal")) << "one file, nothing beside it";
  EXPECT_EQ(EventsIn(file), static_cast<int>(events)) << "the backup file alone holds every event";
  std::smatch m;
  const std::string head = HeadLine();
  ASSERT_TRUE(std::regex_search(head, m, std::regex("([0-9a-f]{64})"))) << head;
  EXPECT_TRUE(Contains(backup.out, "backed up " + std::to_string(events) + " events from ")) << backup.out;
  EXPECT_TRUE(Contains(backup.out, "; verified: head seq " + std::to_string(events) + " hash " + m[1].str())) << backup.out;
  EXPECT_TRUE(Contains(backup.out, "keep a copy of that key file apart from the backup")) << backup.out;
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // Never over a file.
  const std::string before = seam::testing::ReadFile(file);
  ProcessResult again = Seamctl({"backup", "backups/seam-1.db"});
  EXPECT_TRUE(IsCleanError(again, "exists; a backup is written only as a new file")) << again.err;
  EXPECT_EQ(seam::testing::ReadFile(file), before);

  // A restore never writes over a log.
  ProcessResult over = Seamctl({"store", "restore", "--from", "backups/seam-1.db"});
  EXPECT_TRUE(IsCleanError(over, "exists; move it aside (stop seamd first) before restoring over it")) << over.err;

  // The lost disk: the state directory's log is gone, the key kept apart survives.
  const std::string key = seam::testing::ReadFile(KeyFile());
  fs::remove_all(Root() / ".seam");
  ProcessResult restored = Seamctl({"store", "restore", "--from", "backups/seam-1.db"});
  ASSERT_EQ(restored.exit_code, 0) << restored.out << restored.err;
  EXPECT_TRUE(Contains(restored.out, "restored " + std::to_string(events) + " events from ")) << restored.out;
  EXPECT_TRUE(Contains(restored.out, "no key file at ")) << restored.out;
  seam::testing::WriteFile(KeyFile(), key);
  fs::permissions(KeyFile(), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(HeadLine(), head) << "the restored log's head is the one kept";
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0) << "the restored log takes new events";
}

TEST_F(BackupTest, BadInputIsRefusedAndNothingIsWritten) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ASSERT_EQ(Seamctl({"backup", "good.db"}).exit_code, 0);
  seam::testing::WriteFile(Root() / "not-a-log.db", "this is not an SQLite file at all, just text\n");
  fs::rename(DbFile(), Root() / "kept.db");
  ProcessResult junk = Seamctl({"store", "restore", "--from", "not-a-log.db"});
  EXPECT_EQ(junk.exit_code, 2) << junk.out << junk.err;
  EXPECT_FALSE(fs::exists(DbFile())) << "a failed restore leaves no log behind";
  // The log was moved without its WAL: the WAL left behind is never replayed into a restore.
  seam::testing::WriteFile(DbFile().string() + "-wal", "stale");
  ProcessResult stale = Seamctl({"store", "restore", "--from", "good.db"});
  EXPECT_TRUE(IsCleanError(stale, "-wal is there without its log")) << stale.err;
  EXPECT_FALSE(fs::exists(DbFile()));
  fs::remove(DbFile().string() + "-wal");
    ProcessResult missing = Seamctl({"store", "restore", "--from", "no-such.db"});
  EXPECT_TRUE(IsCleanError(missing, "no-such.db is not a file")) << missing.err;
  EXPECT_FALSE(fs::exists(DbFile()));
}

}  // namespace
}  // namespace seam::e2e
