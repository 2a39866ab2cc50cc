// Faults in the environment rather than in seam's input: a side's directory that turns
// read-only, a full disk under the state directory or under a side, and the event log locked by
// another process past the busy timeout. Each must end in one clear line, no acknowledgement,
// nothing half-written (the chain verifies, no stray event, no side changed that the log does
// not account for), and a later run that completes.
//
// The tests run as root (here and in CI), for whom permissions do not make a directory
// read-only. Mounts do: each scenario runs its seamctl steps in a private mount namespace
// (`unshare -m`), where a bind mount remounted read-only gives EROFS and a small tmpfs gives
// ENOSPC, even for root. Everything mounted there vanishes when the namespace's shell exits;
// the steps' output and exit codes are written to a scratch directory outside every mount and
// judged from here. Without the privilege to unshare (not root, no CAP_SYS_ADMIN) those tests
// are skipped, saying why.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/mount_namespace.h"

namespace seam::e2e {
namespace {

using seam::testing::ReadFile;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

class EnvFaultTest : public SeamctlTest {
 protected:
  void SetUp() override {
    const std::string why = WhyNoMountNamespace();
    if (!why.empty()) GTEST_SKIP() << why;
  }

  fs::path Scratch() const { return scratch_.path(); }

  // Runs `body` (after kMountNamespacePrelude) in a private mount namespace, in the seam's directory. Fails
  // the test unless the script itself ran to its end (its steps are judged separately).
  void InNamespace(const std::string& body) {
    ProcessOptions options;
    options.cwd = Root();
    options.env = {{"SEAMCTL", SEAMCTL_PATH},
                   {"CONFIG", ConfigPath().string()},
                   {"ROOT", Root().string()},
                   {"SCRATCH", Scratch().string()},
                   {"SEAM_ACTOR", "e2e"}};
    options.unset_env = {"SEAM_CONFIG", "SEAM_LOG_LEVEL", "SEAM_FAULT", "SEAM_LOCK_WAIT_MS"};
    options.timeout = milliseconds(120'000);
    const ProcessResult r = RunInMountNamespace(body, options);
    ASSERT_FALSE(r.timed_out) << "the namespace script timed out\n" << r.err;
    ASSERT_EQ(r.exit_code, 0) << "the namespace script failed\n" << r.out << r.err;
  }

  // What a `step NAME ...` in the last script printed and returned (exit -1: it did not run).
  ProcessResult Step(const std::string& name) const {
    ProcessResult r;
    const fs::path rc = Scratch() / (name + ".rc");
    if (!fs::exists(rc)) return r;
    r.exit_code = std::stoi(ReadFile(rc));
    r.out = ReadFile(Scratch() / (name + ".out"));
    r.err = ReadFile(Scratch() / (name + ".err"));
    return r;
  }

  int Count(const std::string& type) {
    const std::vector<nlohmann::json> events = LogEvents();
    return static_cast<int>(std::count_if(events.begin(), events.end(),
                                          [&](const nlohmann::json& e) { return e["type"] == type; }));
  }

  // The two side files, as TakeSnapshot sees them.
  Snapshot SideFiles() const {
    Snapshot all = TakeSnapshot(Root());
    Snapshot sides;
    for (const char* f : {"cli/paired.json", "gateway/state.json"}) sides[f] = all[f];
    return sides;
  }

  // After a fault and its recovery: every side holds the log's latest version, nothing is
  // pending, and the chain verifies.
  void ExpectConverged() {
    int code = -1;
    const nlohmann::json report = CheckJson(&code);
    EXPECT_EQ(code, 0) << report.dump(2);
    ASSERT_TRUE(report.contains("seams")) << report.dump(2);
    const nlohmann::json& seam = report["seams"][0];
    EXPECT_EQ(seam["status"], "in_sync") << report.dump(2);
    EXPECT_TRUE(seam["pending"].is_null()) << report.dump(2);
    for (const nlohmann::json& side : seam["sides"]) {
      EXPECT_EQ(side["holds_version"], seam["intended"]["version"]) << report.dump(2);
    }
    const ProcessResult verify = Seamctl({"verify"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    ASSERT_TRUE(CliToken().has_value());
    EXPECT_EQ(GatewayToken(), Sha256HexOf(*CliToken()));
  }

  seam::testing::TempDir scratch_;
};

// Exactly one line on stderr, "seamctl: error: ...", containing `needle`, with exit `code`.
::testing::AssertionResult IsOneLineError(const ProcessResult& r, int code, const std::string& needle) {
  auto fail = [&](const std::string& why) {
    return ::testing::AssertionFailure() << why << "\n  exit: " << r.exit_code << "\n  stdout: " << r.out
                                         << "\n  stderr: " << r.err;
  };
  if (r.exit_code != code) return fail("expected exit " + std::to_string(code));
  if (r.err.rfind("seamctl: error: ", 0) != 0) return fail("stderr does not start with `seamctl: error: `");
  if (r.err.back() != '\n' || r.err.find('\n') != r.err.size() - 1) return fail("stderr is not exactly one line");
  if (r.err.find(needle) == std::string::npos) return fail("stderr does not mention `" + needle + "`");
  return ::testing::AssertionSuccess();
}

bool Acknowledged(const ProcessResult& r) { return Contains(r.out, "recorded as rev"); }

// 1. The CLI's directory is read-only from the start: the pre-check refuses the rotation before
// anything is recorded or written, naming the side and its directory.
TEST_F(EnvFaultTest, ReadOnlySideDirectoryIsRefusedBeforeAnythingIsRecorded) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::size_t events = LogEvents().size();
  const Snapshot before = TakeSnapshot(Root());

  ASSERT_NO_FATAL_FAILURE(InNamespace(R"sh(
ro "$ROOT/cli"
step rotate token rotate device-token
)sh"));
  const ProcessResult rotate = Step("rotate");
  EXPECT_TRUE(IsCleanError(rotate, "side cli cannot be written")) << "the pre-check names the side";
  EXPECT_TRUE(Contains(rotate.err, (Root() / "cli").string() + " is not writable")) << rotate.err;
  EXPECT_TRUE(Contains(rotate.err, "nothing was recorded or written")) << rotate.err;
  EXPECT_FALSE(Acknowledged(rotate)) << rotate.out;
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "") << "no side written, nothing appended";
  EXPECT_EQ(LogEvents().size(), events);

  // Writable again (the namespace is gone): the same command completes.
  const ProcessResult again = Seamctl({"token", "rotate", kSeam});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(Count("TokenRotated"), 1);
  ExpectConverged();
}

// 2. The CLI's directory turns read-only after the intent is recorded and the gateway written
// (the gateway's on_repair hook remounts it, inside the namespace, between the two writes):
// the rotation is not acknowledged, it stays pending on cli, and `repair` completes it once the
// directory is writable again.
TEST_F(EnvFaultTest, SideDirectoryTurningReadOnlyMidOperationLeavesItPending) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string cli_before = ReadFile(CliFile());
  // The hook only ever runs inside the namespace: the config is put back before anything else.
  WriteConfig(StandardConfig() + "on_repair = [\"mount\", \"-o\", \"remount,bind,ro\", \"cli\"]\n");

  ASSERT_NO_FATAL_FAILURE(InNamespace(R"sh(
must mount --bind "$ROOT/cli" "$ROOT/cli"
step rotate token rotate device-token
step check check --json
step verify verify
)sh"));
  WriteConfig(StandardConfig());
  const ProcessResult rotate = Step("rotate");
  EXPECT_TRUE(IsCleanError(rotate, "side cli not written")) << "the failed side is named";
  EXPECT_TRUE(Contains(rotate.err, "Read-only file system")) << rotate.err;
  EXPECT_TRUE(Contains(rotate.err, "is pending there")) << rotate.err;
  EXPECT_TRUE(Contains(rotate.out, "gateway: written and confirmed")) << rotate.out;
  EXPECT_TRUE(Contains(rotate.out, "cli: NOT written")) << rotate.out;
  EXPECT_EQ(ReadFile(CliFile()), cli_before) << "the CLI's file was not touched";
  EXPECT_EQ(Step("verify").exit_code, 0) << Step("verify").out << Step("verify").err;
  const ProcessResult check = Step("check");
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  const nlohmann::json report = nlohmann::json::parse(check.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << check.out << check.err;
  // cli lags behind the gateway: drift outranks pending in the seam's status.
  EXPECT_EQ(report["seams"][0]["status"], "drift") << check.out;
  EXPECT_EQ(report["seams"][0]["pending"]["sides"], nlohmann::json::array({"cli"})) << check.out;

  // Outside the namespace: the same picture, then one repair finishes the rotation.
  int code = -1;
  const nlohmann::json outside = CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(outside["seams"][0]["pending"]["sides"], nlohmann::json::array({"cli"})) << outside.dump(2);
  const ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(Count("TokenRotated"), 1);
  ExpectConverged();
}

// 3. The state directory is on a full filesystem: the rotation cannot record its intent, so it
// writes no side and acknowledges nothing; the log stays intact; once space is freed, the same
// command completes. SQLite fails at one of two places, depending on whether its
// shared-memory index (events.db-shm, 32 KiB, left behind by any reader) is already there:
//  - kAppend: the index is there, so the log opens and the append's commit runs out of space;
//  - kOpen: it is not, so opening the log (even to read) cannot create it.
enum class FullAt { kAppend, kOpen };
void PrintTo(FullAt at, std::ostream* os) { *os << (at == FullAt::kOpen ? "at open" : "at append"); }

class EnvFaultFullStateTest : public EnvFaultTest, public ::testing::WithParamInterface<FullAt> {};

TEST_P(EnvFaultFullStateTest, FullStateDirectoryRecordsNothingAndALaterRunCompletes) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const bool at_open = GetParam() == FullAt::kOpen;
  const std::size_t events = LogEvents().size();
  const Snapshot sides_before = SideFiles();
  // Only an empty (checkpointed) WAL may be dropped with the index below: it holds no data.
  const fs::path wal = DbFile().string() + "-wal";
  ASSERT_TRUE(!fs::exists(wal) || fs::file_size(wal) == 0) << "the last writer left a non-empty WAL";

  const std::string prepare = at_open ? R"sh(
must rm -f "$T/seam/events.db-shm" "$T/seam/events.db-wal"
)sh"
                                      : R"sh(
step warm check
[ -e "$ROOT/.seam/events.db-shm" ] || fail "a reader left no events.db-shm"
)sh";
  ASSERT_NO_FATAL_FAILURE(InNamespace(R"sh(
state_on_small_tmpfs
)sh" + prepare + R"sh(
fill "$T/fill"
step rotate-full token rotate device-token
must cp -p "$ROOT/cli/paired.json" "$ROOT/gateway/state.json" "$SCRATCH/"
step verify-full verify
step log-full log --json
must rm -f "$T/fill"
step verify-freed verify
step rotate-freed token rotate device-token
step check-freed check
# The tmpfs vanishes with the namespace: bring the log back out for the test to judge.
must umount "$ROOT/.seam"
must cp -a "$T/seam/." "$ROOT/.seam/"
)sh"));

  const ProcessResult full = Step("rotate-full");
  EXPECT_TRUE(IsCleanError(full, "event log " + DbFile().string())) << "names the event log";
  if (at_open) {
    // SQLite reports the index it cannot extend as an I/O error, not as a full disk.
    EXPECT_TRUE(Contains(full.err, "disk I/O error") || Contains(full.err, "full")) << full.err;
  } else {
    EXPECT_TRUE(Contains(full.err, "append failed (database or disk is full)")) << full.err;
  }
  EXPECT_FALSE(Acknowledged(full)) << full.out;
  EXPECT_EQ(ReadFile(Scratch() / "paired.json"), sides_before.at("cli/paired.json").bytes)
      << "no side written without a recorded intent";
  EXPECT_EQ(ReadFile(Scratch() / "state.json"), sides_before.at("gateway/state.json").bytes);

  // While the disk is still full: the chain is intact and holds no rotation. Without room for
  // its index the log is read from its file alone (next test), so both answer either way.
  const ProcessResult verify_full = Step("verify-full");
  const ProcessResult log_full = Step("log-full");
  EXPECT_EQ(verify_full.exit_code, 0) << verify_full.out << verify_full.err;
  EXPECT_EQ(log_full.exit_code, 0) << log_full.err;
  EXPECT_FALSE(Contains(log_full.out, "\"TokenRotated\"")) << log_full.out;

  // Space freed: the log verifies and the same command completes.
  EXPECT_EQ(Step("verify-freed").exit_code, 0) << Step("verify-freed").out << Step("verify-freed").err;
  const ProcessResult freed = Step("rotate-freed");
  EXPECT_EQ(freed.exit_code, 0) << freed.out << freed.err;
  EXPECT_EQ(Step("check-freed").exit_code, 0) << Step("check-freed").out << Step("check-freed").err;

  // The log as the namespace left it: exactly the one rotation that was acknowledged.
  const std::vector<nlohmann::json> after = LogEvents();
  ASSERT_EQ(after.size(), events + 3) << "TokenRotated and two SideApplied, nothing else";
  EXPECT_EQ(after[events]["type"], "TokenRotated");
  EXPECT_EQ(after[events + 1]["type"], "SideApplied");
  EXPECT_EQ(after[events + 2]["type"], "SideApplied");
  ExpectConverged();
}

INSTANTIATE_TEST_SUITE_P(EnvFault, EnvFaultFullStateTest, ::testing::Values(FullAt::kAppend, FullAt::kOpen),
                         [](const ::testing::TestParamInfo<FullAt>& p) {
                           return std::string(p.param == FullAt::kOpen ? "AtOpen" : "AtAppend");
                         });

// 3b. The read-only commands answer on a full disk, exactly when a person needs them. With no
// other process holding the log open there is no events.db-shm, and a reader cannot create the
// 32 KiB index on a full filesystem: the log is then read from its file alone (the WAL is empty)
// and each command says, on stderr, that nothing can be recorded.
TEST_F(EnvFaultTest, ReadOnlyCommandsAnswerOnAFullDisk) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  SetCliToken("drifted-by-hand-0123456789abcdef");  // a drift for check, drift and audit to report
  const std::vector<nlohmann::json> events = LogEvents();
  const fs::path wal = DbFile().string() + "-wal";
  ASSERT_TRUE(!fs::exists(wal) || fs::file_size(wal) == 0) << "the last writer left a non-empty WAL";
  const std::vector<std::vector<std::string>> commands = {
      {"check", "check"}, {"check-json", "check", "--json"}, {"log", "log"}, {"log-seam", "log", "--seam", kSeam},
      {"verify", "verify"}, {"audit", "audit", kSeam}, {"audit-all", "audit", "--all", "--json"},
      {"drift", "drift", kSeam}, {"head", "head"}};
  std::string steps;
  for (const std::vector<std::string>& c : commands) {
    steps += "step";
    for (const std::string& word : c) steps += " " + word;
    steps += "\n";
  }
  ASSERT_NO_FATAL_FAILURE(InNamespace(R"sh(
state_on_small_tmpfs
must rm -f "$T/seam/events.db-shm" "$T/seam/events.db-wal"
fill "$T/fill"
)sh" + steps));

  // The same commands with room to spare, for what each answers normally.
  for (const std::vector<std::string>& c : commands) {
    SCOPED_TRACE(c[0]);
    const ProcessResult full = Step(c[0]);
    const ProcessResult roomy = Seamctl(std::vector<std::string>(c.begin() + 1, c.end()));
    EXPECT_EQ(full.exit_code, roomy.exit_code) << full.out << full.err;
    // The same answer, but for the time it was given (audit --json says when it ran: "now").
    auto without_now = [](const std::string& text) {
      std::istringstream in(text);
      std::string kept, line;
      while (std::getline(in, line)) {
        if (line.find("\"now\": ") == std::string::npos) kept += line + "\n";
      }
      return kept;
    };
    EXPECT_EQ(without_now(full.out), without_now(roomy.out));
    EXPECT_FALSE(Contains(full.err, "seamctl: error")) << full.err;
    EXPECT_TRUE(Contains(full.err, "event log " + DbFile().string() + ": the disk holding it is full, so nothing can "
                                   "be recorded; read from the database file alone"))
        << full.err;
  }
  EXPECT_EQ(Step("check").exit_code, 1) << "the drift is reported, as with room";
  EXPECT_EQ(LogEvents().size(), events.size()) << "nothing recorded";
}

// 3c. The same, but a writer was killed and left committed events in events.db-wal, and its
// index is gone: the database file alone would miss them, so the read is refused, in one line.
TEST_F(EnvFaultTest, AFullDiskWithEventsOnlyInTheWalIsOneClearError) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ASSERT_NO_FATAL_FAILURE(InNamespace(R"sh(
state_on_small_tmpfs
SEAM_FAULT=after-side-applied:cli "$SEAMCTL" -c "$CONFIG" token rotate device-token >/dev/null 2>&1
[ -s "$T/seam/events.db-wal" ] || fail "the killed writer left no WAL"
must rm -f "$T/seam/events.db-shm"
fill "$T/fill"
step check-full check
)sh"));
  const ProcessResult check = Step("check-full");
  EXPECT_TRUE(IsOneLineError(check, 2, "event log " + DbFile().string())) << check.err;
  EXPECT_TRUE(Contains(check.err, "the disk holding it is full")) << check.err;
  EXPECT_EQ(check.out, "");
}

// 4. A side's directory is on a full filesystem. Whatever stage notices it (the pre-check, or the
// write after the intent), nothing is acknowledged, the log stays intact, and once space is
// freed one repair (or the next run) converges.
TEST_F(EnvFaultTest, FullSideDirectoryIsRefusedOrLeftPendingThenRepaired) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::string gateway_before = ReadFile(GatewayFile());

  ASSERT_NO_FATAL_FAILURE(InNamespace(R"sh(
T="$SCRATCH/fs"
must mkdir "$T"
must mount -t tmpfs -o size=256k tmpfs "$T"
must cp -a "$ROOT/gateway" "$T/gw"
must mount --bind "$T/gw" "$ROOT/gateway"
fill "$T/fill"
step rotate token rotate device-token
must cp -p "$ROOT/gateway/state.json" "$SCRATCH/state.json"
step check check --json
step verify verify
must rm -f "$T/fill"
step repair repair
step check-after check
must umount "$ROOT/gateway"
must cp -p "$T/gw/state.json" "$ROOT/gateway/state.json"
)sh"));

  const ProcessResult rotate = Step("rotate");
  EXPECT_FALSE(Contains(rotate.out, "gateway: written and confirmed")) << rotate.out;
  EXPECT_EQ(ReadFile(Scratch() / "state.json"), gateway_before) << "the gateway's file is whole and unchanged";
  EXPECT_EQ(Step("verify").exit_code, 0) << Step("verify").out << Step("verify").err;
  const ProcessResult check = Step("check");
  const nlohmann::json report = nlohmann::json::parse(check.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << check.out << check.err;
  if (Acknowledged(rotate)) {
    // The intent was recorded; the gateway's write ran out of space: pending on the gateway.
    EXPECT_TRUE(IsCleanError(rotate, "side gateway not written")) << "names the side";
    EXPECT_TRUE(Contains(rotate.err, "No space left on device")) << rotate.err;
    EXPECT_TRUE(Contains(rotate.err, "is pending there")) << rotate.err;
    // The CLI comes after the gateway in `order`: it must not get a token the gateway lacks.
    EXPECT_TRUE(Contains(rotate.out, "cli: not written (waits for side gateway")) << rotate.out;
    EXPECT_EQ(check.exit_code, 1) << check.out;
    EXPECT_EQ(report["seams"][0]["status"], "drift") << "the gateway lags: drift outranks pending\n" << check.out;
    const nlohmann::json& pending = report["seams"][0]["pending"]["sides"];
    EXPECT_NE(std::find(pending.begin(), pending.end(), "gateway"), pending.end()) << check.out;
    EXPECT_EQ(Count("TokenRotated"), 1);
  } else {
    // Refused by the pre-check: nothing recorded.
    EXPECT_TRUE(IsCleanError(rotate, "side gateway")) << "names the side";
    EXPECT_TRUE(Contains(rotate.err, "nothing was recorded")) << rotate.err;
    EXPECT_EQ(check.exit_code, 0) << check.out;
    EXPECT_EQ(Count("TokenRotated"), 0);
  }
  const ProcessResult repair = Step("repair");
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(Step("check-after").exit_code, 0) << Step("check-after").out << Step("check-after").err;
  ExpectConverged();
}

// sqlite3 (the command-line tool) holding the event log's write lock until it is closed.
class LogLockHolder {
 public:
  explicit LogLockHolder(const fs::path& db) {
    int in[2] = {-1, -1};
    int out[2] = {-1, -1};
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
      for (int fd : {in[0], in[1], out[0], out[1]}) {
        if (fd >= 0) ::close(fd);
      }
      return;
    }
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::dup2(out[1], 2);
      ::execlp("sqlite3", "sqlite3", "-batch", db.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    if (pid_ < 0) Release();
  }
  ~LogLockHolder() { Release(); }
  LogLockHolder(const LogLockHolder&) = delete;
  LogLockHolder& operator=(const LogLockHolder&) = delete;

  // Sends `sql` and waits until the tool has printed `marker` (a SELECT after it), so the lock
  // is known to be held. False, with what it printed, when it did not within the deadline.
  bool Run(const std::string& sql, const std::string& marker, std::string* printed) {
    if (pid_ <= 0) return false;
    const std::string text = sql + "\nSELECT '" + marker + "';\n";
    if (::write(stdin_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) return false;
    const auto deadline = steady_clock::now() + milliseconds(10'000);
    while (printed->find(marker) == std::string::npos) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now()).count();
      if (left <= 0) return false;
      pollfd p{stdout_, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return false;
      char buf[4096];
      const ssize_t n = ::read(stdout_, buf, sizeof buf);
      if (n <= 0) return false;
      printed->append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }

  // Closes its stdin: sqlite3 exits, rolling the open transaction back. Waits for it (then
  // kills it past a deadline).
  void Release() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
    if (pid_ > 0) {
      const auto deadline = steady_clock::now() + milliseconds(10'000);
      int status = 0;
      while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (steady_clock::now() >= deadline) {
          ::kill(pid_, SIGKILL);
          ::waitpid(pid_, &status, 0);
          break;
        }
        ::poll(nullptr, 0, 10);
      }
      pid_ = -1;
    }
    if (stdout_ >= 0) ::close(stdout_);
    stdout_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
};

// 5. Another process holds the event log's write lock past the busy timeout (5 s): the rotation
// gives up with exit 3 (retryable) and one line saying so, having written no side; readers are
// not blocked; once the lock is released, the same command completes. Needs no namespace.
using EnvFaultLockTest = SeamctlTest;

TEST_F(EnvFaultLockTest, EventLogLockedPastTheBusyTimeoutIsRetryableAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  const std::size_t events = LogEvents().size();
  const std::string cli_before = ReadFile(CliFile());
  const std::string gateway_before = ReadFile(GatewayFile());

  LogLockHolder holder(DbFile());
  std::string printed;
  ASSERT_TRUE(holder.Run("BEGIN IMMEDIATE;", "lock-held", &printed)) << "sqlite3 did not take the lock: " << printed;

  const auto start = steady_clock::now();
  const ProcessResult rotate = Seamctl({"token", "rotate", kSeam});
  const auto waited = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
  EXPECT_TRUE(IsOneLineError(rotate, 3, "event log " + DbFile().string() + " is locked by another process"));
  EXPECT_TRUE(Contains(rotate.err, "busy for 5000 ms")) << rotate.err;
  EXPECT_GE(waited.count(), 4500) << "gave up before the busy timeout";
  EXPECT_FALSE(Acknowledged(rotate)) << rotate.out;
  EXPECT_EQ(ReadFile(CliFile()), cli_before) << "no side written without a recorded intent";
  EXPECT_EQ(ReadFile(GatewayFile()), gateway_before);

  // Readers do not wait for the writer's lock.
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 0) << report.dump(2);
  EXPECT_EQ(LogEvents().size(), events) << "nothing appended";

  holder.Release();
  const ProcessResult again = Seamctl({"token", "rotate", kSeam});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(CheckJson(&code)["seams"][0]["status"], "in_sync");
  EXPECT_EQ(code, 0);
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
}

}  // namespace
}  // namespace seam::e2e
