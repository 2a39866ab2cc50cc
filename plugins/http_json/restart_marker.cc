#include "plugins/http_json/restart_marker.h"

#include <algorithm>
#include <charconv>
#include <chrono>

namespace seam {
namespace {

// Exactly `width` decimal digits at `pos` (advanced past them), or nullopt.
std::optional<int> Digits(std::string_view s, std::size_t& pos, std::size_t width) {
  if (pos + width > s.size()) return std::nullopt;
  std::string_view part = s.substr(pos, width);
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

// RFC 3339 section 5.6 date-time; "t" and "z" may be lower case (section 5.6, NOTE).
std::optional<std::int64_t> ParseRfc3339Us(std::string_view s) {
  using namespace std::chrono;
  std::size_t pos = 0;
  auto y = Digits(s, pos, 4);
  if (!y || !Take(s, pos, "-")) return std::nullopt;
  auto mo = Digits(s, pos, 2);
  if (!mo || !Take(s, pos, "-")) return std::nullopt;
  auto d = Digits(s, pos, 2);
  if (!d || !Take(s, pos, "Tt")) return std::nullopt;
  auto h = Digits(s, pos, 2);
  if (!h || !Take(s, pos, ":")) return std::nullopt;
  auto mi = Digits(s, pos, 2);
  if (!mi || !Take(s, pos, ":")) return std::nullopt;
  auto sec = Digits(s, pos, 2);
  if (!sec) return std::nullopt;
  std::int64_t micros = 0;
  if (Take(s, pos, ".")) {
    std::size_t start = pos;
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
    auto oh = Digits(s, pos, 2);
    if (!oh || !Take(s, pos, ":")) return std::nullopt;
    auto om = Digits(s, pos, 2);
    if (!om || *oh > 23 || *om > 59) return std::nullopt;
    offset_minutes = sign * (*oh * 60 + *om);
  }
  if (pos != s.size()) return std::nullopt;
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  // Second 60 is a leap second (RFC 3339 5.7); it counts as the next second's start.
  if (!date.ok() || *h > 23 || *mi > 59 || *sec > 60) return std::nullopt;
  const sys_seconds local = sys_days{date} + hours{*h} + minutes{*mi} + seconds{*sec};
  const sys_seconds utc = local - minutes{offset_minutes};
  return duration_cast<microseconds>(utc.time_since_epoch()).count() + micros;
}

}  // namespace

std::optional<std::int64_t> ParseStartTimeUs(std::string_view text) {
  std::optional<std::int64_t> us;
  if (text.size() == 10 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::int64_t secs = 0;
    std::from_chars(text.data(), text.data() + text.size(), secs);
    us = secs * 1'000'000;
  } else {
    us = ParseRfc3339Us(text);
  }
  if (!us || *us <= 0) return std::nullopt;
  return us;
}

Result<RestartMarker> ReadRestartMarker(const Json& doc, const JsonPointer& pointer) {
  const std::string what = "restart_marker " + pointer.text;
  const Json* cur = &doc;
  for (std::size_t i = 0; i < pointer.tokens.size(); ++i) {
    if (!cur->is_object()) {
      std::string prefix;
      for (std::size_t k = 0; k < i; ++k) prefix += "/" + EscapeJsonPointerToken(pointer.tokens[k]);
      return Status::FailedPrecondition(what + ": " + (i == 0 ? "the document" : prefix) + " is " +
                                        Described(*cur) + ", not an object");
    }
    auto it = cur->find(pointer.tokens[i]);
    if (it == cur->end()) return RestartMarker{};
    cur = &*it;
  }
  RestartMarker out;
  if (cur->is_null()) return out;
  if (cur->is_string()) {
    out.text = cur->get<std::string>();
  } else if (cur->is_number()) {
    out.text = cur->dump();  // integers as their digits; others in JSON's shortest form
  } else {
    return Status::FailedPrecondition(what + " is " + Described(*cur) + ", not a string or number");
  }
  if (out.text.size() > kMaxRestartMarkerBytes) {
    return Status::FailedPrecondition(what + " is " + std::to_string(out.text.size()) + " bytes, over the " +
                                      std::to_string(kMaxRestartMarkerBytes) + " a marker may have");
  }
  if (!std::all_of(out.text.begin(), out.text.end(), [](char c) { return c >= ' ' && c <= '~'; })) {
    return Status::FailedPrecondition(what + " holds a character that is not printable ASCII");
  }
  out.started_at_us = ParseStartTimeUs(out.text).value_or(0);
  return out;
}

}  // namespace seam
