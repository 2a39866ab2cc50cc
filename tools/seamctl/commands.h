#pragma once
// seamctl's commands. Each returns the process exit code:
//   0 ok / all in sync, 1 drift remains / log broken, 2 trouble (bad input, unreadable side,
//   store error), 3 retryable (another writer won or holds the seam/log; retry).
// Errors are printed by the command as one line "seamctl: error: ..." on stderr.

#include <string>
#include <vector>

#include "core/status.h"

namespace seam::seamctl {

struct GlobalOptions {
  std::string config;     // -c/--config
  std::string log_level;  // --log-level
};

int RunInit(const GlobalOptions& g);
int RunTokenIssue(const GlobalOptions& g, const std::string& seam);
int RunTokenRotate(const GlobalOptions& g, const std::string& seam);
int RunTokenRevoke(const GlobalOptions& g, const std::string& seam, const std::string& reason);
int RunAdopt(const GlobalOptions& g, const std::string& seam, const std::string& from);
int RunCheck(const GlobalOptions& g, const std::vector<std::string>& seams, bool json);
int RunRepair(const GlobalOptions& g, const std::vector<std::string>& seams, bool dry_run, bool json);
int RunLog(const GlobalOptions& g, const std::string& seam, bool json);
int RunVerify(const GlobalOptions& g, bool json);

// Prints "seamctl: error: <message>" and returns the exit code for the status.
int Fail(const Status& status);
// Exit code for a status: Conflict and Unavailable (busy) -> 3, everything else -> 2.
int ExitCodeFor(const Status& status);

}  // namespace seam::seamctl
