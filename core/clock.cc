#include "core/clock.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace seam {

std::int64_t SystemClock::NowMicros() const {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string FormatTimeMicros(std::int64_t micros) {
  std::int64_t secs = micros / 1000000;
  std::int64_t frac = micros % 1000000;
  if (frac < 0) {  // floor division for times before the epoch
    frac += 1000000;
    secs -= 1;
  }
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(frac));
  return buf;
}

namespace {

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

}  // namespace

std::optional<std::int64_t> ParseTimeMicros(std::string_view s) {
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

}  // namespace seam
