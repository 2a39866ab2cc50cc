#pragma once
// Test helpers shared by every suite: a real temporary directory removed at the end of the
// test, and small file utilities. No mocks of what we own live here.

#include <filesystem>
#include <set>
#include <string>

namespace seam::testing {

// mkdtemp under $TMPDIR (or /tmp); removed recursively (after restoring permissions) on
// destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

// Writes `content` to `path`, creating parent directories. Aborts the test binary on failure.
void WriteFile(const std::filesystem::path& path, const std::string& content);

// Whole file as bytes; empty string if it cannot be read.
std::string ReadFile(const std::filesystem::path& path);

// The names of the entries of `dir` (no recursion): what a write left beside its target.
std::set<std::string> EntryNames(const std::filesystem::path& dir);

}  // namespace seam::testing
