#include "plugins/common/link_policy.h"

#include <sys/stat.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "plugins/common/errno_text.h"

namespace seam {

Status RefuseSymlink(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();
    return Status::FailedPrecondition(path.string() + ": cannot inspect: " + ErrnoText(errno));
  }
  if (!S_ISLNK(st.st_mode)) return Status::Ok();
  std::error_code ec;
  const std::filesystem::path target = std::filesystem::read_symlink(path, ec);
  return Status::FailedPrecondition(
      path.string() + " is a symlink" + (ec ? std::string() : " to " + target.string()) +
      ", part of another tool's layout (certbot's live/ links into its archive/): seam does not write through it; "
      "make this side the seam's `authority` so seam adopts what that tool writes, or point the side at a file of "
      "its own");
}

Status RefuseHardLinks(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();
    return Status::FailedPrecondition(path.string() + ": cannot inspect: " + ErrnoText(errno));
  }
  if (!S_ISREG(st.st_mode) || st.st_nlink <= 1) return Status::Ok();
  return Status::FailedPrecondition(HardLinkRefusal(path.string(), st.st_nlink));
}

std::string HardLinkRefusal(const std::string& path, unsigned long links) {
  return path + " has " + std::to_string(links) +
         " hard links: replacing it (a new file renamed over the old) would leave the other names holding the old "
         "content; seam does not write it: make this side the seam's `authority`, or point the side at a file of its own";
}

}  // namespace seam
