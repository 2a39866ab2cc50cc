#pragma once
// What the seamd suites share: seamd started as a real process on the fixture's config (its
// log in seamd.log), conditions polled with a deadline (never fixed sleeps), and file edits the
// way editors make them.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/daemon_process.h"
#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {

using seam::testing::ReadFile;
using seam::testing::WriteFile;
using std::chrono::milliseconds;

constexpr milliseconds kDeadline{5000};

// Polls `condition` every 15 ms until it holds or `deadline` passes.
inline bool WaitFor(const std::function<bool()>& condition, milliseconds deadline = kDeadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(milliseconds(15));
  }
}

inline std::optional<std::string> TokenIn(const fs::path& file) {
  const nlohmann::json doc = nlohmann::json::parse(ReadFile(file), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("token") || !doc["token"].is_string()) {
    return std::nullopt;
  }
  return doc["token"].get<std::string>();
}

// Replaces `file` the way vim and most tools save: a new file, renamed over the old one.
inline void RenameReplace(const fs::path& file, const std::string& content) {
  const fs::path temp = file.parent_path() / ("." + file.filename().string() + ".swp");
  WriteFile(temp, content);
  fs::rename(temp, file);
}

// The events of `type` in a `log --json`, oldest first.
inline std::vector<nlohmann::json> OfType(const std::vector<nlohmann::json>& events, const std::string& type) {
  std::vector<nlohmann::json> out;
  for (const nlohmann::json& e : events) {
    if (e["type"] == type) out.push_back(e);
  }
  return out;
}

class SeamdTest : public SeamctlTest {
 protected:
  fs::path DaemonLogFile() const { return Root() / "seamd.log"; }
  std::string DaemonLog() const { return ReadFile(DaemonLogFile()); }

  // Starts seamd on seam.toml and waits for its start-up pass over `seams`.
  void StartSeamd(const std::vector<std::string>& seams = {kSeam},
                  const std::map<std::string, std::string>& env = {}) {
    // Only this run's lines count (a test may start seamd twice).
    const std::size_t offset = DaemonLog().size();
    std::string error;
    ASSERT_TRUE(seamd_.Start({SEAMD_PATH, "-c", ConfigPath().string(), "--log-level", "debug"}, Root(),
                             DaemonLogFile(), env, {"SEAM_CONFIG", "SEAM_LOG_LEVEL", "SEAM_FAULT", "SEAM_ACTOR", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"},
                             &error))
        << error;
    for (const std::string& seam : seams) {
      ASSERT_TRUE(WaitFor([&] { return Contains(DaemonLog().substr(offset), "seam " + seam + " ("); }))
          << DaemonLog();
    }
  }
  void StopSeamd(int signal_number = SIGTERM) {
    seamd_.Signal(signal_number);
    EXPECT_EQ(seamd_.Wait(kDeadline), 0) << DaemonLog();
  }
  void TearDown() override {
    if (seamd_.running()) StopSeamd();
    if (HasFailure()) std::cerr << "--- seamd log ---\n" << DaemonLog();
  }

  int CheckCode() { return Seamctl({"check"}).exit_code; }
  std::vector<std::string> Types() { return EventTypes(LogEvents()); }

  DaemonProcess seamd_;
};

}  // namespace seam::e2e
