#pragma once
// The exec side the e2e suites and the benchmarks share: a "vault" program keeping a token in
// vault.txt in its working directory (read prints {"value": …} or {"missing": true}; write takes
// {"value": …} on stdin). One copy of the scripts, so a fix to one is a fix to all.

#include <filesystem>
#include <string>

namespace seam::testing {

// `before`: shell lines run first on every read (a delay, a FIFO a test holds).
std::string VaultReadScript(const std::string& before = "");
std::string VaultWriteScript();

// Writes `<prefix>-read.sh` and `<prefix>-write.sh` (mode 0700) into `dir`.
void WriteVaultScripts(const std::filesystem::path& dir, const std::string& before = "",
                       const std::string& prefix = "vault");

}  // namespace seam::testing
