// seamd on a full disk: the filesystem holding the log fills up while seamd runs, and a side
// drifts. seamd cannot record the drift (nor repair it: a repair records its intent first), says
// so once in its log, and goes on observing and reporting: `seamctl status` (its listener) and
// `seamctl check` (the log read beside it) show the drift. Once space is freed, the next pass
// records the drift and repairs it.
//
// seamd runs inside a private mount namespace (tests/e2e/mount_namespace.h) where the state
// directory is a 1 MiB tmpfs; the script drives it and keeps what the steps printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/mount_namespace.h"

namespace seam::e2e {
namespace {

using seam::testing::ReadFile;
using seam::testing::WriteFile;

int CountLines(const std::string& text, const std::string& a, const std::string& b) {
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += Contains(line, a) && Contains(line, b) ? 1 : 0;
  return n;
}

class SeamdFullDiskTest : public SeamctlTest {
 protected:
  void SetUp() override {
    const std::string why = WhyNoMountNamespace();
    if (!why.empty()) GTEST_SKIP() << why;
  }
  seam::testing::TempDir scratch_;
};

TEST_F(SeamdFullDiskTest, SeamdKeepsObservingAndReportingAndSaysOnceThatItCannotRecord) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string issued = *CliToken();
  const std::size_t events = LogEvents().size();
  const fs::path scratch = scratch_.path();
  // The CLI's file as another program will leave it: a token the log never had.
  const std::string drifted = "hand-written-while-the-disk-is-full-0123";
  SetCliToken(drifted);
  fs::copy_file(CliFile(), scratch / "drifted.json");
  SetCliToken(issued);

  ProcessOptions options;
  options.cwd = Root();
  options.env = {{"SEAMCTL", SEAMCTL_PATH}, {"SEAMD", SEAMD_PATH},       {"CONFIG", ConfigPath().string()},
                 {"ROOT", Root().string()}, {"SCRATCH", scratch.string()}, {"SEAM_ACTOR", "e2e"}};
  options.unset_env = {"SEAM_CONFIG", "SEAM_LOG_LEVEL", "SEAM_FAULT", "SEAM_LOCK_WAIT_MS", "NOTIFY_SOCKET"};
  options.timeout = std::chrono::milliseconds(120'000);
  const ProcessResult script = RunInMountNamespace(R"sh(
state_on_small_tmpfs
L="$SCRATCH/seamd.log"
# The CLI's file replaced at once, as a careful program does (cp alone would truncate it first,
# and a pass could see it empty).
drift() {
  must cp "$SCRATCH/drifted.json" "$ROOT/cli/.paired.json.new"
  must mv "$ROOT/cli/.paired.json.new" "$ROOT/cli/paired.json"
}
"$SEAMD" -c "$CONFIG" --log-level debug --listen 127.0.0.1:0 --port-file "$SCRATCH/port" >"$L" 2>&1 &
pid=$!
wait_for "ready: " "$L"
fill "$T/fill"
drift
wait_for "error: recording drift" "$L"
# More passes on the full disk: seamd retries with a backoff; each pass observes the drift again.
i=0
until [ "$(grep -c 'error: recording drift' "$L")" -ge 3 ]; do
  i=$((i + 1)); [ "$i" -le 1500 ] || fail "seamd made no third pass on the full disk"
  sleep 0.02
done
"$SEAMCTL" -c "$CONFIG" status --daemon "http://127.0.0.1:$(cat "$SCRATCH/port")" --json >"$SCRATCH/status.json" 2>"$SCRATCH/status.err"
echo $? >"$SCRATCH/status.rc"
step check-full check --json
# Space freed: the next pass (a write to the CLI's file wakes it) records the drift and repairs it.
must rm -f "$T/fill"
drift
wait_for "repaired side cli" "$L"
kill -TERM "$pid"
wait "$pid"
echo $? >"$SCRATCH/seamd.rc"
must umount "$ROOT/.seam"
must cp -a "$T/seam/." "$ROOT/.seam/"
)sh",
                                                   options);
  const std::string log = ReadFile(scratch / "seamd.log");
  ASSERT_FALSE(script.timed_out) << script.err << log;
  ASSERT_EQ(script.exit_code, 0) << script.out << script.err << "\n--- seamd log ---\n" << log;

  // Said once at warning level, however many passes met the full disk.
  const std::string full = "the disk holding it is full";
  EXPECT_EQ(CountLines(log, "seamd warning: ", full), 1) << log;
  EXPECT_GE(CountLines(log, "seamd debug: ", full), 2) << log;
  // The drift is announced when it is recorded (after the space was freed), not at every pass.
  EXPECT_EQ(CountLines(log, "reconcile info: ", "side cli drifted"), 1) << log;
  EXPECT_EQ(ReadFile(scratch / "seamd.rc"), "0\n") << log;

  // Reporting meanwhile: the listener and check both show the CLI drifted and the error.
  ASSERT_EQ(ReadFile(scratch / "status.rc"), "2\n") << ReadFile(scratch / "status.err");
  const nlohmann::json status = nlohmann::json::parse(ReadFile(scratch / "status.json"));
  const nlohmann::json& seam = status["seams"][0];
  EXPECT_EQ(seam["status"], "drift") << status.dump(2);
  EXPECT_EQ(SideOf(status, "cli")["verdict"], "foreign") << status.dump(2);
  ASSERT_FALSE(seam["errors"].empty()) << status.dump(2);
  EXPECT_TRUE(Contains(seam["errors"][0].get<std::string>(), full)) << status.dump(2);
  EXPECT_EQ(ReadFile(scratch / "check-full.rc"), "1\n") << ReadFile(scratch / "check-full.err");
  EXPECT_EQ(SideOf(nlohmann::json::parse(ReadFile(scratch / "check-full.out")), "cli")["verdict"], "foreign");

  // Space freed: the drift is recorded and repaired; nothing else was recorded while full.
  EXPECT_EQ(CliToken(), issued);
  const std::vector<nlohmann::json> after = LogEvents();
  std::vector<std::string> types;
  for (std::size_t i = events; i < after.size(); ++i) types.push_back(after[i]["type"]);
  EXPECT_NE(std::find(types.begin(), types.end(), "DriftOpened"), types.end()) << ::testing::PrintToString(types);
  EXPECT_NE(std::find(types.begin(), types.end(), "SideRepaired"), types.end()) << ::testing::PrintToString(types);
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
}

}  // namespace
}  // namespace seam::e2e
