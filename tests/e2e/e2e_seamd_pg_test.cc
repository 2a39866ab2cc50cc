// seamd on a PostgreSQL store, as a real process: it repairs a drift, keeps its confirmations
// in the database, and is woken by an operation another process records (LISTEN/NOTIFY).
#include <gtest/gtest.h>

#include "tests/e2e/pg_fixture.h"
#include "tests/e2e/seamd_fixture.h"

namespace seam::e2e {
namespace {

using SeamdPgTest = OnPostgres<SeamdTest>;

TEST_F(SeamdPgTest, RepairsConfirmsInTheDatabaseAndIsWokenByAnotherProcessesRotation) {
  ASSERT_NO_FATAL_FAILURE(InitOnPostgres());
  ASSERT_EQ(Seamctl({"token", "issue", kSeam}).exit_code, 0);
  const std::optional<std::string> issued = CliToken();
  ASSERT_NO_FATAL_FAILURE(StartSeamd());

  RenameReplace(CliFile(), R"({"token": "edited-by-hand-edited-by-hand-edited-by-han"})");
  EXPECT_TRUE(WaitFor([&] { return CliToken() == issued; })) << DaemonLog();
  EXPECT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "back in sync (repaired)"); })) << DaemonLog();
  // The tick flushes the book into seam_confirmations, for every host's agent.
  EXPECT_TRUE(WaitFor([&] { return Query("SELECT count(*) FROM seam_confirmations") == "2\n"; })) << DaemonLog();

  // A rotation by seamctl: seamd holds no lock between passes, and hears of it at once.
  ProcessResult rotate = Seamctl({"token", "rotate", kSeam});
  ASSERT_EQ(rotate.exit_code, 0) << rotate.out << rotate.err;
  EXPECT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "pass (log: TokenRotated by e2e"); })) << DaemonLog();
  EXPECT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "in_sync, version 7"); })) << DaemonLog();
  StopSeamd();
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
  const std::vector<std::string> types = EventTypes(LogEvents());
  EXPECT_EQ(std::count(types.begin(), types.end(), "SideRepaired"), 1);
}

}  // namespace
}  // namespace seam::e2e
