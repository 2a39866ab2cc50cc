#include "tools/common/time_arg.h"

#include "core/clock.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <string_view>

namespace seam {
namespace {

constexpr std::int64_t kMaxAgeSeconds = 100LL * 366 * 86'400;  // far beyond any log, far from overflow

// "90s", "15m", "2h", "7d": a whole number and a unit; the age in seconds, or nullopt.
std::optional<std::int64_t> ParseAgeSeconds(std::string_view s) {
  if (s.size() < 2 || s.size() > 12) return std::nullopt;
  std::int64_t unit = 0;
  switch (s.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3'600; break;
    case 'd': unit = 86'400; break;
    default: return std::nullopt;
  }
  std::int64_t n = 0;
  const std::string_view digits = s.substr(0, s.size() - 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n < 0) return std::nullopt;
  if (n > kMaxAgeSeconds / unit) return std::nullopt;
  return n * unit;
}

// The value echoed on one line: control characters (a pasted newline) become '?'.
std::string Shown(const std::string& value) {
  std::string shown = value.substr(0, 80);
  std::replace_if(shown.begin(), shown.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }, '?');
  return shown;
}

}  // namespace

Result<std::int64_t> ParseTimeArg(const std::string& flag, const std::string& value, std::int64_t now_us) {
  if (std::optional<std::int64_t> at = ParseTimeMicros(value)) return *at;
  if (std::optional<std::int64_t> age = ParseAgeSeconds(value)) return now_us - *age * 1'000'000;
  return Status::InvalidArgument(flag + " `" + Shown(value) +
                                 "` is not a time: give RFC 3339 (2026-11-29T09:11:50Z, "
                                 "2026-11-29T10:11:50.5+01:00) or an age before now (90s, 15m, 2h, 7d)");
}

Result<std::chrono::milliseconds> ParseDurationArg(const std::string& flag, const std::string& value) {
  const std::string_view v = value;
  const bool ms = v.size() > 2 && v.substr(v.size() - 2) == "ms";
  std::optional<std::int64_t> n;
  if (ms) {
    std::int64_t count = 0;
    const std::string_view digits = v.substr(0, v.size() - 2);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
    if (ec == std::errc() && end == digits.data() + digits.size()) n = count;
  } else if (v.empty() || v.back() != 'd') {  // days are ages, not waits
    if (std::optional<std::int64_t> seconds = ParseAgeSeconds(v)) n = *seconds * 1000;
  }
  constexpr std::int64_t kMaxMs = 24LL * 3'600'000;
  if (!n || *n < 1 || *n > kMaxMs) {
    return Status::InvalidArgument(flag + " `" + Shown(value) +
                                   "` is not a duration: give a whole number of ms, s, m or h from 1ms "
                                   "to 24h (500ms, 5s, 2m)");
  }
  return std::chrono::milliseconds(*n);
}

}  // namespace seam
