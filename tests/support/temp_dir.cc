#include "tests/support/temp_dir.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <system_error>

namespace seam::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/seam-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    std::cerr << "mkdtemp failed for " << tmpl << "\n";
    std::abort();
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  // SEAM_TEST_KEEP_TMP=1 leaves every test's directory behind, to look at a failure's files or
  // to run another seamctl over the states a suite built.
  const char* keep = std::getenv("SEAM_TEST_KEEP_TMP");
  if (keep != nullptr && std::string(keep) == "1") return;
  std::error_code ec;
  // Tests make files and directories unreadable on purpose; restore access so removal works.
  for (auto it = std::filesystem::recursive_directory_iterator(
           path_, std::filesystem::directory_options::skip_permission_denied, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
  }
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ec);
  std::filesystem::remove_all(path_, ec);
}

void WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) {
    std::cerr << "cannot write " << path << "\n";
    std::abort();
  }
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::set<std::string> EntryNames(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

}  // namespace seam::testing
