#pragma once
// Runs a check as an unprivileged user, so permission tests mean something when the suite runs
// as root (root bypasses file and directory permissions).

#include <grp.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "core/status.h"

namespace seam::testing {

inline constexpr uid_t kNobody = 65534;

// Runs `fn` in a forked child: as uid/gid 65534 when we are root, as ourselves otherwise. The
// child's Status comes back through a pipe; Internal when the child could not run it. The
// files `fn` touches must be reachable by that user (chmod the TempDir 0755).
inline Status RunUnprivileged(const std::function<Status()>& fn) {
  int fds[2];
  if (::pipe(fds) != 0) return Status::Internal("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) return Status::Internal("fork failed");
  if (pid == 0) {
    ::close(fds[0]);
    if (::geteuid() == 0 &&
        (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) {
      ::_exit(2);
    }
    Status s = fn();
    std::string out = std::to_string(static_cast<int>(s.code())) + "\n" + s.message();
    ssize_t ignored = ::write(fds[1], out.data(), out.size());
    (void)ignored;
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string in;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) in.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  std::size_t nl = in.find('\n');
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0 || nl == std::string::npos) {
    return Status::Internal("the unprivileged child failed");
  }
  return Status(static_cast<StatusCode>(std::stoi(in.substr(0, nl))), in.substr(nl + 1));
}

}  // namespace seam::testing
