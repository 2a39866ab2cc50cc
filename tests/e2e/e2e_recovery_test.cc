// The ways out, on real files: a lost key file and a tampered log each lead, from the error a
// person meets, to `seamctl init --start-over REASON`: the old log kept aside untouched (the
// evidence), a new chain whose first event is LogStarted naming it, each seam's value adopted
// from a side; then check and verify pass. A log another process has open is never moved.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

constexpr char kSeam[] = "device-token";

class RecoveryTest : public SeamctlTest {
 protected:
  // The log the state directory gained beside the new one (not SQLite's -wal/-shm beside it).
  fs::path KeptLog() const {
    for (const auto& e : fs::directory_iterator(Root() / ".seam")) {
      const std::string name = e.path().filename().string();
      if (name.rfind("events.db.kept-", 0) == 0 && name.back() == 'Z') return e.path();
    }
    return {};
  }
  void ExecSql(const std::string& sql) {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(DbFile().c_str(), &h), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(h);
  }
  // After a start-over: the first event names the kept log; adopting from the cli brings the
  // seam back in sync and the gateway gets the cli's value.
  void ExpectStartedOverAndAdopted(const std::string& reason, bool intact) {
    const std::vector<nlohmann::json> log = LogEvents();
    ASSERT_FALSE(log.empty());
    EXPECT_EQ(log[0]["type"], "LogStarted");
    EXPECT_EQ(log[0]["stream"], "seam/log");
    const std::string line = log[0].dump();
    EXPECT_TRUE(Contains(line, reason)) << line;
    EXPECT_TRUE(Contains(line, KeptLog().filename().string())) << line;
    EXPECT_TRUE(Contains(line, intact ? "\"previous_intact\":true" : "\"previous_intact\":false")) << line;
    ProcessResult before = Seamctl({"check"});
    EXPECT_EQ(before.exit_code, 1) << "nothing recorded yet: the sides hold values the new log never had";
    ProcessResult adopt = Seamctl({"adopt", kSeam, "--from", "cli"});
    ASSERT_EQ(adopt.exit_code, 0) << adopt.out << adopt.err;
    ProcessResult check = Seamctl({"check"});
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
    EXPECT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  }
};

TEST_F(RecoveryTest, ALostKeyLeadsToANewLogAdoptedFromTheSidesWithTheOldOneKept) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  const std::size_t events = LogEvents().size();
  const std::string old_log = seam::testing::ReadFile(DbFile());
  fs::remove(KeyFile());

  ProcessResult check = Seamctl({"check"});
  EXPECT_TRUE(IsCleanError(check, "run `seamctl init`")) << check.err;
  ProcessResult init = Seamctl({"init"});
  EXPECT_TRUE(IsCleanError(init, "`seamctl init --start-over \"key lost\"`")) << init.err;

  ProcessResult over = Seamctl({"init", "--start-over", "key lost"});
  ASSERT_EQ(over.exit_code, 0) << over.out << over.err;
  EXPECT_TRUE(Contains(over.out, "kept the previous log at ")) << over.out;
  EXPECT_TRUE(Contains(over.out, "(" + std::to_string(events) + " events, chain intact")) << over.out;
  EXPECT_TRUE(Contains(over.out, "created key file ")) << over.out;
  EXPECT_TRUE(Contains(over.out, "`seamctl adopt SEAM --from SIDE`")) << over.out;
  ASSERT_FALSE(KeptLog().empty());
  EXPECT_EQ(seam::testing::ReadFile(KeptLog()), old_log) << "the old log is kept as it was";
  ASSERT_NO_FATAL_FAILURE(ExpectStartedOverAndAdopted("key lost", true));
}

TEST_F(RecoveryTest, ATamperedLogIsKeptAsEvidenceAndANewChainStartsFromTheSides) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ASSERT_NO_FATAL_FAILURE(ExecSql("DROP TRIGGER events_no_update; UPDATE events SET actor='mallory' WHERE seq=2;"));
  ProcessResult refused = Seamctl({"token", "rotate", kSeam});
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  ProcessResult verify = Seamctl({"verify"});
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_TRUE(Contains(verify.out, "`seamctl init --start-over \"tampered\"`")) << verify.out;

  ProcessResult over = Seamctl({"init", "--start-over", "tampered"});
  ASSERT_EQ(over.exit_code, 0) << over.out << over.err;
  EXPECT_TRUE(Contains(over.out, "chain BROKEN at seq 2")) << over.out;
  EXPECT_TRUE(Contains(over.out, "kept existing key file ")) << over.out;
  // The evidence still shows the break.
  ProcessResult evidence = Seamctl({"verify"}, {{"SEAM_STORE_URL", "sqlite:" + KeptLog().string()}});
  EXPECT_EQ(evidence.exit_code, 1) << evidence.out << evidence.err;
  ASSERT_NO_FATAL_FAILURE(ExpectStartedOverAndAdopted("tampered", false));
}

TEST_F(RecoveryTest, ALogInUseOrABadReasonIsRefusedAndNothingMoves) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  EXPECT_EQ(Seamctl({"init", "--start-over", ""}).exit_code, 2);
  EXPECT_EQ(Seamctl({"init", "--start-over", "line\nbreak"}).exit_code, 2);
  // Another process (seamd, say) has the log open: its WAL stays, so the file alone is not the log.
  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open_v2(DbFile().c_str(), &reader, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(reader, "SELECT count(*) FROM events;", nullptr, nullptr, nullptr), SQLITE_OK);
  ProcessResult busy = Seamctl({"init", "--start-over", "key lost"});
  sqlite3_close(reader);
  EXPECT_TRUE(IsCleanError(busy, "is open in another process (is seamd running? stop it first); nothing moved"))
      << busy.err;
  EXPECT_TRUE(KeptLog().empty());
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
  EXPECT_EQ(LogEvents().size(), 3u) << "the log is the one it was";
}

}  // namespace
}  // namespace seam::e2e
