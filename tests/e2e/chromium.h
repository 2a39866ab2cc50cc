#pragma once
// Headless Chromium (Debian package `chromium`) as a real child process, for the tests of the
// audit page: its DOM after loading a file, or a screenshot of it.

#include <string>
#include <vector>

#include "tests/e2e/process.h"
#include "tests/support/temp_dir.h"

namespace seam::e2e {

// The chromium binary on $PATH, or "" when it is not installed (tests then skip, saying so).
std::string FindChromium();

// Runs chromium headless with `args` (e.g. {"--dump-dom", "file:///..."}), a throwaway profile
// in `dir`, no network services, no sandbox (tests run as root in CI); a run that has not ended
// after 25 s is killed and started once more.
ProcessResult RunChromium(const std::string& chromium, const seam::testing::TempDir& dir,
                          const std::vector<std::string>& args);

// Occurrences of `needle` in `haystack`.
std::size_t CountOf(const std::string& haystack, const std::string& needle);

}  // namespace seam::e2e
