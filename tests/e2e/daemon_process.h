#pragma once
// A long-running child process for the seamd suite: started in the background with stdout and
// stderr appended to a log file, signalled, and waited for with a deadline. The destructor
// kills (SIGKILL) and reaps a child that is still running.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace seam::e2e {

class DaemonProcess {
 public:
  // Starts argv (argv[0] a path) in `cwd` with `env` set and `unset_env` removed; false (with
  // the reason in *error) when it could not be started.
  bool Start(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
             const std::filesystem::path& log_file, const std::map<std::string, std::string>& env,
             const std::vector<std::string>& unset_env, std::string* error);
  ~DaemonProcess();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  void Signal(int signal_number) const;
  // The exit status (128 + signal when killed), or -1 if it did not exit within `timeout`.
  int Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
};

}  // namespace seam::e2e
