// seamd never waits on a slow side: a seam whose exec side blocks (its read waits on a FIFO the
// test holds) runs on the slow lane, and a json-file seam beside it is still repaired at once;
// SIGTERM ends the blocked program instead of waiting for its timeout. Real seamd, real
// processes; the assertions are about causes (the exec read is still blocked when the repair is
// done), not times.
#include <fcntl.h>

#include "tests/e2e/seamd_fixture.h"

namespace seam::e2e {
namespace {

constexpr const char* kSlow = kBlockingSeam;

class SeamdLanesTest : public SeamdTest {
 protected:
  fs::path Fifo() const { return Root() / "fifo"; }
  fs::path Blocking() const { return Root() / "block"; }
  fs::path Blocked() const { return Root() / "reading-fifo"; }

  void WriteConfigs() { ASSERT_NO_FATAL_FAILURE(InitWithBlockingExecSeam()); }

  // Makes the next reads of the exec side block, and waits until one does.
  void BlockTheExecSide() {
    WriteFile(Blocking(), "");
    ASSERT_TRUE(WaitFor([&] { return fs::exists(Blocked()); }, milliseconds(10'000))) << DaemonLog();
  }

  // Lets the blocked read go on (a writer opens the FIFO and closes it).
  void Release() {
    fs::remove(Blocking());
    WriteFile(Fifo(), "go\n");
  }
};

TEST_F(SeamdLanesTest, AFileSeamIsRepairedWhileAnExecSideIsBlocked) {
  ASSERT_NO_FATAL_FAILURE(WriteConfigs());
  ASSERT_NO_FATAL_FAILURE(StartSeamd({kSeam, kSlow}));
  ASSERT_NO_FATAL_FAILURE(BlockTheExecSide());
  const std::optional<std::string> intended = CliToken();
  ASSERT_TRUE(intended.has_value());

  for (int round = 0; round < 3; ++round) {
    RenameReplace(CliFile(), R"({"token": "edited-by-hand-)" + std::to_string(round) + R"("})");
    ASSERT_TRUE(WaitFor([&] { return CliToken() == intended; })) << DaemonLog();
    // The cause, not a time: the repair was done while the exec read was still blocked.
    EXPECT_TRUE(fs::exists(Blocked())) << "the exec side's read ended before the repair:\n" << DaemonLog();
  }
  Release();
  ASSERT_TRUE(WaitFor([&] { return !fs::exists(Blocked()); }, milliseconds(10'000)));
  EXPECT_EQ(CheckCode(), 0);
}

TEST_F(SeamdLanesTest, SigtermEndsABlockedSideProgramInsteadOfWaitingForItsTimeout) {
  ASSERT_NO_FATAL_FAILURE(WriteConfigs());
  ASSERT_NO_FATAL_FAILURE(StartSeamd({kSeam, kSlow}));
  ASSERT_NO_FATAL_FAILURE(BlockTheExecSide());
  // The read would wait 60 s; StopSeamd allows 5.
  const auto asked = std::chrono::steady_clock::now();
  StopSeamd(SIGTERM);
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(30));
  // Its process group was killed: the mark stays (the script never got past `cat`), and no
  // reader holds the FIFO (a writer's open would block; O_NONBLOCK says ENXIO).
  EXPECT_TRUE(fs::exists(Blocked()));
  const int fd = ::open(Fifo().c_str(), O_WRONLY | O_NONBLOCK);
  EXPECT_LT(fd, 0) << "something still reads the FIFO after seamd stopped";
  if (fd >= 0) ::close(fd);
  EXPECT_TRUE(Contains(DaemonLog(), "SIGTERM: stopping")) << DaemonLog();
}

}  // namespace
}  // namespace seam::e2e
