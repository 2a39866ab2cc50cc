// Another program changing a file side between seamctl's read and its rename: seamctl is stopped
// at the fault point just before the rename (SEAM_FAULT=stop:replace-file:before-rename:<path>),
// the file is swapped, and seamctl goes on. Nothing of the other program's is written through,
// overwritten or lost, and the refusal is said. (Each window in-process, for every kind of
// change: tests/plugins/common/replace_read_file_test.cc.)
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "tests/e2e/daemon_process.h"
#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

using seam::testing::ReadFile;
using seam::testing::WriteFile;
using namespace std::chrono_literals;

class FileRacesTest : public SeamctlTest {
 protected:
  // `process`'s state letter in /proc: 'T' stopped, 'Z' exited, '?' gone.
  static char State(pid_t pid) {
    std::string stat;
    try {
      stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
    } catch (...) {
      return '?';
    }
    const std::size_t paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() ? stat[paren + 2] : '?';
  }

  // Runs seamctl ARGS until it stops at fault point `point`, calls `change`, lets it go on and
  // returns its exit status (-1 when it never stopped there or did not exit in time).
  int RunChangingAt(const std::vector<std::string>& args, const std::string& point, const std::function<void()>& change) {
    std::vector<std::string> argv = {SEAMCTL_PATH, "-c", ConfigPath().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    DaemonProcess seamctl;
    std::string error;
    if (!seamctl.Start(argv, Root(), Root() / "stopped-seamctl.log", {{"SEAM_FAULT", "stop:" + point}, {"SEAM_ACTOR", "e2e"}},
                       {"SEAM_CONFIG", "SEAM_LOG_LEVEL", "SEAM_STORE_URL"}, &error)) {
      ADD_FAILURE() << error;
      return -1;
    }
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (State(seamctl.pid()) != 'T') {
      if (State(seamctl.pid()) == 'Z' || std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "seamctl never stopped at " << point << ":\n" << Log();
        return -1;
      }
      std::this_thread::sleep_for(5ms);
    }
    change();
    seamctl.Signal(SIGCONT);
    return seamctl.Wait(30s);
  }
  std::string Log() const { return ReadFile(Root() / "stopped-seamctl.log"); }
};

TEST_F(FileRacesTest, ACliFileSwappedForASymlinkBeforeTheRenameIsNotWrittenThrough) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string issued = *CliToken();
  const fs::path elsewhere = Root() / "elsewhere.json";
  const std::string theirs = R"({"token": "another-tools-token-0123456789abcdef"})";
  WriteFile(elsewhere, theirs);

  const int code = RunChangingAt({"token", "rotate", kSeam}, "replace-file:before-rename:" + CliFile().string(), [&] {
    fs::remove(CliFile());
    fs::create_symlink(elsewhere, CliFile());
  });

  EXPECT_EQ(code, 2) << Log();
  EXPECT_NE(Log().find(CliFile().string() + " was replaced or rewritten while it was being written; it is put back; not writing"),
            std::string::npos)
      << Log();
  EXPECT_TRUE(fs::is_symlink(CliFile()));
  EXPECT_EQ(fs::read_symlink(CliFile()), elsewhere);
  EXPECT_EQ(ReadFile(elsewhere), theirs);
  EXPECT_NE(GatewayToken(), Sha256HexOf(issued)) << "the gateway, written first, has the new token";
  EXPECT_FALSE(Contains(Log(), issued));
}

TEST_F(FileRacesTest, AnotherProgramsWriteBeforeTheRenameIsKept) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string theirs = R"({"token": "written-by-the-cli-itself-0123456789"})" "\n";

  const int code = RunChangingAt({"token", "rotate", kSeam}, "replace-file:before-rename:" + CliFile().string(), [&] {
    WriteFile(Root() / "cli" / ".paired.json.new", theirs);
    fs::rename(Root() / "cli" / ".paired.json.new", CliFile());
  });

  EXPECT_EQ(code, 2) << Log();
  EXPECT_EQ(ReadFile(CliFile()), theirs);
  EXPECT_EQ(CliToken(), "written-by-the-cli-itself-0123456789");
  // The refusal leaves the rotation pending on the CLI, which the log knows: check says so.
  int check_code = -1;
  const nlohmann::json report = CheckJson(&check_code);
  EXPECT_NE(check_code, 0) << report.dump(2);
}

}  // namespace
}  // namespace seam::e2e
