// seamd on a PostgreSQL store, as a real process: it repairs a drift, keeps its confirmations
// in the database, and is woken by an operation another process records (LISTEN/NOTIFY, on its
// loop: tools/seamd/store_socket_watch.h), also after the database restarted.
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
  EXPECT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "log: TokenRotated by e2e"); })) << DaemonLog();
  EXPECT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "in_sync, rev 2"); })) << DaemonLog();
  StopSeamd();
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
  const std::vector<nlohmann::json> events = LogEvents();
  const std::vector<std::string> types = EventTypes(events);
  EXPECT_EQ(std::count(types.begin(), types.end(), "SideRepaired"), 1);
  // On a shared store seamd owns the seam by a lease: its write was announced first, and every
  // event it appended is fenced by its epoch; seamctl's (the operations and their
  // confirmations) are not.
  EXPECT_EQ(std::count(types.begin(), types.end(), "RepairStarted"), 1);
  for (const nlohmann::json& e : events) {
    const std::string type = e["type"].get<std::string>();
    const bool by_seamd = type == "DriftOpened" || type == "RepairStarted" || type == "SideRepaired" ||
                          type == "DriftClosed";
    EXPECT_EQ(e["epoch"], by_seamd ? 1 : 0) << e.dump();
  }
}

// A server of its own (restarting the run's shared one would break the other tests).
TEST_F(SeamdTest, OnADatabaseThatRestartsItFailsClosedThenCarriesOn) {
  seam::testing::ThrowawayPostgres server;
  ASSERT_EQ(server.Start(), "");
  std::string config = StandardConfig();
  const std::string old = "[store]\npath = \".seam/events.db\"\n";
  config.replace(config.find(old), old.size(), "[store]\nurl = \"" + server.Url() + "\"\n");
  WriteConfig(config);
  WriteFreshSides();
  ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  ASSERT_EQ(Seamctl({"token", "issue", kSeam}).exit_code, 0);
  const std::optional<std::string> issued = CliToken();
  ASSERT_NO_FATAL_FAILURE(StartSeamd());

  server.Stop();  // immediate, as a crash
  const std::string edit = R"({"token": "edited-by-hand-edited-by-hand-edited-by-han"})";
  RenameReplace(CliFile(), edit);
  // No repair without the log: the pass fails, naming the database, and the side is left alone.
  EXPECT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "pass failed: cannot connect to postgresql://seam_admin@socket "); }))
      << DaemonLog();
  EXPECT_EQ(ReadFile(CliFile()), edit);
  // The append watch on seamd's loop lost its connection, says so once, and retries.
  EXPECT_TRUE(WaitFor([&] { return Contains(DaemonLog(), ": watching the log's appends: "); })) << DaemonLog();

  ASSERT_EQ(server.StartAgain(), "");
  const auto back = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitFor([&] { return CliToken() == issued; }, milliseconds(20000))) << DaemonLog();
  EXPECT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "repaired side cli (foreign -> rev 1)"); })) << DaemonLog();
  // The pass after the restart works on the first try: no "server closed the connection" (the
  // append watch's connection says so when the server goes, not a pass).
  EXPECT_FALSE(Contains(DaemonLog(), "pass failed: server closed the connection")) << DaemonLog();
  EXPECT_FALSE(Contains(DaemonLog(), "pass failed: lost the connection")) << DaemonLog();
  std::cerr << "repaired " << std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - back).count()
            << " ms after the server came back\n";
  // Listening again: another process's rotation wakes seamd.
  EXPECT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "watching the log's appends again"); }, milliseconds(10000)))
      << DaemonLog();
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  EXPECT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "log: TokenRotated by e2e"); })) << DaemonLog();
  StopSeamd();
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
}

}  // namespace
}  // namespace seam::e2e
