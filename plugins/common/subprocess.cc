#include "plugins/common/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>

#include "plugins/common/errno_text.h"
#include "plugins/common/format_bytes.h"
#include "plugins/common/wipe.h"

namespace seam {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// CancelAllSubprocesses: a flag for runs about to start, and an eventfd every run polls, made
// readable (and never read) once, so that every poll in progress wakes at once.
std::atomic<bool> g_cancelled{false};
int CancelFd() {
  static const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);  // -1: cancellation is by flag only
  return fd;
}

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A close-on-exec pipe whose ends are both >= 3, so that the child's dup2 onto 0/1/2 never
// meets one of them already sitting there (the caller may have closed its own stdio).
Status MakePipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::IoError("pipe: " + ErrnoText(errno));
  read_end.Reset(fds[0]);
  write_end.Reset(fds[1]);
  for (Fd* end : {&read_end, &write_end}) {
    if (end->get() >= 3) continue;
    int moved = ::fcntl(end->get(), F_DUPFD_CLOEXEC, 3);
    if (moved < 0) return Status::IoError("fcntl: " + ErrnoText(errno));
    end->Reset(moved);
  }
  return Status::Ok();
}

void SetNonBlocking(const Fd& fd) {
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK);
}

// Blocks SIGPIPE in the calling thread for its lifetime, so a write to the stdin of a child
// that exited fails with EPIPE instead of killing the process; a SIGPIPE raised meanwhile is
// consumed before the mask is restored.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeBlock() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      sigset_t pipe_only;
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      const timespec zero{};
      ::sigtimedwait(&pipe_only, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t old_{};
  bool was_pending_ = false;
};

// Whether the (unreaped) child has exited, without reaping it: its zombie keeps the pid, and
// so the process group id, from being reused until we kill the group and reap it.
// ECHILD (SIGCHLD ignored by the caller: the kernel reaped it) counts as exited, and sets
// `*gone` (the pid, and so the group id, may then already name someone else).
bool HasExited(pid_t pid, bool* gone) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    *gone = errno == ECHILD;
    return *gone;
  }
  return info.si_pid == pid;
}

// Why `p` cannot be executed, or Ok.
Status CheckExecutable(const std::string& program, const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status::NotFound("program `" + program + "` not found");
    }
    return Status::FailedPrecondition("program `" + program + "`: " + ErrnoText(errno));
  }
  if (S_ISDIR(st.st_mode)) return Status::FailedPrecondition("program `" + program + "` is a directory");
  if (!S_ISREG(st.st_mode)) {
    return Status::FailedPrecondition("program `" + program + "` is not a regular file");
  }
  if (::access(p.c_str(), X_OK) != 0) {
    return Status::FailedPrecondition("program `" + program + "` is not executable");
  }
  return Status::Ok();
}

}  // namespace

void CancelAllSubprocesses() {
  g_cancelled.store(true);
  if (const int fd = CancelFd(); fd >= 0) {
    const std::uint64_t one = 1;
    (void)!::write(fd, &one, sizeof one);
  }
}

SubprocessResult::~SubprocessResult() {
  WipeString(stdout_bytes);
  WipeString(stderr_bytes);
}

std::string_view PathOf(const std::vector<std::string>& env) {
  for (const std::string& entry : env) {
    if (entry.rfind("PATH=", 0) == 0) return std::string_view(entry).substr(5);
  }
  return kSubprocessDefaultPath;
}

Result<fs::path> ResolveProgram(const std::string& program, const fs::path& cwd,
                                std::string_view path_list) {
  if (program.empty()) return Status::InvalidArgument("the program name is empty");
  if (program.find('/') != std::string::npos) {
    fs::path p(program);
    if (p.is_relative() && !cwd.empty()) p = cwd / p;
    SEAM_RETURN_IF_ERROR(CheckExecutable(program, p));
    return p;
  }
  // Like execvp: the first executable match wins; a match that cannot be executed is reported
  // only when nothing later in PATH can be.
  std::optional<Status> first_problem;
  std::size_t start = 0;
  while (start <= path_list.size()) {
    std::size_t end = path_list.find(':', start);
    if (end == std::string_view::npos) end = path_list.size();
    std::string_view dir = path_list.substr(start, end - start);
    start = end + 1;
    if (dir.empty()) continue;
    fs::path p = fs::path(dir) / program;
    if (p.is_relative() && !cwd.empty()) p = cwd / p;
    Status s = CheckExecutable(program, p);
    if (s.ok()) return p;
    if (s.code() != StatusCode::kNotFound && !first_problem) first_problem = s;
  }
  if (first_problem) return *first_problem;
  // Which PATH was searched: the usual cause is a program in a directory it does not list.
  return Status::NotFound("program `" + program + "` not found in PATH " + std::string(path_list));
}

std::string DescribeEnd(const SubprocessResult& result, const SubprocessRequest& request) {
  switch (result.end) {
    case SubprocessResult::End::kExited:
      return "exited " + std::to_string(result.exit_code);
    case SubprocessResult::End::kSignaled: {
      const char* name = ::sigabbrev_np(result.signal);
      return "killed by signal " + std::to_string(result.signal) +
             (name != nullptr ? " (SIG" + std::string(name) + ")" : std::string());
    }
    case SubprocessResult::End::kTimedOut:
      return "timed out after " + std::to_string(request.timeout.count()) + " ms";
    case SubprocessResult::End::kStdoutOverflow:
      return "printed more than " + FormatBytes(request.stdout_limit) + " on stdout";
    case SubprocessResult::End::kCancelled:
      return "stopped: the process running it is stopping";
  }
  return "ended";
}

Result<SubprocessResult> RunSubprocess(const SubprocessRequest& request) {
  const auto has_nul = [](const std::string& s) { return s.find('\0') != std::string::npos; };
  if (request.argv.empty() || request.argv[0].empty()) {
    return Status::InvalidArgument("no program to run (empty argv)");
  }
  const std::string& shown = request.argv[0];
  if (std::any_of(request.argv.begin(), request.argv.end(), has_nul) ||
      std::any_of(request.env.begin(), request.env.end(), has_nul)) {
    return Status::InvalidArgument("cannot start `" + shown + "`: an argument or environment "
                                   "entry contains a NUL byte");
  }
  if (request.timeout.count() <= 0) return Status::InvalidArgument("timeout must be positive");
  SEAM_ASSIGN_OR_RETURN(fs::path program, ResolveProgram(shown, request.cwd, PathOf(request.env)));
  // Absolute, because the child changes directory before it executes the program.
  std::error_code ec;
  program = fs::absolute(program, ec);
  if (ec) return Status::IoError("cannot start `" + shown + "`: " + ec.message());

  Fd in_r, in_w, out_r, out_w, err_r, err_w;
  if (request.stdin_data) SEAM_RETURN_IF_ERROR(MakePipe(in_r, in_w));
  SEAM_RETURN_IF_ERROR(MakePipe(out_r, out_w));
  SEAM_RETURN_IF_ERROR(MakePipe(err_r, err_w));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  struct SpawnCleanup {
    posix_spawn_file_actions_t* actions;
    posix_spawnattr_t* attr;
    ~SpawnCleanup() {
      posix_spawn_file_actions_destroy(actions);
      posix_spawnattr_destroy(attr);
    }
  } cleanup{&actions, &attr};
  int rc = 0;
  auto step = [&rc](int r) { rc = rc != 0 ? rc : r; };
  if (request.stdin_data) {
    step(posix_spawn_file_actions_adddup2(&actions, in_r.get(), 0));
  } else {
    step(posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0));
  }
  step(posix_spawn_file_actions_adddup2(&actions, out_w.get(), 1));
  step(posix_spawn_file_actions_adddup2(&actions, err_w.get(), 2));
  if (!request.cwd.empty()) step(posix_spawn_file_actions_addchdir_np(&actions, request.cwd.c_str()));
  step(posix_spawn_file_actions_addclosefrom_np(&actions, 3));
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  step(posix_spawnattr_setflags(
      &attr, static_cast<short>(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)));
  step(posix_spawnattr_setpgroup(&attr, 0));
  step(posix_spawnattr_setsigmask(&attr, &none));
  step(posix_spawnattr_setsigdefault(&attr, &all));
  if (rc != 0) return Status::IoError("cannot start `" + shown + "`: " + ErrnoText(rc));

  std::vector<char*> argv, envp;
  for (const std::string& a : request.argv) argv.push_back(const_cast<char*>(a.c_str()));
  for (const std::string& e : request.env) envp.push_back(const_cast<char*>(e.c_str()));
  argv.push_back(nullptr);
  envp.push_back(nullptr);

  if (g_cancelled.load()) return Status::Unavailable("not starting `" + shown + "`: the process is stopping");
  const int cancel_fd = CancelFd();
  SigpipeBlock sigpipe_block;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + request.timeout;
  pid_t pid = 0;
  rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
  if (rc != 0) {
    std::string where = request.cwd.empty() ? "" : " in `" + request.cwd.string() + "`";
    return Status::IoError("cannot start `" + shown + "`" + where + ": " + ErrnoText(rc));
  }
  in_r.Reset();
  out_w.Reset();
  err_w.Reset();
  // Readable when the child exits; without it (kernels before 5.3) exit is polled below. Via
  // syscall(): glibc 2.36's <sys/pidfd.h> lacks extern "C", so its wrapper does not link from C++.
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  for (const Fd* fd : {&in_w, &out_r, &err_r}) {
    if (fd->valid()) SetNonBlocking(*fd);
  }

  SubprocessResult result;
  result.pid = pid;
  std::string chunk(64 * 1024, '\0');
  const std::string_view input = request.stdin_data.value_or(std::string_view());
  std::size_t written = 0;
  bool exited = false, timed_out = false, overflow = false, group_killed = false, reaped_early = false;
  bool cancelled = false;
  Status failure;
  // Once the leader has exited (a zombie not yet reaped, so `pid` still names our group), what
  // it left in its group goes too, which also closes the pipes those processes held.
  auto on_exit = [&] {
    if (exited && request.kill_group_on_exit && !group_killed && !reaped_early) {
      ::kill(-pid, SIGKILL);
      group_killed = true;
    }
  };
  if (in_w.valid() && input.empty()) in_w.Reset();

  while (!overflow) {
    if (!exited && (!pidfd.valid() || (!out_r.valid() && !err_r.valid()))) {
      exited = HasExited(pid, &reaped_early);
    }
    on_exit();
    if (exited && !out_r.valid() && !err_r.valid()) break;
    const Clock::time_point now = Clock::now();
    if (now >= deadline) {
      timed_out = true;
      break;
    }
    if (g_cancelled.load()) {
      cancelled = true;
      break;
    }
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
    int wait_ms = static_cast<int>(std::min<decltype(left)>(left, INT_MAX));
    pollfd fds[5];
    nfds_t n = 0;
    int in_i = -1, out_i = -1, err_i = -1, pid_i = -1, cancel_i = -1;
    auto add = [&](const Fd& fd, short events, int& index) {
      if (!fd.valid()) return;
      index = static_cast<int>(n);
      fds[n++] = pollfd{fd.get(), events, 0};
    };
    add(in_w, POLLOUT, in_i);
    add(out_r, POLLIN, out_i);
    add(err_r, POLLIN, err_i);
    if (!exited) add(pidfd, POLLIN, pid_i);
    if (cancel_fd >= 0) {
      cancel_i = static_cast<int>(n);
      fds[n++] = pollfd{cancel_fd, POLLIN, 0};
    } else {
      wait_ms = std::min(wait_ms, 100);  // no eventfd: the flag is looked at this often
    }
    // Without a pidfd, exit is polled: while both pipes are closed, or to kill the group early.
    if (!exited && !pidfd.valid() && ((!out_r.valid() && !err_r.valid()) || request.kill_group_on_exit)) {
      wait_ms = std::min(wait_ms, 10);
    }
    int ready = ::poll(fds, n, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      failure = Status::IoError("poll: " + ErrnoText(errno));
      break;
    }
    auto fired = [&](int index) {
      constexpr short kAny = POLLIN | POLLOUT | POLLHUP | POLLERR;
      return index >= 0 && (fds[static_cast<std::size_t>(index)].revents & kAny) != 0;
    };
    if (fired(in_i)) {
      ssize_t w = ::write(in_w.get(), input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      // EPIPE: the child closed its stdin without reading everything, which is its choice.
      if (written == input.size() || (w < 0 && errno != EAGAIN && errno != EINTR)) in_w.Reset();
    }
    if (fired(out_i)) {
      ssize_t r = ::read(out_r.get(), chunk.data(), chunk.size());
      if (r > 0) {
        auto got = static_cast<std::size_t>(r);
        std::size_t room = request.stdout_limit - result.stdout_bytes.size();
        AppendWiping(result.stdout_bytes, std::string_view(chunk.data(), std::min(got, room)));
        overflow = got > room;
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        out_r.Reset();
      }
    }
    if (fired(err_i)) {
      ssize_t r = ::read(err_r.get(), chunk.data(), chunk.size());
      if (r > 0) {
        auto got = static_cast<std::size_t>(r);
        std::size_t room = request.stderr_limit - result.stderr_bytes.size();
        AppendWiping(result.stderr_bytes, std::string_view(chunk.data(), std::min(got, room)));
        result.stderr_truncated = result.stderr_truncated || got > room;
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        err_r.Reset();
      }
    }
    if (fired(pid_i)) exited = HasExited(pid, &reaped_early);
    on_exit();
    if (fired(cancel_i)) {
      cancelled = true;
      break;
    }
  }
  WipeString(chunk);

  if (timed_out || overflow || cancelled || !failure.ok()) {
    // The leader is not reaped yet, so `pid` still names our group. The leader may have left
    // the group (setpgid), hence the second kill.
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  in_w.Reset();
  out_r.Reset();
  err_r.Reset();
  pidfd.Reset();
  int wstatus = 0;
  pid_t reaped = 0;
  while ((reaped = ::waitpid(pid, &wstatus, 0)) < 0 && errno == EINTR) {
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (!failure.ok()) return failure;
  if (reaped != pid && !timed_out && !overflow && !cancelled) {
    return Status::Internal("cannot learn how `" + shown + "` ended: " + ErrnoText(errno) +
                            " (is SIGCHLD ignored in this process?)");
  }
  if (timed_out || overflow || cancelled) {
    result.end = timed_out  ? SubprocessResult::End::kTimedOut
                 : overflow ? SubprocessResult::End::kStdoutOverflow
                            : SubprocessResult::End::kCancelled;
    result.signal = SIGKILL;
  } else if (WIFSIGNALED(wstatus)) {
    result.end = SubprocessResult::End::kSignaled;
    result.signal = WTERMSIG(wstatus);
  } else {
    result.end = SubprocessResult::End::kExited;
    result.exit_code = WEXITSTATUS(wstatus);
  }
  return result;
}

}  // namespace seam
