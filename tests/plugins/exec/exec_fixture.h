#pragma once
// Helpers for the exec suites: executable scripts in a TempDir and checks that a process is gone.

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/support/temp_dir.h"

namespace seam::testing {

// Writes `body` after a "#!/bin/sh" line to `path`, mode 0755.
inline std::filesystem::path WriteScript(const std::filesystem::path& path, const std::string& body) {
  WriteFile(path, "#!/bin/sh\n" + body);
  std::filesystem::permissions(path, std::filesystem::perms(0755));
  return path;
}

// The pid a script wrote with `echo $$ > FILE` (0 when there is none).
inline pid_t ReadPid(const std::filesystem::path& path) {
  const std::string text = ReadFile(path);
  return text.empty() ? 0 : static_cast<pid_t>(std::stol(text));
}

// Whether `pid` no longer runs (gone, or a zombie waiting for init), polling up to `within`:
// SIGKILL is delivered asynchronously, so a killed grandchild may take a moment to die.
inline bool ProcessGone(pid_t pid, std::chrono::milliseconds within = std::chrono::seconds(3)) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (true) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
    const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
    const std::size_t paren = stat.rfind(')');
    if (paren != std::string::npos && paren + 2 < stat.size() &&
        (stat[paren + 2] == 'Z' || stat[paren + 2] == 'X')) {
      return true;
    }
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

inline bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace seam::testing
