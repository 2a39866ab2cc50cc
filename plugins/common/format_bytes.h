#pragma once
// Sizes for messages: "1 MiB", "64 KiB", "1000 bytes" (exact units only, never rounded, so a
// limit in a message is the limit that was configured).

#include <cstddef>
#include <string>

namespace seam {

inline std::string FormatBytes(std::size_t n) {
  constexpr std::size_t kKiB = 1024, kMiB = 1024 * 1024;
  if (n >= kMiB && n % kMiB == 0) return std::to_string(n / kMiB) + " MiB";
  if (n >= kKiB && n % kKiB == 0) return std::to_string(n / kKiB) + " KiB";
  return std::to_string(n) + " bytes";
}

}  // namespace seam
