#include "tests/e2e/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace seam::e2e {
namespace {

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// The child's environment: ours, minus `unset_env` and the keys in `env`, plus `env`.
std::vector<std::string> ChildEnvironment(const ProcessOptions& options) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    const std::string key = entry.substr(0, entry.find('='));
    bool drop = options.env.count(key) > 0;
    for (const std::string& u : options.unset_env) drop = drop || u == key;
    if (!drop) out.push_back(std::move(entry));
  }
  for (const auto& [key, value] : options.env) out.push_back(key + "=" + value);
  return out;
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
  ProcessResult result;
  if (argv.empty()) {
    result.exit_code = 127;
    result.err = "RunProcess: empty argv";
    return result;
  }
  int out_pipe[2] = {-1, -1};
  int err_pipe[2] = {-1, -1};
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.exit_code = 127;
    result.err = std::string("RunProcess: pipe: ") + std::strerror(errno);
    for (int* p : {out_pipe, err_pipe}) {
      CloseFd(p[0]);
      CloseFd(p[1]);
    }
    return result;
  }

  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> env_strings = ChildEnvironment(options);
  std::vector<char*> env_ptrs;
  for (std::string& s : env_strings) env_ptrs.push_back(s.data());
  env_ptrs.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> arg_ptrs;
  for (std::string& s : args) arg_ptrs.push_back(s.data());
  arg_ptrs.push_back(nullptr);
  const std::string cwd = options.cwd.string();
  const bool search_path = argv[0].find('/') == std::string::npos;

  const pid_t pid = ::fork();
  if (pid < 0) {
    result.exit_code = 127;
    result.err = std::string("RunProcess: fork: ") + std::strerror(errno);
    for (int* p : {out_pipe, err_pipe}) {
      CloseFd(p[0]);
      CloseFd(p[1]);
    }
    return result;
  }
  if (pid == 0) {
    // stdin is /dev/null: seamctl never prompts, and a test must not hang on a read.
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    if (options.own_process_group) ::setpgid(0, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) _exit(126);
    if (search_path) {
      ::execvpe(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
    } else {
      ::execve(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
    }
    const char msg[] = "RunProcess: exec failed\n";
    (void)!::write(2, msg, sizeof msg - 1);
    _exit(127);
  }

  CloseFd(out_pipe[1]);
  CloseFd(err_pipe[1]);
  int out_fd = out_pipe[0];
  int err_fd = err_pipe[0];

  // In group mode the group is killed (the child's pid is its id), else the child alone.
  const pid_t target = options.own_process_group ? -pid : pid;
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  bool reaped = false;
  int status = 0;
  std::chrono::steady_clock::time_point drain_until{};
  char buf[65536];
  while (out_fd >= 0 || err_fd >= 0) {
    const auto now = std::chrono::steady_clock::now();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (left.count() <= 0) {
      result.timed_out = !reaped;
      ::kill(target, SIGKILL);
      break;
    }
    if (options.own_process_group && !reaped && ::waitpid(pid, &status, WNOHANG) == pid) {
      reaped = true;
      drain_until = now + std::chrono::seconds(2);
    }
    if (reaped && now >= drain_until) {
      ::kill(target, SIGKILL);  // what it left behind still holds a pipe
      break;
    }
    pollfd fds[2];
    nfds_t n = 0;
    if (out_fd >= 0) fds[n++] = pollfd{out_fd, POLLIN, 0};
    if (err_fd >= 0) fds[n++] = pollfd{err_fd, POLLIN, 0};
    // In group mode poll in short steps, to notice the child's exit while a pipe stays open.
    const long wait_ms = options.own_process_group ? std::min<long>(left.count(), 100) : static_cast<long>(left.count());
    const int ready = ::poll(fds, n, static_cast<int>(wait_ms));
    if (ready < 0) {
      if (errno == EINTR) continue;
      ::kill(target, SIGKILL);
      break;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      const ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (r <= 0) {
        if (fds[i].fd == out_fd) CloseFd(out_fd);
        else CloseFd(err_fd);
        continue;
      }
      std::string& sink = fds[i].fd == out_fd ? result.out : result.err;
      sink.append(buf, static_cast<std::size_t>(r));
    }
  }
  CloseFd(out_fd);
  CloseFd(err_fd);

  while (!reaped && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  // The group's leftovers (helpers that outlived the child) go with it.
  if (options.own_process_group) ::kill(target, SIGKILL);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

ProcessResult RunSqlite(const std::filesystem::path& db, const std::string& sql) {
  return RunProcess({"sqlite3", "-batch", "-bail", db.string(), sql});
}

}  // namespace seam::e2e
