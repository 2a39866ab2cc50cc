// seamctl wrap SEAM -- CMD [ARGS...]: observe every side, run a tool that changes them itself,
// observe again, adopt what it changed (reconcilers/wrap.h), repair the rest per policy.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "reconcilers/wrap.h"
#include "tools/common/state_context.h"
#include "tools/seamctl/commands.h"

extern char** environ;

namespace seam::seamctl {
namespace {

volatile sig_atomic_t g_child = 0;  // the running command, for the signal handler

// SIGINT/SIGTERM sent to seamctl go to the command, which decides whether to stop; seamctl
// stays to record what it changed. Signals from the terminal (Ctrl-C: si_code SI_KERNEL) are
// not forwarded: the command is in seamctl's process group and got its own copy.
void ForwardSignal(int sig, siginfo_t* info, void*) {
  if (info != nullptr && info->si_code == SI_KERNEL) return;
  const pid_t child = g_child;
  if (child > 0) ::kill(child, sig);
}

// Runs argv (PATH searched when argv[0] has no slash; no shell) with seamctl's stdin, stdout,
// stderr, environment, directory and inherited descriptors (seamctl's own are close-on-exec),
// and waits for it. A command that cannot be started is IoError, with the errno in
// *start_errno (the caller exits 127/126 like a shell would).
struct CommandEnd {
  int code = 0;    // the exit status, or 128 + the signal that killed it
  int signal = 0;  // the signal that killed it, 0 when it exited
};
Result<CommandEnd> RunCommand(const std::vector<std::string>& argv, int* start_errno) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  // Blocked until the handlers know the child's pid; the child gets the mask seamctl had, and
  // the dispositions too (the handlers are installed after it started; an ignored SIGINT of a
  // background job stays ignored).
  sigset_t forwarded, old_mask;
  sigemptyset(&forwarded);
  sigaddset(&forwarded, SIGINT);
  sigaddset(&forwarded, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &forwarded, &old_mask);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setsigmask(&attr, &old_mask);
  std::cout.flush();
  std::cerr.flush();
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, args[0], nullptr, &attr, args.data(), environ);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    *start_errno = rc;
    return Status::IoError("cannot run `" + argv[0] + "`: " + std::strerror(rc));
  }

  g_child = pid;
  struct sigaction forward {}, old_int {}, old_term {};
  forward.sa_sigaction = ForwardSignal;
  forward.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&forward.sa_mask);
  // Only signals seamctl would act on are taken over: an ignored one stays ignored.
  ::sigaction(SIGINT, nullptr, &old_int);
  ::sigaction(SIGTERM, nullptr, &old_term);
  if (old_int.sa_handler != SIG_IGN) ::sigaction(SIGINT, &forward, nullptr);
  if (old_term.sa_handler != SIG_IGN) ::sigaction(SIGTERM, &forward, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);

  int status = 0;
  pid_t waited = 0;
  do {
    waited = ::waitpid(pid, &status, 0);
  } while (waited < 0 && errno == EINTR);
  const int wait_errno = errno;

  ::pthread_sigmask(SIG_BLOCK, &forwarded, nullptr);
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  g_child = 0;
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);

  if (waited < 0) return Status::IoError("waiting for `" + argv[0] + "`: " + std::strerror(wait_errno));
  if (WIFSIGNALED(status)) return CommandEnd{128 + WTERMSIG(status), WTERMSIG(status)};
  return CommandEnd{WEXITSTATUS(status), 0};
}

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev == nullptr ? "signal " + std::to_string(sig) : "SIG" + std::string(abbrev);
}

std::string Fp(const std::string& fingerprint) { return fingerprint.empty() ? "nothing" : fingerprint; }

// What the command did to one side, in words; "" when it did nothing there.
std::string DescribeChange(const WrapSideChange& c, const WrapDecision& d, std::size_t index) {
  if (!c.changed) return "";
  std::string line = "wrap: side " + c.side + " changed ";
  if (c.new_value) {
    line += "to a new value " + Fp(c.after.fingerprint);
    if (d.outcome == WrapOutcome::kAdopt && index != d.source) line += " (the same value)";
    return line;
  }
  switch (c.after.verdict) {
    case Verdict::kInSync:
    case Verdict::kExpiring:
      return line + "to the log's intended value " + Fp(c.after.fingerprint);
    case Verdict::kLagging:
      return line + "to rev " + std::to_string(c.after.holds_revision) + "'s value " +
             Fp(c.after.fingerprint) + ", which the log already holds; not adopted";
    case Verdict::kMissing:
      return line + "and is now missing (" + c.after.detail + "); not adopted";
    default:
      return line + "(" + std::string(VerdictName(c.after.verdict)) + ": " + c.after.detail + ")";
  }
}

// Prints the summary and returns wrap's own exit code (0 in sync, 1 drift, 2 trouble, 3 retry).
int PrintWrapReport(const SeamConfig& seam, const WrapReport& r) {
  const WrapDecision& d = r.decision;
  if (d.outcome == WrapOutcome::kNothingChanged) std::cout << "wrap: nothing changed\n";
  for (std::size_t i = 0; i < d.sides.size(); ++i) {
    const WrapSideChange& c = d.sides[i];
    std::string line = DescribeChange(c, d, i);
    if (line.empty()) continue;
    if (d.outcome == WrapOutcome::kAdopt && i == d.source && r.adoption) {
      line += "; adopted as rev " + std::to_string(r.adoption->revision) + " (" + r.adopted_type + ")";
    }
    std::cout << line << "\n";
  }
  if (d.outcome == WrapOutcome::kConflict || d.outcome == WrapOutcome::kIrreversible) {
    std::cout << "wrap: " << d.detail << "; the sides are left as the command made them: `seamctl adopt "
              << seam.name << " --from SIDE` keeps one, `seamctl repair " << seam.name
              << "` restores the log's\n";
  }
  if (r.adoption) {
    for (std::size_t i = 0; i < r.adoption->sides.size(); ++i) {
      const SideWriteReport& s = r.adoption->sides[i];
      if (i == d.source) continue;
      const bool already = i < d.sides.size() && d.sides[i].new_value;
      if (!s.ok) {
        std::cout << "wrap: " << s.side << " NOT written to rev " << r.adoption->revision << " ("
                  << s.message << ")\n";
      } else {
        std::cout << "wrap: " << s.side << (already ? " already holds rev " : " written to rev ")
                  << r.adoption->revision << "\n";
      }
    }
  }
  if (r.pass) {
    for (const SideReport& s : r.pass->sides) {
      if (s.action == "repaired") {
        std::cout << "wrap: " << s.name << " repaired to rev " << r.pass->intended_revision << "\n";
      } else if (s.action == "skipped") {
        std::cout << "wrap: " << s.name << " not repaired: " << s.action_detail << "\n";
      }
    }
    std::cout << "wrap: " << seam.name << " is " << r.pass->status;
    if (r.pass->intended_version > 0) {
      std::cout << " (intended rev " << r.pass->intended_revision
                << (r.pass->intended_fingerprint.empty() ? "" : ", intended " + r.pass->intended_fingerprint) << ")";
    }
    std::cout << "\n";
    for (const SideReport& s : r.pass->sides) {
      if (s.judgement.verdict != Verdict::kInSync && s.judgement.verdict != Verdict::kExpiring) {
        std::cout << "  " << s.name << ": " << VerdictName(s.judgement.verdict) << ", " << s.judgement.detail << "\n";
      }
    }
    if (!r.pass->pending_sides.empty()) {
      std::cout << "  pending: " << r.pass->pending_operation << " (rev " << r.pass->pending_revision
                << ") not yet confirmed on";
      for (const std::string& side : r.pass->pending_sides) std::cout << " " << side;
      std::cout << "\n";
    }
  }
  for (const std::string& error : r.errors) {
    const std::string prefix = "seam " + seam.name + ": ";
    std::cerr << "seamctl: error: " << (error.rfind(prefix, 0) == 0 ? "" : prefix) << error << "\n";
  }
  return r.code;
}

}  // namespace

int RunWrap(const GlobalOptions& g, const std::string& seam_name, const std::vector<std::string>& command) {
  if (command.empty() || command.front().empty()) {
    return Fail(Status::InvalidArgument("wrap needs a command: `seamctl wrap " + seam_name + " -- CMD [ARGS...]`"));
  }
  Result<std::unique_ptr<StateContext>> ctx = OpenState(g.config);
  if (!ctx.ok()) return Fail(ctx.status());
  Result<const SeamConfig*> found = (*ctx)->FindSeam(seam_name);
  if (!found.ok()) return Fail(found.status());
  const SeamConfig& seam = **found;
  // Held from the first observation to the last write: no other seamctl writer interleaves
  // with the command (one it starts itself waits, then gives up with exit 3).
  Result<std::unique_ptr<WriterLock>> lock = (*ctx)->LockSeam(seam);
  if (!lock.ok()) return Fail(lock.status());
  SeamContext sc = (*ctx)->Seam();

  Result<WrapBefore> before = ObserveBeforeWrap(sc, seam);
  if (!before.ok()) return Fail(before.status());

  int start_errno = 0;
  Result<CommandEnd> ran = RunCommand(command, &start_errno);
  if (!ran.ok()) {
    Fail(ran.status().WithContext("seam " + seam.name + ": wrap"));
    if (start_errno == 0) return 2;
    return start_errno == ENOENT ? 127 : 126;
  }
  const int child_code = ran->code;
  if (child_code != 0) {
    std::cout << "wrap: `" << command.front() << "` "
              << (ran->signal != 0 ? "was killed by " + SignalName(ran->signal)
                                   : "exited with " + std::to_string(child_code))
              << "; recording what it changed\n";
  }
  WrapReport report = FinishWrap(sc, seam, std::move(*before), WrapCommandLine(command));
  const int wrap_code = PrintWrapReport(seam, report);
  return child_code != 0 ? child_code : wrap_code;
}

}  // namespace seam::seamctl
