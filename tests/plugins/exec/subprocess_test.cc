// The process runner on its own: real children, real pipes, real process groups.
#include "plugins/common/subprocess.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "tests/plugins/exec/exec_fixture.h"

namespace seam {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::Contains;
using testing::ProcessGone;
using testing::ReadPid;
using testing::TempDir;
using testing::WriteScript;

SubprocessRequest Sh(const std::string& script) {
  SubprocessRequest r;
  r.argv = {"sh", "-c", script};
  r.env = {"PATH=/usr/bin:/bin"};
  return r;
}

TEST(SubprocessTest, PassesStdinAndCollectsStdoutAndStderr) {
  SubprocessRequest r = Sh("cat; echo oops >&2");
  r.stdin_data = "hello\n";
  Result<SubprocessResult> run = RunSubprocess(r);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_TRUE(run->ok());
  EXPECT_EQ(run->stdout_bytes, "hello\n");
  EXPECT_EQ(run->stderr_bytes, "oops\n");
  EXPECT_FALSE(run->stderr_truncated);
  EXPECT_GT(run->pid, 0);
}

TEST(SubprocessTest, ReportsTheExitCode) {
  Result<SubprocessResult> run = RunSubprocess(Sh("exit 3"));
  ASSERT_TRUE(run.ok());
  EXPECT_FALSE(run->ok());
  EXPECT_EQ(run->end, SubprocessResult::End::kExited);
  EXPECT_EQ(run->exit_code, 3);
  EXPECT_EQ(DescribeEnd(*run, Sh("")), "exited 3");
}

TEST(SubprocessTest, ReportsADeathBySignal) {
  Result<SubprocessResult> run = RunSubprocess(Sh("kill -SEGV $$"));
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->end, SubprocessResult::End::kSignaled);
  EXPECT_EQ(run->signal, SIGSEGV);
  EXPECT_EQ(DescribeEnd(*run, Sh("")), "killed by signal 11 (SIGSEGV)");
}

TEST(SubprocessTest, StdinIsDevNullWithoutData) {
  Result<SubprocessResult> run = RunSubprocess(Sh("wc -c"));
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->stdout_bytes, "0\n");
}

TEST(SubprocessTest, LargeInputAndOutputDoNotDeadlock) {
  // Far more than a pipe buffer in both directions at once: cat blocks writing stdout until we
  // read it, while we are still writing its stdin.
  const std::string big(4 * 1024 * 1024, 'x');
  SubprocessRequest r = Sh("cat");
  r.stdin_data = big;
  r.stdout_limit = big.size();
  Result<SubprocessResult> run = RunSubprocess(r);
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run->ok()) << DescribeEnd(*run, r);
  EXPECT_EQ(run->stdout_bytes.size(), big.size());
}

TEST(SubprocessTest, AChildThatIgnoresItsStdinIsFine) {
  const std::string big(1024 * 1024, 'x');
  SubprocessRequest r = Sh("exit 0");
  r.stdin_data = big;
  Result<SubprocessResult> run = RunSubprocess(r);  // EPIPE, and no SIGPIPE kills us
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run->ok());
}

TEST(SubprocessTest, StdoutPastTheLimitKillsTheChild) {
  SubprocessRequest r = Sh("printf 0123456789");
  r.stdout_limit = 10;
  Result<SubprocessResult> exact = RunSubprocess(r);
  ASSERT_TRUE(exact.ok());
  EXPECT_TRUE(exact->ok());
  EXPECT_EQ(exact->stdout_bytes, "0123456789");

  r = Sh("exec yes");
  Result<SubprocessResult> flood = RunSubprocess(r);
  ASSERT_TRUE(flood.ok());
  EXPECT_EQ(flood->end, SubprocessResult::End::kStdoutOverflow);
  EXPECT_EQ(flood->stdout_bytes.size(), r.stdout_limit);
  EXPECT_EQ(DescribeEnd(*flood, r), "printed more than 1 MiB on stdout");
}

TEST(SubprocessTest, StderrPastItsLimitIsDroppedNotFatal) {
  SubprocessRequest r = Sh("printf 0123456789abcdef >&2; echo done");
  r.stderr_limit = 10;
  Result<SubprocessResult> run = RunSubprocess(r);
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run->ok());
  EXPECT_EQ(run->stderr_bytes, "0123456789");
  EXPECT_TRUE(run->stderr_truncated);
  EXPECT_EQ(run->stdout_bytes, "done\n");
}

TEST(SubprocessTest, TimeoutKillsTheWholeGroupAndReapsTheLeader) {
  TempDir dir;
  SubprocessRequest r = Sh("echo $$ > leader.pid; sleep 30 & echo $! > child.pid; wait");
  r.cwd = dir.path();
  r.timeout = 300ms;
  Result<SubprocessResult> run = RunSubprocess(r);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->end, SubprocessResult::End::kTimedOut);
  EXPECT_EQ(DescribeEnd(*run, r), "timed out after 300 ms");
  EXPECT_GE(run->elapsed, 300ms);
  EXPECT_LT(run->elapsed, 3s);
  EXPECT_EQ(ReadPid(dir / "leader.pid"), run->pid);
  EXPECT_TRUE(ProcessGone(run->pid, 0ms));  // reaped before RunSubprocess returned
  const pid_t child = ReadPid(dir / "child.pid");
  ASSERT_GT(child, 0);
  EXPECT_TRUE(ProcessGone(child));
}

TEST(SubprocessTest, BackgroundProcessesDoNotOutliveANormalExit) {
  // One with stdout and stderr closed, one still holding stderr: neither keeps the run going,
  // and neither is left running.
  TempDir dir;
  SubprocessRequest r = Sh("sleep 300 </dev/null >/dev/null 2>&1 & echo $! > quiet.pid\n"
                           "sleep 300 </dev/null >/dev/null & echo $! > holder.pid\n"
                           "echo done");
  r.cwd = dir.path();
  r.timeout = 10s;
  Result<SubprocessResult> run = RunSubprocess(r);
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run->ok()) << DescribeEnd(*run, r);
  EXPECT_EQ(run->stdout_bytes, "done\n");
  EXPECT_LT(run->elapsed, 3s);
  for (const char* file : {"quiet.pid", "holder.pid"}) {
    const pid_t pid = ReadPid(dir / file);
    ASSERT_GT(pid, 0) << file;
    EXPECT_TRUE(ProcessGone(pid)) << file;
  }
}

TEST(SubprocessTest, BackgroundProcessesCanBeLeftRunning) {
  TempDir dir;
  SubprocessRequest r = Sh("sleep 300 </dev/null >/dev/null 2>&1 & echo $! > daemon.pid");
  r.cwd = dir.path();
  r.kill_group_on_exit = false;
  Result<SubprocessResult> run = RunSubprocess(r);
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run->ok()) << DescribeEnd(*run, r);
  const pid_t daemon = ReadPid(dir / "daemon.pid");
  ASSERT_GT(daemon, 0);
  EXPECT_FALSE(ProcessGone(daemon, 50ms));
  ::kill(daemon, SIGKILL);
  EXPECT_TRUE(ProcessGone(daemon));
}

TEST(SubprocessTest, AChildThatClosedItsOutputStillTimesOut) {
  SubprocessRequest r = Sh("exec >&- 2>&-; sleep 30");
  r.timeout = 300ms;
  Result<SubprocessResult> run = RunSubprocess(r);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->end, SubprocessResult::End::kTimedOut);
  EXPECT_LT(run->elapsed, 3s);
}

TEST(SubprocessTest, EnvironmentAndWorkingDirectoryAreExactlyTheRequested) {
  TempDir dir;
  ASSERT_EQ(::setenv("SEAM_SUBPROCESS_TEST_LEAK", "1", 1), 0);
  SubprocessRequest r;
  r.argv = {"/usr/bin/env"};
  r.env = {"ONLY=this"};
  r.cwd = dir.path();
  Result<SubprocessResult> env = RunSubprocess(r);
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->stdout_bytes, "ONLY=this\n");

  r = Sh("pwd");
  r.cwd = dir.path();
  Result<SubprocessResult> pwd = RunSubprocess(r);
  ASSERT_TRUE(pwd.ok());
  EXPECT_EQ(pwd->stdout_bytes, fs::canonical(dir.path()).string() + "\n");
}

TEST(SubprocessTest, OnlyStdioIsInherited) {
  // Deliberately without close-on-exec, at a number no shell uses: the runner must close it
  // in the child anyway.
  const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(devnull, 0);
  const int leaked = ::fcntl(devnull, F_DUPFD, 100);
  ::close(devnull);
  ASSERT_GE(leaked, 100);
  Result<SubprocessResult> run = RunSubprocess(Sh("cd /proc/self/fd && echo *"));
  ::close(leaked);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->stdout_bytes.rfind("0 1 2", 0), 0u) << run->stdout_bytes;
  EXPECT_FALSE(Contains(" " + run->stdout_bytes, " " + std::to_string(leaked))) << run->stdout_bytes;
}

TEST(SubprocessTest, AnIgnoredSigchldIsAnErrorNotAHang) {
  struct sigaction ignore {}, old {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGCHLD, &ignore, &old), 0);
  Result<SubprocessResult> run = RunSubprocess(Sh("exit 0"));
  ::sigaction(SIGCHLD, &old, nullptr);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), StatusCode::kInternal);
}

TEST(SubprocessTest, RelativeProgramPathsAreRelativeToCwd) {
  TempDir dir;
  WriteScript(dir / "bin/hello.sh", "echo hi\n");
  SubprocessRequest r;
  r.argv = {"bin/hello.sh"};
  r.cwd = dir.path();
  Result<SubprocessResult> run = RunSubprocess(r);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->stdout_bytes, "hi\n");
}

TEST(SubprocessTest, ResolveProgramSearchesTheGivenPath) {
  TempDir dir;
  WriteScript(dir / "a/tool", "exit 0\n");
  testing::WriteFile(dir / "b/tool", "not executable");
  fs::create_directories(dir / "c/dir-tool");
  const std::string path_list = (dir / "b").string() + "::" + (dir / "a").string();
  Result<fs::path> found = ResolveProgram("tool", "", path_list);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, dir / "a/tool");

  Result<fs::path> only_bad = ResolveProgram("tool", "", (dir / "b").string());
  EXPECT_EQ(only_bad.status().message(), "program `tool` is not executable");
  // A name searched in PATH says which PATH: the usual cause is a directory it does not list.
  EXPECT_EQ(ResolveProgram("nope", "", path_list).status().message(), "program `nope` not found in PATH " + path_list);
  EXPECT_EQ(ResolveProgram("nope", "", path_list).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ResolveProgram("c/dir-tool", dir.path(), "").status().message(),
            "program `c/dir-tool` is a directory");
  EXPECT_TRUE(ResolveProgram("a/tool", dir.path(), "").ok());
  EXPECT_TRUE(ResolveProgram("sh", "", kSubprocessDefaultPath).ok());
}

TEST(SubprocessTest, RefusesWhatCannotBeStarted) {
  SubprocessRequest r;
  EXPECT_EQ(RunSubprocess(r).status().code(), StatusCode::kInvalidArgument);
  r.argv = {"sh", std::string("-c\0x", 4)};
  EXPECT_EQ(RunSubprocess(r).status().code(), StatusCode::kInvalidArgument);
  r.argv = {"no-such-program-seam"};
  EXPECT_EQ(RunSubprocess(r).status().message(),
            "program `no-such-program-seam` not found in PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  r.argv = {"sh", "-c", "true"};
  r.cwd = "/no/such/dir";
  Result<SubprocessResult> run = RunSubprocess(r);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().message(), "cannot start `sh` in `/no/such/dir`: No such file or directory");
}

// CancelAllSubprocesses is for good (a daemon stopping): it runs in a death test's child, which
// exits with 0 only if every check held there.
TEST(SubprocessDeathTest, CancellingEndsTheRunsInProgressAtOnceAndRefusesNewOnes) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  TempDir dir;
  EXPECT_EXIT(
      {
        SubprocessRequest r = Sh("echo $$ > leader.pid; sleep 60 & wait");
        r.cwd = dir.path();
        r.timeout = 60s;
        Result<SubprocessResult> run = Status::Internal("not run");
        std::thread runner([&] { run = RunSubprocess(r); });
        while (!fs::exists(dir.path() / "leader.pid")) std::this_thread::sleep_for(5ms);
        const auto asked = std::chrono::steady_clock::now();
        CancelAllSubprocesses();
        runner.join();
        const bool prompt = std::chrono::steady_clock::now() - asked < 10s;
        const bool cancelled = run.ok() && run->end == SubprocessResult::End::kCancelled;
        const bool described = run.ok() && DescribeEnd(*run, r).find("stopping") != std::string::npos;
        Result<SubprocessResult> later = RunSubprocess(Sh("true"));
        const bool refused = !later.ok() && later.status().code() == StatusCode::kUnavailable;
        std::exit(prompt && cancelled && described && refused ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace seam
