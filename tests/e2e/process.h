#pragma once
// A small process runner for the end-to-end suites: runs a program with an argv (no shell), extra
// environment variables and a working directory; captures stdout and stderr separately; kills
// the child with SIGKILL after a timeout.

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace seam::e2e {

struct ProcessResult {
  int exit_code = -1;   // the exit status, or 128 + signal when killed by a signal
  bool timed_out = false;
  std::string out;      // everything the child wrote to stdout
  std::string err;      // everything the child wrote to stderr
};

struct ProcessOptions {
  std::filesystem::path cwd;                  // empty: the test's own working directory
  std::map<std::string, std::string> env;     // set (or override) in the child's environment
  std::vector<std::string> unset_env;         // removed from the child's environment
  std::chrono::milliseconds timeout{30000};  // then SIGKILL; stdin is always /dev/null
  // The child leads a process group of its own, and the whole group is killed on timeout, and
  // when the child has exited but something it started still holds stdout or stderr open
  // after a grace of 2 s (a browser's helper processes: without this the reader waits for them).
  bool own_process_group = false;
};

// Runs argv[0] (a path; PATH is searched when it has no slash) with argv. Never throws; a
// failure to start the program is exit code 127 with the reason in `err`.
ProcessResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// Runs the sqlite3 command-line tool on `db` with `sql` as its argument (no shell).
ProcessResult RunSqlite(const std::filesystem::path& db, const std::string& sql);

}  // namespace seam::e2e
