#pragma once
// strerror text for plugin messages, shared by every plugin that does its own syscalls.

#include <string>
#include <system_error>

namespace seam {

// "No such file or directory" for ENOENT; thread-safe (unlike strerror).
inline std::string ErrnoText(int err) {
  return std::error_code(err, std::generic_category()).message();
}

}  // namespace seam
