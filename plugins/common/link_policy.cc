#include "plugins/common/link_policy.h"

#include <sys/stat.h>

#include <cerrno>
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

}  // namespace seam
