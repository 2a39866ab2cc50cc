#include "tools/common/time_arg.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <string_view>

namespace seam {
namespace {

constexpr std::int64_t kMaxAgeSeconds = 100LL * 366 * 86'400;  // far beyond any log, far from overflow

// Exactly `width` decimal digits at `pos` (advanced past them), or nullopt.
std::optional<int> Digits(std::string_view s, std::size_t& pos, std::size_t width) {
  if (pos + width > s.size()) return std::nullopt;
  const std::string_view part = s.substr(pos, width);
  if (!std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  int value = 0;
  std::from_chars(part.data(), part.data() + part.size(), value);
  pos += width;
  return value;
}

bool Take(std::string_view s, std::size_t& pos, std::string_view one_of) {
  if (pos >= s.size() || one_of.find(s[pos]) == std::string_view::npos) return false;
  ++pos;
  return true;
}

// RFC 3339 section 5.6 date-time: "T"/"Z" in either case (5.6 NOTE), a fraction of any length
// (digits past microseconds are dropped), "Z" or a numeric offset.
std::optional<std::int64_t> ParseRfc3339(std::string_view s) {
  using namespace std::chrono;
  std::size_t pos = 0;
  const auto y = Digits(s, pos, 4);
  if (!y || !Take(s, pos, "-")) return std::nullopt;
  const auto mo = Digits(s, pos, 2);
  if (!mo || !Take(s, pos, "-")) return std::nullopt;
  const auto d = Digits(s, pos, 2);
  if (!d || !Take(s, pos, "Tt")) return std::nullopt;
  const auto h = Digits(s, pos, 2);
  if (!h || !Take(s, pos, ":")) return std::nullopt;
  const auto mi = Digits(s, pos, 2);
  if (!mi || !Take(s, pos, ":")) return std::nullopt;
  const auto sec = Digits(s, pos, 2);
  if (!sec) return std::nullopt;
  std::int64_t micros = 0;
  if (Take(s, pos, ".")) {
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - start < 6) micros = micros * 10 + (s[pos] - '0');
      ++pos;
    }
    if (pos == start) return std::nullopt;
    for (std::size_t n = pos - start; n < 6; ++n) micros *= 10;
  }
  int offset_minutes = 0;
  if (!Take(s, pos, "Zz")) {
    if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return std::nullopt;
    const int sign = s[pos++] == '-' ? -1 : 1;
    const auto oh = Digits(s, pos, 2);
    if (!oh || !Take(s, pos, ":")) return std::nullopt;
    const auto om = Digits(s, pos, 2);
    if (!om || *oh > 23 || *om > 59) return std::nullopt;
    offset_minutes = sign * (*oh * 60 + *om);
  }
  if (pos != s.size()) return std::nullopt;
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  // Second 60 is a leap second (RFC 3339 5.7): it counts as the next second's start.
  if (!date.ok() || *h > 23 || *mi > 59 || *sec > 60) return std::nullopt;
  const sys_seconds local = sys_days{date} + hours{*h} + minutes{*mi} + seconds{*sec};
  const sys_seconds utc = local - minutes{offset_minutes};
  return duration_cast<microseconds>(utc.time_since_epoch()).count() + micros;
}

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

}  // namespace

Result<std::int64_t> ParseTimeArg(const std::string& flag, const std::string& value, std::int64_t now_us) {
  if (std::optional<std::int64_t> at = ParseRfc3339(value)) return *at;
  if (std::optional<std::int64_t> age = ParseAgeSeconds(value)) return now_us - *age * 1'000'000;
  // The value is echoed on one line: control characters (a pasted newline) become '?'.
  std::string shown = value.substr(0, 80);
  std::replace_if(shown.begin(), shown.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }, '?');
  return Status::InvalidArgument(flag + " `" + shown +
                                 "` is not a time: give RFC 3339 (2026-11-29T09:11:50Z, "
                                 "2026-11-29T10:11:50.5+01:00) or an age before now (90s, 15m, 2h, 7d)");
}

}  // namespace seam
