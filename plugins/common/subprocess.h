#pragma once
// A small, reusable process runner: run an argv (no shell) with given stdin bytes, environment,
// working directory, timeout and stdout limit, and collect what it printed and how it ended.
// Used by the `exec` side plugin; meant for `on_repair` hooks too.
//
// What RunSubprocess guarantees:
//  - The program is executed directly (posix_spawn, never `sh -c`), so arguments need no
//    quoting. argv[0] containing a `/` is a path (relative ones against `cwd`); otherwise it is
//    looked up in the PATH of the child's environment (`env`), not the caller's.
//  - The child gets exactly `env` as its environment, `cwd` as its working directory, its own
//    process group, default signal dispositions, an empty signal mask, and no file descriptors
//    but 0, 1 and 2: stdin is a pipe carrying `stdin_data` (or /dev/null), stdout and stderr
//    are pipes. Every other descriptor is closed in the child (closefrom), whether or not it
//    was opened with O_CLOEXEC.
//  - stdin, stdout and stderr are served together with poll(), so a child that writes a lot
//    before reading its input, or floods stderr, cannot deadlock the caller. A child that exits
//    without reading its input is fine (EPIPE is ignored; SIGPIPE is blocked in the calling
//    thread for the duration of the call and never delivered to the process).
//  - On timeout, or when stdout exceeds `stdout_limit`, the whole process group is killed with
//    SIGKILL (descendants that started their own session or group escape this). The call
//    returns once the child has been reaped: it never leaves a zombie. With
//    `kill_group_on_exit` (the default), as soon as the child exits (before it is reaped, so
//    the group id cannot have been reused) its whole process group is killed with SIGKILL too:
//    background processes it started (`cmd &`) do not outlive it. The run counts as finished
//    when the child has exited AND stdout and stderr are closed; a descendant that keeps them
//    open (outside the group, or any when `kill_group_on_exit` is false) keeps the run going
//    until the timeout.
//  - Thread-safe: no global state is changed (only the calling thread's signal mask, restored).
//    The process must not ignore SIGCHLD (the kernel would reap the child before we learn its
//    status): such a run is an Internal error.
//
// The caller's stdin bytes are not copied; stdout and stderr are wiped when the result is
// destroyed (they may carry a secret), best effort as in plugins/common/wipe.h.

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/hook_path.h"
#include "core/status.h"

namespace seam {

// The PATH used when a child's environment has none (core/hook_path.h).
inline constexpr std::string_view kSubprocessDefaultPath = kDefaultHookPath;

struct SubprocessRequest {
  std::vector<std::string> argv;  // non-empty; argv[0] non-empty; no element contains a NUL
  std::vector<std::string> env;   // the child's whole environment, "NAME=value" entries
  std::filesystem::path cwd;      // empty: the caller's working directory
  // nullopt: stdin is /dev/null. Otherwise the bytes written to the child's stdin, which is
  // then closed. Not copied: must stay valid for the call.
  std::optional<std::string_view> stdin_data;
  std::chrono::milliseconds timeout{5000};  // from the start to the end of the run; > 0
  std::size_t stdout_limit = 1024 * 1024;  // more bytes than this: the group is killed
  std::size_t stderr_limit = 64 * 1024;    // bytes past this are dropped (the child runs on)
  // When the child exits, SIGKILL what is left of its process group (see above). False lets a
  // program start a daemon that outlives it (which must then close stdout and stderr).
  bool kill_group_on_exit = true;
};

class SubprocessResult {
 public:
  enum class End {
    kExited,          // exited on its own: exit_code
    kSignaled,        // killed by a signal it did not get from us: signal
    kTimedOut,        // still running at the timeout: the group was killed
    kStdoutOverflow,  // printed more than stdout_limit bytes: the group was killed
    kCancelled,       // CancelAllSubprocesses ran: the group was killed
  };

  SubprocessResult() = default;
  SubprocessResult(SubprocessResult&&) noexcept = default;
  SubprocessResult& operator=(SubprocessResult&&) noexcept = default;
  SubprocessResult(const SubprocessResult&) = delete;
  SubprocessResult& operator=(const SubprocessResult&) = delete;
  ~SubprocessResult();

  // Exited with status 0.
  bool ok() const { return end == End::kExited && exit_code == 0; }

  End end = End::kExited;
  int exit_code = -1;  // kExited: the exit status
  int signal = 0;      // kSignaled: the signal; kTimedOut / kStdoutOverflow: SIGKILL
  std::string stdout_bytes;  // at most stdout_limit bytes
  std::string stderr_bytes;  // at most stderr_limit bytes
  bool stderr_truncated = false;
  std::chrono::milliseconds elapsed{0};
  pid_t pid = 0;  // the child's pid (also its process group id); already reaped
};

// Runs the request to its end. An error Status only when the program could not be started:
// InvalidArgument (empty argv, a NUL in argv or env, timeout <= 0), NotFound / FailedPrecondition
// from ResolveProgram, IoError when pipes or the spawn itself fail ("cannot start `x` in
// `/dir`: No such file or directory"), Internal when the exit status is lost (SIGCHLD ignored).
// Every way a started child ends is a SubprocessResult.
Result<SubprocessResult> RunSubprocess(const SubprocessRequest& request);

// Ends every run in progress in this process at once (each child's group is killed with SIGKILL
// and its result is kCancelled) and refuses runs started after it (Unavailable: "… the process
// is stopping"). For a daemon told to stop (SIGTERM), so no program a side or hook started
// outlives it or holds up its exit. Thread-safe; not for a signal handler. Irreversible.
void CancelAllSubprocesses();

// How a run that is not ok() ended, for messages: "exited 1", "killed by signal 11 (SIGSEGV)",
// "timed out after 300 ms", "printed more than 1 MiB on stdout" (the limit and timeout as
// requested). Says nothing of the output itself.
std::string DescribeEnd(const SubprocessResult& result, const SubprocessRequest& request);

// Where `program` (an argv[0]) would be executed from, without running anything: a name
// containing `/` is that path (relative to `cwd` when relative); any other name is searched
// in the colon-separated `path_list` (empty entries skipped). The file must be a regular file
// with execute permission for us. NotFound "program `x` not found" (a name searched in
// `path_list`: "program `x` not found in PATH a:b:c"), FailedPrecondition
// "program `x` is not executable" / "program `x` is a directory" / "program `x` is not a
// regular file".
Result<std::filesystem::path> ResolveProgram(const std::string& program,
                                             const std::filesystem::path& cwd,
                                             std::string_view path_list);

// The value of PATH in an environment list, or kSubprocessDefaultPath when it has none.
std::string_view PathOf(const std::vector<std::string>& env);

}  // namespace seam
