#include "tests/e2e/chromium.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

namespace seam::e2e {

std::string FindChromium() {
  const char* path = std::getenv("PATH");
  const std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::filesystem::path candidate = std::filesystem::path(dirs.substr(start, end - start)) / "chromium";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return {};
}

ProcessResult RunChromium(const std::string& chromium, const seam::testing::TempDir& dir,
                          const std::vector<std::string>& args) {
  std::vector<std::string> argv = {chromium,
                                   "--headless",
                                   "--no-sandbox",  // root in containers and CI
                                   "--disable-gpu",
                                   "--disable-dev-shm-usage",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--disable-breakpad",  // no crash handler process to outlive the browser
                                   "--hide-scrollbars",
                                   "--user-data-dir=" + (dir / "chromium-profile").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  // A page loads in about a second; a browser still running after 25 s has hung (seen once,
  // under a CI's load: no output, until ctest's own timeout). It is killed and started once more,
  // so a hang costs 25 s of the test's 120 s, not the test.
  options.timeout = std::chrono::seconds(25);
  // Chromium starts helper processes (zygote, renderer, crashpad) that inherit stdout; they
  // go with the browser, and a reader never waits on them.
  options.own_process_group = true;
  options.env["HOME"] = dir.path().string();
  ProcessResult first = RunProcess(argv, options);
  if (!first.timed_out) return first;
  return RunProcess(argv, options);
}

std::size_t CountOf(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) ++n;
  return n;
}

}  // namespace seam::e2e
